"""The same plan in any units (issue 21): money x k scales the objective by k and leaves the
plan alone; tokens x k (demand and throughput together, prices per token / k) leave the
objective and the plan alone (flows x k). On the OR-Library cap71 fixture (optimum
932,615.75 with 11 warehouses open) and on small generated facility-location instances.

Before the model was scaled from its data, cap71 in thousands came back as 1,248.14 with one
warehouse open, labelled optimal.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import siteplan
from builders import TOKENS_PER_S_PER_MW, write_scenario
from test_textbook_cfl import FIXTURE, PUBLISHED_OPTIMUM, cfl_tables

SETTINGS = settings(max_examples=6, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
MONEY = {"locations": ["fixed_cost_per_year"], "regions": ["price_per_mwh"],
         "hardware": ["capex_per_unit"], "network": ["cost_per_mtok"]}
TOKENS = {"demand": ["tokens_per_day"], "throughput": ["tokens_per_s"]}
PER_TOKEN = {"network": ["cost_per_mtok"]}


def _times(tables: dict, columns: dict, k: float) -> dict:
    out = copy.deepcopy(tables)
    for table, cols in columns.items():
        for row in out.get(table, []):
            for c in cols:
                if row.get(c) not in (None, ""):
                    row[c] = repr(float(row[c]) * k)
    return out


def _solve(tables: dict):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_scenario(Path(tmp), tables, solver__mip_rel_gap=0.0)
        return siteplan.solve(siteplan.load_scenario(path))


def _plan(res):
    sites = res.sites.set_index("site")
    alloc = res.allocation.groupby(["region", "site"])["tokens_per_day"].sum()
    return sorted(sites.index[sites["open"] > 0.5]), alloc


def _same_plan(a, b, token_k: float = 1.0) -> None:
    open_a, alloc_a = _plan(a)
    open_b, alloc_b = _plan(b)
    assert open_a == open_b
    both = alloc_a.index.union(alloc_b.index)
    x = alloc_a.reindex(both, fill_value=0.0) * token_k
    y = alloc_b.reindex(both, fill_value=0.0)
    np.testing.assert_allclose(y.to_numpy(), x.to_numpy(), rtol=1e-6,
                               atol=1e-6 * float(np.abs(x).max()))


@pytest.fixture(scope="module")
def cap71():
    tables = cfl_tables(FIXTURE)
    return tables, _solve(tables)


@pytest.mark.parametrize("k", [1e-3, 1e-6], ids=["thousands", "millions"])
def test_cap71_in_thousands_and_millions_is_the_published_optimum(cap71, k):
    res = _solve(_times(cap71[0], MONEY, k))
    assert res.summary["status"] == "optimal"
    assert res.summary["solver"]["check"]["ok"]
    assert res.objective == pytest.approx(PUBLISHED_OPTIMUM * k, rel=1e-9)
    assert int((res.sites["open"] > 0.5).sum()) == 11


@SETTINGS
@given(exp=st.floats(-6, 6))
def test_cap71_money_unit(cap71, exp):
    tables, base = cap71
    k = 10.0 ** exp
    res = _solve(_times(tables, MONEY, k))
    assert res.summary["status"] == "optimal"
    assert res.objective == pytest.approx(base.objective * k, rel=1e-8)
    _same_plan(base, res)


@SETTINGS
@given(exp=st.floats(-6, 6))
def test_cap71_token_unit(cap71, exp):
    tables, base = cap71
    k = 10.0 ** exp
    res = _solve(_times(_times(tables, TOKENS, k), PER_TOKEN, 1.0 / k))
    assert res.summary["status"] == "optimal"
    assert res.objective == pytest.approx(base.objective, rel=1e-8)
    _same_plan(base, res, token_k=k)


def _generated(seed: int) -> dict:
    """A random facility-location instance: 5 locations (fixed cost, capacity), 7 regions,
    network costs, electricity prices and hardware capital, so every cost term but the
    network's depends on the plan's size too."""
    rng = np.random.default_rng(seed)
    n_l, n_r = 5, 7
    dem = rng.uniform(0.5, 3.0, n_r)
    return {
        "regions": [{"region": f"r{i}", "name": f"R{i}", "lat": 0.0, "lon": 0.0, "zone": "east",
                     "price_per_mwh": float(rng.uniform(20, 90)), "green_share": 0.0,
                     "ef_tco2_per_mwh": 0.0} for i in range(n_r)],
        "locations": [{"location": f"l{j}", "name": f"L{j}", "region": f"r{j}", "lat": 0.0,
                       "lon": 0.0, "fixed_cost_per_year": float(rng.uniform(1e4, 2e5)),
                       "max_mw": float(rng.uniform(0.3, 0.7) * dem.sum())}
                      for j in range(n_l)],
        "cooling": [{"cooling": "air", "name": "air"}],
        "site_options": [{"site": f"l{j}", "location": f"l{j}", "cooling": "air",
                          "pue": float(rng.uniform(1.1, 1.4))} for j in range(n_l)],
        "hardware": [{"hardware": "gpu", "name": "gpu", "kw_per_unit": 1000.0,
                      "capex_per_unit": 2e4, "lifetime_years": 4.0, "idle_share": 0.1}],
        "workloads": [{"workload": "chat", "name": "chat"}],
        "throughput": [{"hardware": "gpu", "workload": "chat",
                        "tokens_per_s": TOKENS_PER_S_PER_MW}],
        "demand": [{"region": f"r{i}", "workload": "chat", "tokens_per_day": d * 24e6}
                   for i, d in enumerate(dem)],
        "slices": [{"slice": "year", "day": "year", "hour": 0, "weight_h": 8760.0}],
        "network": [{"region": f"r{i}", "location": f"l{j}", "latency_ms": 0.0,
                     "cost_per_mtok": float(rng.uniform(0.5, 20.0))}
                    for i in range(n_r) for j in range(n_l)],
    }


@SETTINGS
@given(seed=st.integers(0, 10_000), exp=st.floats(-6, 6), tokens=st.booleans())
def test_generated_instances_in_other_units(seed, exp, tokens):
    tables = _generated(seed)
    base = _solve(tables)
    k = 10.0 ** exp
    if tokens:
        res = _solve(_times(_times(tables, TOKENS, k), PER_TOKEN, 1.0 / k))
        want, token_k = base.objective, k
    else:
        res = _solve(_times(tables, MONEY, k))
        want, token_k = base.objective * k, 1.0
    assert base.summary["status"] == res.summary["status"] == "optimal"
    assert res.objective == pytest.approx(want, rel=1e-8)
    _same_plan(base, res, token_k)


@pytest.mark.parametrize("k", [1e-6, 1e6])
def test_emissions_objective_breaks_ties_by_cost_in_any_money_unit(k):
    """Minimising tCO2 where every plan emits the same (one emission factor, PUE 1, no idle
    draw): the cost tie-break alone picks the plan, so it must be the cost-optimal plan in
    any unit of money (a fixed weight per currency unit lost it below HiGHS's tolerances)."""
    tables = _generated(7)
    for row in tables["regions"]:
        row["ef_tco2_per_mwh"] = 0.5
    for row in tables["site_options"]:
        row["pue"] = 1.0
    tables["hardware"][0]["idle_share"] = 0.0

    def solve(t, objective):
        with tempfile.TemporaryDirectory() as tmp:
            path = write_scenario(Path(tmp), t, solver__mip_rel_gap=0.0, objective=objective)
            return siteplan.solve(siteplan.load_scenario(path))

    cheapest = solve(tables, "cost")
    res = solve(_times(tables, MONEY, k), "emissions")
    assert res.summary["status"] == "optimal"
    _same_plan(cheapest, res)
