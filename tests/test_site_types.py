"""Kinds of site as data: a seabed site on its own offshore wind that no neighbour may draw on
(dedicated_supply.csv, a location's min_green_share), an edge module that opens only under a
tight latency budget (network.latency_ms, module_mw), and hardware bought in whole systems
(units_per_system, family 17 whole units). Hand-solved; one 8760 h slice, PUE 1, idle 0,
1 MW-IT serves 1 Mtok/h (builders.py)."""

from __future__ import annotations

import pytest

import siteplan
from builders import TOKENS_PER_S_PER_MW, tiny_tables, write_scenario

H = 8760.0


def _solve(tmp_path, tables, **keys):
    path = write_scenario(tmp_path, tables, **keys)
    return siteplan.solve(siteplan.load_scenario(path))


def seabed_tables(dedicated=True, plant_mw=10.0, floor=None):
    """Region a (grid 100) has a land location la and a seabed location sea (0.5 MW, grid
    80) with a wind farm of ``plant_mw`` at cf 1 for 87,600 per MW-yr (10 per MWh); region b
    (grid 50) has lb. A 5 ms budget keeps each region on its own locations."""
    t = tiny_tables()
    t["workloads"][0]["latency_ms"] = 5.0
    t["locations"].append({"location": "sea", "name": "Seabed", "region": "a", "lat": 0.0,
                           "lon": 0.1, "max_mw": 0.5, "price_per_mwh": 80.0,
                           "min_green_share": floor})
    t["site_options"].append({"site": "sea-water", "location": "sea", "cooling": "air",
                              "pue": 1.0})
    t["renewables"] = [{"region": r, "tech": "wind", "slice": "all", "cf": 1.0} for r in "ab"]
    offer = {"tech": "wind", "cost_per_mw_year": 87_600.0, "max_mw": plant_mw}
    if dedicated:
        t["dedicated_supply"] = [{"location": "sea", **offer}]
    else:
        t["ppa"] = [{"region": "a", **offer}]
    return t


def test_a_dedicated_supply_serves_its_seabed_site_only(tmp_path):
    res = _solve(tmp_path, seabed_tables())
    # a: 0.5 MW at sea on 0.5 MW of wind, 0.5 MW at la on grid 100; b: 1 MW at lb on grid 50
    assert res.summary["objective"] == pytest.approx(0.5 * 87_600 + 0.5 * H * 100 + H * 50)
    ppa = res.sites.set_index("site")["ppa_mw"]
    assert ppa["sea-water"] == pytest.approx(0.5)
    assert ppa["la-air"] == pytest.approx(0.0, abs=1e-9)
    # the same farm offered to the province: la draws on it too
    shared = _solve(tmp_path / "shared", seabed_tables(dedicated=False))
    assert shared.summary["objective"] == pytest.approx(87_600 + H * 50)


def test_a_seabed_site_stays_green_by_construction(tmp_path):
    # a 0.4 MW farm; grid a is 20 % green: (0.4 + 0.2 g) / (0.4 + g) >= 0.95 -> g <= 0.02/0.75
    g = 0.02 / 0.75
    res = _solve(tmp_path, seabed_tables(plant_mw=0.4, floor=0.95))
    sea = res.sites.set_index("site").loc["sea-water"]
    assert sea["grid_mwh"] == pytest.approx(g * H)  # capacity is free here: read energy
    assert sea["ppa_mwh"] == pytest.approx(0.4 * H)
    assert sea["green_share"] == pytest.approx(0.95)
    cost = 0.4 * 87_600 + g * H * 80 + (1 - 0.4 - g) * H * 100 + H * 50
    assert res.summary["objective"] == pytest.approx(cost)
    loose = _solve(tmp_path / "loose", seabed_tables(plant_mw=0.4))
    assert loose.summary["objective"] == pytest.approx(0.4 * 87_600 + 0.1 * H * 80
                                                       + 0.5 * H * 100 + H * 50)


def edge_tables():
    """Region a's demand (1 Mtok/h) has a hub la 2 degrees away (grid 100, ~3.3 ms) and an edge
    location ea at its centre (0 ms, grid 100, 100,000 per MW-yr of facility, 0.4 MW
    modules); b's hub lb (grid 50) is 16 ms from a."""
    t = tiny_tables()
    t["locations"][0]["lon"] = 2.0
    t["locations"].append({"location": "ea", "name": "Edge A", "region": "a", "lat": 0.0,
                           "lon": 0.0, "max_mw": 5.0})
    t["site_options"].append({"site": "ea-air", "location": "ea", "cooling": "air",
                              "pue": 1.0, "facility_cost_per_mw_year": 100_000.0,
                              "module_mw": 0.4})
    t["demand"][1]["tokens_per_day"] = 0.0
    return t


@pytest.mark.parametrize(("budget", "cost", "edge"), [
    (None, H * 50, 0.0),  # no budget: the cheapest hub, lb
    (20.0, H * 50, 0.0),  # 16 ms: still lb
    (10.0, H * 100, 0.0),  # only a's own locations: la (no facility cost)
    (2.0, H * 100 + 3 * 0.4 * 100_000, 3.0),  # only the edge: 3 whole modules for 1 MW
])
def test_an_edge_module_opens_only_under_a_tight_latency_budget(tmp_path, budget, cost, edge):
    keys = {"network__latency_ms": {"chat": budget}} if budget is not None else {}
    res = _solve(tmp_path, edge_tables(), **keys)
    assert res.summary["objective"] == pytest.approx(cost)
    sites = res.sites.set_index("site")
    assert sites.loc["ea-air", "modules"] == pytest.approx(edge)
    assert sites.loc["ea-air", "open"] == (1 if edge else 0)


def system_tables():
    """Only b's demand, 2.2 Mtok/h, served at lb (grid 50); gpu units of 100 kW cost 10,000
    (100,000 per MW-yr) and come in systems of 4 (0.4 MW)."""
    t = tiny_tables()
    t["hardware"][0].update(kw_per_unit=100.0, capex_per_unit=10_000.0, units_per_system=4)
    t["throughput"][0]["tokens_per_s"] = TOKENS_PER_S_PER_MW / 10
    t["demand"][0]["tokens_per_day"] = 0.0
    t["demand"][1]["tokens_per_day"] = 24e6 * 2.2
    return t


def test_hardware_comes_in_whole_systems(tmp_path):
    res = _solve(tmp_path, system_tables(), finance__discount_rate=0.0)
    # 2.2 MW needs 5.5 systems: 6 are bought (2.4 MW)
    assert res.summary["objective"] == pytest.approx(2.4 * 100_000 + 2.2 * H * 50)
    lb = res.sites.set_index("site").loc["lb-air"]
    assert lb["systems_gpu"] == pytest.approx(6.0)
    assert lb["units_gpu"] == pytest.approx(24.0)


def test_relax_and_fix_rounds_systems_up_within_the_gap(tmp_path):
    res = _solve(tmp_path, system_tables(), finance__discount_rate=0.0,
                 solver__mip_rel_gap=0.02)
    s = res.summary
    assert "relax-and-fix" in s["highs_status"]  # the fast path: no branch and bound
    assert s["objective"] == pytest.approx(2.4 * 100_000 + 2.2 * H * 50)
    assert s["mip_gap"] <= 0.02


def test_a_supply_cap_on_systems_rounds_down(tmp_path):
    # 5.5 systems are wanted but only 20 units (5 systems) may be bought: the rest is npu
    t = system_tables()
    t["hardware"].append({"hardware": "npu", "name": "NPU", "kw_per_unit": 1000.0,
                          "capex_per_unit": 150_000.0, "lifetime_years": 1.0,
                          "idle_share": 0.0})
    t["throughput"].append({"hardware": "npu", "workload": "chat",
                            "tokens_per_s": TOKENS_PER_S_PER_MW})
    res = _solve(tmp_path, t, finance__discount_rate=0.0, solver__mip_rel_gap=0.05,
                 policy__hardware={"gpu": {"max_units": 21}})
    s = res.summary
    assert "relax-and-fix" in s["highs_status"]
    assert s["units_gpu"] == pytest.approx(20.0)
    assert s["objective"] == pytest.approx(2.0 * 100_000 + 0.2 * 150_000 + 2.2 * H * 50)
    # the cap's shadow price is read with the counts relaxed (fixed, it would never bind):
    # one more 0.1 MW unit replaces 0.1 MW of npu, 0.1 x (150,000 - 100,000)
    assert s["chip_shadow_price_gpu"] == pytest.approx(5_000.0, rel=1e-6)
