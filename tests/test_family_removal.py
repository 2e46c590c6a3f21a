"""Each constraint family matters: deactivating it changes the hand-solved optimum.

Same instances as test_families.py (and test_pathway.py for the vintages that link a
pathway's years); here the named constraint components are switched off after the build and
the optimum must move away from the hand-solved value. test_family_registry.py checks that
every family with rows has a case here.
"""

from __future__ import annotations

import pytest

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.inputs.pathway import derive_pathway
from siteplan.model import build_model
from siteplan.model.build import build_pathway_model
from siteplan.solve import solve_model
from test_chips import FREE, chip_tables
from test_families import (
    DAY_NIGHT,
    _day_night,
    _shift_tables,
    _two_days,
    _wet,
    _with_curtailment,
    _with_ppa,
)
from test_grid_tiers import _tiered
from test_margin import margin_tables
from test_pathway import _one_region
from test_peak import _peaky
from test_resilience import _grids, capex_tables, middle_tables
from test_site_types import edge_tables, system_tables
from test_supply_costs import _cheap_solar, _two_sites_in_b

H = 8760.0


def _objective(tmp_path, tables, off: tuple[str, ...], **keys) -> float:
    path = write_scenario(tmp_path, tables, **keys)
    sc = siteplan.load_scenario(path)
    if sc.years:
        built = build_pathway_model(derive_pathway(sc))
    else:
        built = build_model(siteplan.prepare(sc))
    for name in off:
        getattr(built.model, name).deactivate()
    res = solve_model(built, sc.solver, want_duals=False)
    return res.objective


def _t(**changes):
    t = tiny_tables()
    for (table, i, col), value in changes.items():
        t[table][i][col] = value
    return t


def _lb_max(mw):
    t = tiny_tables()
    t["locations"][1]["max_mw"] = mw
    return t


def _two_options():
    t = _lb_max(1.0)
    t["site_options"].append({"site": "lb-liquid", "location": "lb", "cooling": "air",
                              "pue": 1.0})
    return t


def _min_mw():
    t = tiny_tables()
    t["locations"][1]["min_mw"] = 5.0
    t["hardware"][0]["capex_per_unit"] = 10_000.0
    return t


def _floor():
    t = tiny_tables()
    t["site_options"][0]["existing_mw"] = 5.0
    return t


def _opened_once():
    t = _one_region(capex=50.0, life=1.0)
    t["locations"][0]["fixed_cost_per_year"] = 10.0
    t["locations"][1]["max_mw"] = 0.0
    return t


def _site_green():
    t = _with_ppa(_lb_max(1.0), 876_000.0, cf=1.0)
    t["renewables"].append({"region": "a", "tech": "solar", "slice": "all", "cf": 1.0})
    t["ppa"].append({"region": "a", "tech": "solar", "cost_per_mw_year": 1_752_000.0})
    return t


def _capex():
    t = tiny_tables()
    t["hardware"][0]["capex_per_unit"] = 100_000.0
    return t


CASES = {
    "demand": (tiny_tables, {}, ("c_demand_balance",), 2 * H * 50),
    "shift_peak": (lambda: _shift_tables(1.5), {"finance__discount_rate": 0.0},
                   ("c_shift_peak",), 957_000),
    "shift_daily": (lambda: _shift_tables(1.5), {"finance__discount_rate": 0.0},
                    ("c_routing_daily",), 957_000),
    "routing": (tiny_tables, {}, ("c_routing",), 2 * H * 50),
    "capacity": (_capex, {"policy__utilisation_max": 0.5, "finance__discount_rate": 0.0},
                 ("c_capacity",), 1_276_000),
    # chat peaks at 3 Mtok/h; headroom 1.2 -> 3.6 MW at 1,000/MW-yr (test_peak.py); without: 3
    "headroom": (_peaky, {"policy__peak_headroom": 1.2, "finance__discount_rate": 0.0},
                 ("c_peak_headroom",), 3600 + 2 * H * 50),
    "build_max": (lambda: _lb_max(1.0), {}, ("c_build_max",), H * 150),
    "one_option": (_two_options, {}, ("c_one_option_per_location",), H * 150),
    "build_min": (_min_mw, {"finance__discount_rate": 0.0}, ("c_build_min",),
                  2 * H * 50 + 50_000),
    "utilisation": (_floor, {"policy__utilisation_min": 0.2}, ("c_utilisation_floor",), H * 150),
    "power": (tiny_tables, {}, ("c_power_balance",), 2 * H * 50),
    "ppa_output": (lambda: _with_ppa(tiny_tables(), 100_000.0), {}, ("c_ppa_output",), 400_000),
    "green": (lambda: _with_ppa(tiny_tables(), 876_000.0, cf=1.0),
              {"policy__min_green_share": 0.8}, ("c_green_share",), H * 50 + 876_000),
    "certificate_cap": (tiny_tables, {"policy__min_green_share": 0.8, "policy__certificates":
                                      {"price_per_mwh": 1.0, "max_share": 0.1}},
                        ("c_certificate_cap",), None),  # cap 10 % < the 20 % gap: infeasible
    "carbon_cap": (lambda: _with_ppa(tiny_tables(), 876_000.0, cf=1.0),
                   {"policy__carbon_cap_t": H * 0.3}, ("c_carbon_cap",), H * 50 + 876_000),
    "resilience": (tiny_tables, {"policy__max_site_share": 0.5}, ("c_site_share",), H * 150),
    # N-1: standby MW at la (tests/test_resilience.py); without it all runs at lb: 1,076,000
    "n_minus_1": (capex_tables, {"policy__n_minus_1": {"share": 1.0}, "finance__discount_rate":
                                 0.0}, ("c_n_minus_1",), 4 * 100_000 + 2 * H * 50),
    # within reach: lm opens; without the rows (reach kept) a at la, b at lb: 1,514,000
    "n_minus_1_reach": (middle_tables, {"policy__n_minus_1": {"share": 1.0},
                                        "finance__discount_rate": 0.0},
                        ("c_n_minus_1",), 2_614_000),
    "share_caps": (lambda: _grids(capex_tables()), {"policy__max_share": {"grid_region": 0.6},
                                                    "finance__discount_rate": 0.0},
                   ("c_max_share",), 10 / 3 * 100_000 + 2 * H * 50),
    "single_source": (lambda: _lb_max(1.5), {"policy__single_sourcing": True},
                      ("c_single_source_link",), H * 150),
    "hourly_clean": (lambda: _day_night(wind=True),
                     {"policy__min_green_share": 0.8, "policy__green_accounting": "hourly",
                      "policy__hourly_clean_share": 0.8, **DAY_NIGHT},
                     ("c_hourly_clean",), 378_500),
    "storage_soc": (lambda: _day_night(storage=True),
                    {"policy__min_green_share": 0.9, "policy__green_accounting": "hourly",
                     "policy__hourly_clean_share": 0.9, "synergy__storage": True, **DAY_NIGHT},
                    ("c_storage_soc",), 357_250),
    "storage_energy": (lambda: _day_night(storage=True),
                       {"policy__min_green_share": 0.9, "synergy__storage": True, **DAY_NIGHT},
                       ("c_storage_energy",), 344_500),
    "curtailment": (lambda: _with_curtailment(tiny_tables()),
                    {"synergy__absorb_curtailment": True}, ("c_curtailment_available",),
                    700_800),
    "pin_site_share": (_two_days, {"synergy__move_between_sites": False},
                       ("c_pin_site_share",), 1_314_000),
    # a gpu cap of 2 units (1 MW) buys 1 MW of dearer npu; without it 2 MW of gpu
    "chip_supply": (chip_tables, FREE, ("c_chip_supply",), 2 * H * 50 + 250_000),
    # without tier shares all of a's demand is foregone at the commodity price (test_margin)
    "value_tier": (margin_tables, {"objective": "margin"}, ("c_value_tier",), 1_182_600),
    # 2.2 MW in systems of 0.4 MW: 6 systems; without the rows 2.2 MW (test_site_types)
    "whole_systems": (system_tables, {"finance__discount_rate": 0.0}, ("c_whole_systems",),
                      2.4 * 100_000 + 2.2 * H * 50),
    # the rows each family has beyond its first case above
    # the edge pays 3 whole modules of facility; without the rows no module is counted
    "whole_modules": (edge_tables, {"network__latency_ms": {"chat": 2.0}},
                      ("c_whole_modules",), H * 100 + 3 * 0.4 * 100_000),
    "demand_daily": (lambda: _shift_tables(1.5), {"finance__discount_rate": 0.0},
                     ("c_demand_daily",), 957_000),
    "site_green": (_site_green, {"policy__min_site_green_share": 0.6},
                   ("c_site_green_share",), H * (50 + 100 * 0.5) + 1_752_000 * 0.5),
    "single_source_choose": (lambda: _lb_max(1.5), {"policy__single_sourcing": True},
                             ("c_single_source_choose",), H * 150),
    "storage_power": (lambda: _day_night(storage=True),
                      {"policy__min_green_share": 0.9, "synergy__storage": True, **DAY_NIGHT},
                      ("c_storage_power",), 344_500),
    "water": (_wet, {"policy__water_cap_m3": {"b": 8760.0}}, ("c_water_cap",), H * 150),
    # a province's PPA cap shared by its two sites: 1 MW of PPA + 1 MW of grid at 50/MWh
    "ppa_region_cap": (lambda: _cheap_solar(_two_sites_in_b(tiny_tables()), max_mw=1.0), {},
                       ("c_ppa_region_cap",), 100_000 + H * 50),
    # grid connection by tier: 3 MW at lb pays the hull 125,000 (test_grid_tiers.py)
    "connection_tier": (_tiered, {}, ("c_connection_tier",), 3 * H * 50 + 125_000),
    # vintages: capacity is free without them (NPC 0); with them 100 (life 2, r 0)
    "vintage_capacity": (_one_region, {"years": [2026, 2027], "finance__discount_rate": 0.0},
                         ("c_vintage_capacity",), 100.0),
    # la (fixed 10/yr) opened in 2026 stays open in 2027: 50 + 10 + 10; without: 60
    "stay_open": (_opened_once, {"years": [2026, 2027], "finance__discount_rate": 0.0,
                                 "pathway": {"demand_growth": {2026: 1.0, 2027: 0.0}}},
                  ("c_stay_open",), 70.0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_removing_a_family_changes_the_optimum(tmp_path, name):
    tables, keys, off, expected = CASES[name]
    with_family = _objective(tmp_path / "with", tables(), (), **keys)
    if expected is not None:
        assert with_family == pytest.approx(expected)
    without = _objective(tmp_path / "without", tables(), off, **keys)
    if with_family is None or without is None:  # one side infeasible (None), not both
        assert (with_family is None) != (without is None)
    else:
        assert without != pytest.approx(with_family, rel=1e-6)
