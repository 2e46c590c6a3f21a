"""Hand-solved cases for grid connection by voltage tier (family 4c, grid_tiers.csv) and grid
headroom by year (grid_headroom.csv).

Base instance (tests/builders.py): regions a (grid 100/MWh) and b (50/MWh), 1 MW-IT serves
1 Mtok/h, PUE 1, one slice of 8760 h; everything goes to lb (b) unless something stops it.
"""

from __future__ import annotations

import numpy as np
import pytest

import siteplan
from builders import solve_tiny, tiny_tables, write_scenario
from siteplan.model import build_model
from siteplan.model.connection import hull, tier_of
from siteplan.solve import solve_model

H = 8760.0
# 110 kV up to 2 MW for 100,000/yr; 220 kV up to 4 MW 150,000; 500 kV up to 10 MW 400,000
TIERS = [{"voltage_kv": 110, "max_mw": 2.0, "cost_per_year": 100_000.0},
         {"voltage_kv": 220, "max_mw": 4.0, "cost_per_year": 150_000.0},
         {"voltage_kv": 500, "max_mw": 10.0, "cost_per_year": 400_000.0}]


def _tiered(demand_b: float = 2.0, pue: float = 1.0):
    """Demand 1 Mtok/h in a and ``demand_b`` in b, all served at lb; tiers TIERS."""
    t = tiny_tables()
    t["demand"][1]["tokens_per_day"] = 24e6 * demand_b
    t["site_options"][1]["pue"] = pue
    t["grid_tiers"] = [dict(r) for r in TIERS]
    return t


def test_hull_of_the_tier_steps():
    tiers = np.array([[r["voltage_kv"], r["max_mw"], r["cost_per_year"]] for r in TIERS])
    # through (0, 100k), (2, 100k), (4, 150k), (10, 400k): slopes 0, 25k, 41,666.67
    a, b = zip(*hull(tiers), strict=True)
    assert b == pytest.approx((0.0, 25_000.0, 250_000.0 / 6))
    assert a == pytest.approx((100_000.0, 50_000.0, 400_000.0 - 10 * 250_000.0 / 6))
    assert [tier_of(tiers, mw) for mw in (0.5, 2.0, 2.01, 4.0, 9.0, 12.0)] == \
        [110, 110, 220, 220, 500, 500]
    # a tier that is never the cheapest way up (a dear small tier) drops off the hull
    dear = np.array([[110, 1.0, 300.0], [220, 4.0, 400.0]])
    assert hull(dear) == [(300.0, 0.0), (pytest.approx(800 / 3), pytest.approx(100 / 3))]


def test_site_pays_the_hull_of_its_tier(tmp_path):
    # 3 MW at lb: between the 110 kV top (2 MW, 100k) and the 220 kV top (4 MW, 150k): the
    # hull gives 100k + 25k x 1 = 125k (the step would be 150k); energy 3 x 8760 x 50
    res = solve_tiny(tmp_path, _tiered(2.0))
    assert res.summary["objective"] == pytest.approx(3 * H * 50 + 125_000)
    assert res.summary["cost_breakdown"]["connection"] == pytest.approx(125_000)
    lb = res.sites.set_index("location").loc["lb"]
    assert lb["grid_tier_kv"] == 220 and lb["mw_it_total"] == pytest.approx(3.0)
    assert res.summary["connection_step_extra"] == pytest.approx(25_000)  # 150k - 125k


def test_tier_is_sized_to_site_power_not_it(tmp_path):
    # PUE 2: 3 MW-IT is 6 MW of site power: 150k + 41,666.67 x 2 = 233,333.33 (500 kV);
    # energy 6 MW x 8760 x 50 (la at 200/MWh stays shut)
    t = _tiered(2.0, pue=2.0)
    t["regions"][0]["price_per_mwh"] = 200.0
    res = solve_tiny(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(6 * H * 50 + 150_000 + 2 * 250_000 / 6)
    assert res.sites.set_index("location").loc["lb", "grid_tier_kv"] == 500


def test_each_open_site_pays_its_own_connection(tmp_path):
    # lb holds 1 MW (max_mw), the other 2 MW go to la at 100: two 110 kV connections
    t = _tiered(2.0)
    t["locations"][1]["max_mw"] = 1.0
    res = solve_tiny(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(1 * H * 50 + 2 * H * 100 + 2 * 100_000)
    assert set(res.sites.loc[res.sites["mw_it_total"] > 0, "grid_tier_kv"]) == {110}


def test_tier_costs_can_move_work_to_a_dearer_site(tmp_path):
    # lb's 500 kV tier is dear: 600,000/MW above 4 MW, so an MW there costs 438,000 +
    # 600,000 against la's 876,000 (+ la's 110 kV, 100k, once): all 6 MW at lb would cost
    # 2,628,000 + 150k + 1.2 M = 3,978,000; lb 4 MW (150k) and la 2 MW (100k) 3,754,000
    t = _tiered(5.0)
    t["grid_tiers"][2]["cost_per_year"] = 150_000.0 + 6 * 600_000.0
    res = solve_tiny(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(4 * H * 50 + 2 * H * 100 + 150_000
                                                     + 100_000)
    mw = res.sites.set_index("location")["mw_it_total"]
    assert mw["lb"] == pytest.approx(4.0) and mw["la"] == pytest.approx(2.0)


def test_without_the_tier_rows_connection_is_free(tmp_path):
    path = write_scenario(tmp_path, _tiered(2.0))
    sc = siteplan.load_scenario(path)
    built = build_model(siteplan.prepare(sc))
    built.model.c_connection_tier.deactivate()
    assert solve_model(built, sc.solver, want_duals=False).objective == pytest.approx(3 * H * 50)


# --- grid headroom by year (grid_headroom.csv) -------------------------------------------------
# test_pathway's one-region case: demand 1 Mtok/h in a only, power free, gen1 capex 100/MW
# with life 2 (50/yr at r = 0); lb costs 10/yr once open (it then stays open) and its power
# 10/MW-yr (1/876 per MWh). la's grid gives 0.5 MW in 2026 and 2 MW from 2027.
def _headroom_by_year():
    from test_pathway import _one_region

    t = _one_region()
    t["locations"][1]["fixed_cost_per_year"] = 10.0
    t["regions"][1]["price_per_mwh"] = 1.0 / 876.0
    t["grid_headroom"] = [{"location": "la", "year": 2026, "headroom_mw": 0.5},
                          {"location": "la", "year": 2027, "headroom_mw": 2.0}]
    return t


def _pathway(tmp_path, t):
    path = write_scenario(tmp_path, t, years=[2026, 2027], finance__discount_rate=0.0)
    return siteplan.solve(siteplan.load_scenario(path))


def test_headroom_in_the_first_year_forces_a_second_site(tmp_path):
    # 2026: la 0.5 MW (its headroom) + lb 0.5 MW; both builds stand in 2027 (life 2; moving
    # lb's 0.5 MW to la in 2027 would cost 25 of new capex to save 5 of power):
    # NPC = 100 x 1 MW + lb's 10 and 0.5 x 10 in each year = 130
    res = _pathway(tmp_path, _headroom_by_year())
    assert res.summary["objective"] == pytest.approx(130.0, rel=1e-6)
    s = res.sites.set_index(["year", "location"])["mw_it_total"]
    assert s[(2026, "la")] == pytest.approx(0.5) and s[(2026, "lb")] == pytest.approx(0.5)


def test_without_the_yearly_headroom_one_site_serves(tmp_path):
    t = _headroom_by_year()
    del t["grid_headroom"]
    assert _pathway(tmp_path, t).summary["objective"] == pytest.approx(100.0, rel=1e-6)


def test_headroom_grows_in_a_later_year(tmp_path):
    # demand x 3 in 2027: la may hold 2 MW from 2027 (1.5 MW more, 50 each in 2027 only:
    # 75); lb keeps 0.5 and builds 0.5 more (25): 100 + 75 + 25 + lb's 20 fixed + power 5
    # (2026) + 10 (2027) = 235. With 2026's 0.5 MW in 2027 too, lb would hold 2.5 MW
    t = _headroom_by_year()
    path = write_scenario(tmp_path, t, years=[2026, 2027], finance__discount_rate=0.0,
                          pathway={"demand_growth": {2026: 1.0, 2027: 3.0}})
    res = siteplan.solve(siteplan.load_scenario(path))
    assert res.summary["objective"] == pytest.approx(235.0, rel=1e-6)
    s = res.sites.set_index(["year", "location"])["mw_it_total"]
    assert s[(2027, "la")] == pytest.approx(2.0) and s[(2027, "lb")] == pytest.approx(1.0)


@pytest.mark.parametrize(("year", "cost"), [(2026, 0.5 * 50 + 0.5 * 60 + 10), (2027, 50.0),
                                            (2025, 50.0)])
def test_single_year_uses_the_scenario_years_headroom(tmp_path, year, cost):
    # before the first row, locations.csv (no limit here) applies
    path = write_scenario(tmp_path, _headroom_by_year(), finance__discount_rate=0.0)
    res = siteplan.solve(siteplan.load_scenario(path, [f"year={year}"]))
    assert res.objective == pytest.approx(cost)


# --- direct-line PPA (direct_line.csv) ---------------------------------------------------------
# test_supply_costs' solar in b: cf 1, 100,000/MW-yr (11.42/MWh); wheeled at 45/MWh it is
# 56.42 delivered against the grid's 50, so the grid serves. A direct line in b: line
# 10,000/MW-yr and 5/MWh of charges: (110,000 + 8760 x 5) / 8760 = 17.56/MWh.
def _direct(t=None, max_mw=1.5, wheeling=45.0):
    from test_supply_costs import _cheap_solar

    t = _cheap_solar(t or tiny_tables(), wheeling=wheeling)
    t["direct_line"] = [{"region": "b", "tech": "solar", "line_cost_per_mw_year": 10_000.0,
                         "max_mw": max_mw, "charge_per_mwh": 5.0}]
    return t


def test_a_direct_line_flips_grid_to_green(tmp_path):
    # 1.5 MW (the region's direct-line cap) on the line, 0.5 MW from the grid:
    # 1.5 x (110,000 + 8760 x 5) + 0.5 x 8760 x 50 = 449,700; without it 2 x 8760 x 50
    res = solve_tiny(tmp_path / "direct", _direct())
    assert res.summary["objective"] == pytest.approx(1.5 * (110_000 + H * 5) + 0.5 * H * 50)
    assert res.summary["ppa_direct_mw"] == pytest.approx(1.5)
    assert res.summary["green_share"] > 0.75
    t = _direct()
    del t["direct_line"]
    assert solve_tiny(tmp_path / "wheeled", t).summary["objective"] == pytest.approx(2 * H * 50)


def test_direct_line_cap_is_its_own_and_shared_by_the_province(tmp_path):
    # two 1 MW sites in b; wheeling 30 (41.42 < 50: the wheeled PPA wins too), wheeled cap
    # 0.5 MW, direct cap 1 MW shared by lb and lb2: 1 MW direct (153,800) + 0.5 wheeled
    # (0.5 x (100,000 + 8760 x 30) = 181,400) + 0.5 grid (219,000) = 554,200
    from test_supply_costs import _two_sites_in_b

    t = _direct(_two_sites_in_b(tiny_tables()), max_mw=1.0, wheeling=30.0)
    t["ppa"][0]["max_mw"] = 0.5
    t["locations"][0]["max_mw"] = 0.0  # la is never used; shut, its free MW cannot mislead
    res = solve_tiny(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(
        110_000 + H * 5 + 0.5 * (100_000 + H * 30) + 0.5 * H * 50)
    assert res.sites["ppa_direct_mw"].sum() == pytest.approx(1.0)
    assert res.sites["ppa_mw"].sum() == pytest.approx(1.5)


def test_direct_line_without_a_ppa_offer_is_one_line(tmp_path):
    from siteplan.errors import InputDataError

    t = _direct()
    t["direct_line"][0]["tech"] = "wind"
    with pytest.raises(InputDataError) as err:
        solve_tiny(tmp_path, t)
    msg = str(err.value)
    assert "direct_line.csv" in msg and "ppa.csv has no wind offer" in msg
    assert msg.count("\n") == 0
