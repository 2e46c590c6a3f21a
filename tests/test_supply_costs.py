"""Hand-solved cases for the green-supply prices and caps, opex, connection and grid headroom.

Base instance (tests/builders.py): regions a (grid 100/MWh) and b (50/MWh), 1 MW-IT serves
1 Mtok/h, PUE 1, one slice of 8760 h, each region demands 1 Mtok/h: 2 MW at lb is optimal.
"""

from __future__ import annotations

import pandas as pd
import pytest

from builders import solve_tiny, tiny_tables, write_scenario

H = 8760.0


def _cheap_solar(t, max_mw=None, wheeling=0.0):
    """Solar in b at cf 1 and 100,000/MW-yr (11.42/MWh of energy)."""
    t["renewables"] = [{"region": "b", "tech": "solar", "slice": "all", "cf": 1.0}]
    t["ppa"] = [{"region": "b", "tech": "solar", "cost_per_mw_year": 100_000.0,
                 "max_mw": max_mw, "wheeling_per_mwh": wheeling}]
    return t


def _two_sites_in_b(t):
    """lb and lb2 in region b, 1 MW each: both open to serve the 2 MW at 50/MWh."""
    t["locations"][1]["max_mw"] = 1.0
    t["locations"].append({"location": "lb2", "name": "LB2", "region": "b", "lat": 0.1,
                           "lon": 10.0, "max_mw": 1.0, "fixed_cost_per_year": 0.0})
    t["site_options"].append({"site": "lb2-air", "location": "lb2", "cooling": "air",
                              "pue": 1.0})
    return t


def test_two_sites_in_one_province_share_its_ppa_cap(tmp_path):
    # cap 1 MW for province b: 1 MW of PPA (100,000) + 1 MW of grid (8760 x 50) = 538,000;
    # a cap per location would give each site 1 MW of PPA for 200,000 in all
    res = solve_tiny(tmp_path, _cheap_solar(_two_sites_in_b(tiny_tables()), max_mw=1.0))
    assert res.summary["objective"] == pytest.approx(100_000 + H * 50)
    s = res.sites
    assert s.loc[s["region"] == "b", "ppa_mw"].sum() == pytest.approx(1.0)
    mw = s.groupby("location")["mw_it_total"].sum()
    assert mw["lb"] == pytest.approx(1.0) and mw["lb2"] == pytest.approx(1.0)


def test_without_the_regional_cap_each_site_takes_the_whole_cap(tmp_path):
    import siteplan
    from siteplan.model import build_model
    from siteplan.solve import solve_model

    path = write_scenario(tmp_path, _cheap_solar(_two_sites_in_b(tiny_tables()), max_mw=1.0))
    sc = siteplan.load_scenario(path)
    built = build_model(siteplan.prepare(sc))
    built.model.c_ppa_region_cap.deactivate()
    assert solve_model(built, sc.solver, want_duals=False).objective == pytest.approx(200_000)


def test_wheeling_charge_flips_ppa_against_grid(tmp_path):
    # delivered PPA = 11.42 + wheeling per MWh against grid 50: at 30 the PPA covers the
    # 2 MW (2 x (100,000 + 8760 x 30)); at 45 (56.4 > 50) the grid does
    cheap = solve_tiny(tmp_path / "w30", _cheap_solar(tiny_tables(), wheeling=30.0))
    assert cheap.summary["objective"] == pytest.approx(2 * (100_000 + H * 30))
    assert cheap.summary["cost_breakdown"]["ppa"] == pytest.approx(2 * (100_000 + H * 30))
    assert cheap.summary["green_share"] == pytest.approx(1.0)
    dear = solve_tiny(tmp_path / "w45", _cheap_solar(tiny_tables(), wheeling=45.0))
    assert dear.summary["objective"] == pytest.approx(2 * H * 50)
    assert dear.sites["ppa_mw"].sum() == pytest.approx(0.0, abs=1e-6)


def test_grid_headroom_caps_a_location(tmp_path):
    # lb can take 1.5 MW of site power: 1.5 MW there at 50, 0.5 MW at la at 100
    t = tiny_tables()
    t["locations"][1]["grid_headroom_mw"] = 1.5
    res = solve_tiny(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(1.5 * H * 50 + 0.5 * H * 100)
    tok = res.sites.set_index("location")["tokens_per_day"]
    assert tok["lb"] == pytest.approx(36e6) and tok["la"] == pytest.approx(12e6)


def test_opex_connection_and_construction_index(tmp_path):
    # region b: construction index 2; at lb (PUE 1.5) 2 MW-IT cost per year
    #   facility 2 x 5,000 x 2 = 20,000; opex 2 x (10,000 x 2 + 0.1 x 100,000) = 60,000;
    #   connection 2 x 1,000 x 1.5 = 3,000; hardware 2 x 100,000 (1-year life, rate 0);
    #   electricity 2 x 1.5 x 8760 x 50 = 1,314,000 (la would cost 100 x 8760 per MW)
    t = tiny_tables()
    t["regions"][1]["construction_index"] = 2.0
    t["cooling"][0].update(facility_cost_per_mw_year=5_000.0, opex_per_mw_year=10_000.0)
    t["hardware"][0].update(capex_per_unit=100_000.0, opex_share=0.1)
    t["locations"][1]["connection_cost_per_mw_year"] = 1_000.0
    t["site_options"][1]["pue"] = 1.5
    res = solve_tiny(tmp_path, t, finance__discount_rate=0.0)
    b = res.summary["cost_breakdown"]
    assert b["facility"] == pytest.approx(20_000)
    assert b["opex"] == pytest.approx(60_000)
    assert b["connection"] == pytest.approx(3_000)
    assert b["hardware"] == pytest.approx(200_000)
    assert b["electricity"] == pytest.approx(2 * 1.5 * H * 50)
    site = res.sites.set_index("site").loc["lb-air"]
    assert site["cost_opex"] == pytest.approx(60_000)
    assert site["cost_connection"] == pytest.approx(3_000)
    assert float(pd.Series(b).sum()) == pytest.approx(res.summary["objective"])


def test_ppa_scale_and_zone_scale_price_the_contracts_not_the_grid(tmp_path):
    # x4: 45.7/MWh < 50, the PPA still covers the 2 MW (2 x 4 x 100,000);
    # x5 on the west zone (lb is in region b, west): 57.1 > 50, the grid does
    four = solve_tiny(tmp_path / "x4", _cheap_solar(tiny_tables()), prices__ppa_scale=4.0)
    assert four.summary["objective"] == pytest.approx(2 * 4 * 100_000)
    five = solve_tiny(tmp_path / "x5", _cheap_solar(tiny_tables()),
                      prices__ppa_zone_scale={"west": 5.0})
    assert five.summary["objective"] == pytest.approx(2 * H * 50)
    grid = solve_tiny(tmp_path / "g", _cheap_solar(tiny_tables()),
                      prices__zone_scale={"west": 3.0})  # grid x3: PPA unchanged
    assert grid.summary["objective"] == pytest.approx(2 * 100_000)


def test_existing_capacity_above_the_headroom_stands(tmp_path):
    # lb already holds 2 MW-IT; headroom 1.5 MW limits new load, not what is built
    t = tiny_tables()
    t["locations"][1]["grid_headroom_mw"] = 1.5
    t["site_options"][1]["existing_mw"] = 2.0
    res = solve_tiny(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(2 * H * 50)
    assert res.sites.set_index("location").at["lb", "mw_it_total"] == pytest.approx(2.0)
