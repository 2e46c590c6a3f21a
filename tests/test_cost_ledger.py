"""The cost ledger: per-site and per-class costs come from the objective's own terms.

On every family's hand-solved single-year instance (test_family_removal.CASES: one or more
per family; a pathway's years below),
the options' costs in sites.csv plus the costs that belong to no option (network, unserved)
add up to the objective, term by term; the per-class costs add up to network + unserved.
"""

from __future__ import annotations

import pytest

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.model.costs import COST_TERMS
from test_family_removal import CASES

NO_SITE = ("network", "unserved")
H = 8760.0


def _check(res) -> None:
    s, sites = res.summary, res.sites
    breakdown = s["cost_breakdown"]
    for term in COST_TERMS:
        if term in NO_SITE:
            continue
        assert sites[f"cost_{term}"].sum() == pytest.approx(breakdown[term], rel=1e-9,
                                                            abs=1e-6), term
    total = sites["cost_total"].sum() + sum(breakdown[t] for t in NO_SITE)
    assert total == pytest.approx(s["objective"], rel=1e-9)
    by_class = s["cost_by_workload"]
    for term in NO_SITE:
        assert sum(by_class.get(term, {}).values()) == pytest.approx(breakdown[term], abs=1e-6)


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n][3] is not None
                                         and "years" not in CASES[n][1]))
def test_site_costs_add_up_to_the_objective(tmp_path, name):
    tables, keys, _off, expected = CASES[name]
    res = siteplan.solve(siteplan.load_scenario(write_scenario(tmp_path, tables(), **keys)))
    assert res.summary["objective"] == pytest.approx(expected)
    _check(res)


def test_network_and_unserved_belong_to_their_class(tmp_path):
    """chat (region a) is served at lb for 50 + network 5 < unserved 60 per Mtok; batch
    (region b) needs 2 MW per Mtok/h (100 per Mtok at lb) and goes unserved."""
    t = tiny_tables()
    t["workloads"].append({"workload": "batch", "name": "Batch", "shiftable": "false"})
    t["throughput"].append({**t["throughput"][0], "workload": "batch",
                            "tokens_per_s": t["throughput"][0]["tokens_per_s"] / 2})
    t["demand"] = [{"region": "a", "workload": "chat", "tokens_per_day": 24e6},
                   {"region": "b", "workload": "batch", "tokens_per_day": 24e6}]
    t["network"] = [{"region": "a", "location": "lb", "cost_per_mtok": 5.0}]
    res = siteplan.solve(siteplan.load_scenario(write_scenario(
        tmp_path, t, policy__unserved_cost_per_mtok=60.0)))
    assert res.summary["objective"] == pytest.approx(H * (50 + 5 + 60))
    by_class = res.summary["cost_by_workload"]
    assert by_class["network"] == pytest.approx({"chat": H * 5, "batch": 0.0})
    assert by_class["unserved"] == pytest.approx({"chat": 0.0, "batch": H * 60})
    _check(res)


def test_a_pathways_site_costs_add_up_each_year(tmp_path):
    t = tiny_tables()
    t["hardware"][0].update(capex_per_unit=1000.0, lifetime_years=3.0)
    t["locations"][0]["fixed_cost_per_year"] = 100.0
    t["cooling"][0]["facility_cost_per_mw_year"] = 20.0
    path = write_scenario(tmp_path, t, years=[2026, 2027], finance__discount_rate=0.05,
                          pathway={"demand_growth": {2026: 1.0, 2027: 2.0}})
    res = siteplan.solve(siteplan.load_scenario(path))
    npc = 0.0
    for entry in res.summary["years"]:
        sites = res.sites[res.sites["year"] == entry["year"]]
        annual = sites["cost_total"].sum() + sum(entry["cost_breakdown"][t] for t in NO_SITE)
        assert annual == pytest.approx(entry["objective"], rel=1e-9)
        assert sites["cost_hardware"].sum() > 0
        npc += entry["discounted_years"] * annual
    assert npc == pytest.approx(res.summary["objective"], rel=1e-9)
