"""Property tests on random small instances (hypothesis).

Invariants: served + unserved = demand per region; capacity, utilisation ceiling and site
limits hold; the cost breakdown sums to the objective and to the regions' delivered costs;
widening a latency limit never raises the optimal cost; hourly clean matching at a share G
never costs less than the annual share G (with PPAs, storage and curtailment on offer).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import siteplan
from builders import TOKENS_PER_S_PER_MW, write_scenario
from siteplan.errors import InfeasibleError


@st.composite
def instances(draw):
    n_r = draw(st.integers(1, 3))
    n_l = draw(st.integers(1, 3))
    n_t = draw(st.integers(1, 3))
    shiftable = draw(st.booleans())
    f = st.floats
    regions = [{"region": f"r{i}", "name": f"R{i}", "lat": draw(f(0, 20)), "lon": draw(f(0, 20)),
                "zone": draw(st.sampled_from(["east", "west"])),
                "price_per_mwh": draw(f(10, 100)), "green_share": draw(f(0, 1)),
                "ef_tco2_per_mwh": draw(f(0, 1))} for i in range(n_r)]
    locations = [{"location": f"l{j}", "name": f"L{j}", "region": f"r{j % n_r}",
                  "lat": draw(f(0, 20)), "lon": draw(f(0, 20)),
                  "fixed_cost_per_year": draw(f(0, 1e5)), "max_mw": draw(f(0.5, 5))}
                 for j in range(n_l)]
    options = []
    for j in range(n_l):
        for c in range(draw(st.integers(1, 2))):
            options.append({"site": f"l{j}-c{c}", "location": f"l{j}", "cooling": "air",
                            "pue": draw(f(1.0, 1.6))})
    slices = [{"slice": f"t{t}", "day": "d", "hour": t, "weight_h": 8760.0 / n_t}
              for t in range(n_t)]
    tables = {
        "regions": regions,
        "locations": locations,
        "cooling": [{"cooling": "air", "name": "Air", "facility_cost_per_mw_year": 1000.0}],
        "site_options": options,
        "hardware": [{"hardware": "gpu", "name": "GPU", "kw_per_unit": 1000.0,
                      "capex_per_unit": draw(f(0, 1e5)), "lifetime_years": 1.0,
                      "idle_share": draw(f(0, 0.5))}],
        "workloads": [{"workload": "w", "name": "W", "latency_ms": draw(f(5, 60)),
                       "shiftable": str(shiftable).lower(), "peak_factor": 2.0}],
        "throughput": [{"hardware": "gpu", "workload": "w",
                        "tokens_per_s": TOKENS_PER_S_PER_MW}],
        # 0, or 0.1-3 Mtok/h: rates far below HiGHS's 1e-7 feasibility tolerance are noise
        "demand": [{"region": f"r{i}", "workload": "w",
                    "tokens_per_day": draw(st.one_of(st.just(0.0), f(0.1, 3))) * 24e6}
                   for i in range(n_r)],
        "slices": slices,
        "demand_profile": [{"workload": "w", "slice": f"t{t}", "factor": draw(f(0.2, 2))}
                           for t in range(n_t)],
        "tou": [{"region": f"r{i}", "hour": t, "multiplier": draw(f(0.3, 1.8))}
                for i in range(n_r) for t in range(n_t)],
    }
    return tables


KEYS = {"policy__unserved_cost_per_mtok": 500.0, "policy__utilisation_max": 0.8,
        "finance__discount_rate": 0.0, "solver__mip_rel_gap": 0.0}


def _solve(tables, **extra):
    folder = Path(tempfile.mkdtemp(prefix="siteplan-prop-"))
    path = write_scenario(folder, tables, **{**KEYS, **extra})
    return siteplan.solve(siteplan.load_scenario(path))


SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(instances())
def test_invariants(tables):
    res = _solve(tables)
    s, reg, sites = res.summary, res.regions, res.sites
    # demand is served or reported unserved, region by region
    assert np.allclose(reg["served_tokens_per_day"] + reg["unserved_tokens_per_day"],
                       reg["demand_tokens_per_day"], rtol=1e-6, atol=1e-3)
    # capacity respected: utilisation ceiling, location max_mw, one option per location
    assert (sites["utilisation_realised"] <= 0.8 + 1e-7).all()
    max_mw = {row["location"]: row["max_mw"] for row in tables["locations"]}
    for loc, grp in sites.groupby("location"):
        assert grp["mw_it_total"].sum() <= max_mw[loc] + 1e-6
        assert grp["open"].sum() <= 1
    assert (sites.loc[sites["open"] == 0, "mw_it_total"] <= 1e-9).all()
    # cost components sum to the objective, and to what the solver optimised
    assert sum(s["cost_breakdown"].values()) == pytest.approx(s["objective"], rel=1e-9)
    assert s["highs_objective"] == pytest.approx(s["objective"], rel=1e-6, abs=1e-6)
    # delivered costs add up: regions' avg x served + idle sites + unserved = total
    mtok_per_day_to_year = 365.0 / 1e6
    delivered = float(np.nansum(reg["avg_cost_per_mtok"] * reg["served_tokens_per_day"]))
    delivered *= mtok_per_day_to_year
    total = delivered + s["unallocated_site_cost"] + s["cost_breakdown"]["unserved"]
    assert total == pytest.approx(s["objective"], rel=1e-6, abs=1e-3)


@SETTINGS
@given(instances(), st.floats(1.0, 3.0))
def test_widening_latency_never_raises_cost(tables, factor):
    tight = _solve(tables)
    wide_tables = {k: [dict(r) for r in v] for k, v in tables.items()}
    wide_tables["workloads"][0]["latency_ms"] *= factor
    wide = _solve(wide_tables)
    assert wide.objective <= tight.objective * (1 + 1e-9) + 1e-6


@st.composite
def clean_supply(draw, tables):
    """PPA (solar and wind capacity factors per slice), a battery and curtailed surplus."""
    f = st.floats
    regions = [r["region"] for r in tables["regions"]]
    slices = [s["slice"] for s in tables["slices"]]
    ren, ppa = [], []
    for r in regions:
        for tech in ("solar", "wind"):
            ren += [{"region": r, "tech": tech, "slice": s, "cf": draw(f(0, 1))} for s in slices]
            ppa.append({"region": r, "tech": tech, "cost_per_mw_year": draw(f(1e5, 8e5))})
    storage = [{"storage": "bat", "name": "Battery", "energy_capex_per_mwh": draw(f(1e3, 1e5)),
                "power_capex_per_mw": draw(f(0, 1e5)), "lifetime_years": 1.0,
                "round_trip_efficiency": draw(f(0.5, 1.0))}]
    curt = [{"region": r, "slice": s, "surplus_mw": draw(f(0, 2)), "price_per_mwh": draw(f(0, 80))}
            for r in regions for s in slices]
    return {**tables, "renewables": ren, "ppa": ppa, "storage": storage, "curtailment": curt}


@SETTINGS
@given(instances().flatmap(clean_supply), st.floats(0.05, 1.0))
def test_hourly_matching_never_costs_less_than_the_annual_share(tables, share):
    keys = {"policy__min_green_share": share, "synergy__storage": True,
            "synergy__absorb_curtailment": True}
    hourly_keys = {**keys, "policy__green_accounting": "hourly",
                   "policy__hourly_clean_share": share}
    try:
        annual = _solve(tables, **keys)
    except InfeasibleError:  # the annual share is out of reach: so is the hourly one
        with pytest.raises(InfeasibleError):
            _solve(tables, **hourly_keys)
        return
    hourly = _solve(tables, **hourly_keys)
    assert hourly.objective >= annual.objective * (1 - 1e-7) - 1e-6
    assert hourly.summary["clean_score_min_slice"] >= share - 1e-6 or \
        hourly.summary["served_tokens_per_day"] == 0
