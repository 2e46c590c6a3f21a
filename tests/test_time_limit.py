"""Time limits are honoured and reported honestly: status, gap, bound and exit code."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from click.testing import CliRunner

import siteplan
from builders import TOKENS_PER_S_PER_MW, write_scenario
from siteplan.cli import main
from siteplan.solve import TIME_LIMIT_TOLERANCE_S


def hard_cfl(n_fac: int = 40, n_cust: int = 160, seed: int = 7) -> dict:
    """A random capacitated facility location instance whose LP bound is weak (big fixed costs)."""
    rng = np.random.default_rng(seed)
    fac_xy, cust_xy = rng.uniform(0, 1, (n_fac, 2)), rng.uniform(0, 1, (n_cust, 2))
    demand = rng.uniform(5, 35, n_cust)
    cap = rng.uniform(0.05, 0.12, n_fac) * demand.sum()
    fixed = rng.uniform(5e4, 1.5e5, n_fac)
    dist = np.linalg.norm(cust_xy[:, None, :] - fac_xy[None, :, :], axis=2)
    return {
        "regions": [{"region": f"c{j}", "name": f"c{j}", "lat": 0.0, "lon": 0.0, "zone": "east",
                     "price_per_mwh": 0.0, "green_share": 0.0, "ef_tco2_per_mwh": 0.0}
                    for j in range(n_cust)],
        "locations": [{"location": f"f{i}", "name": f"f{i}", "region": "c0", "lat": 0.0,
                       "lon": 0.0, "fixed_cost_per_year": fixed[i], "max_mw": cap[i]}
                      for i in range(n_fac)],
        "cooling": [{"cooling": "none", "name": "none"}],
        "site_options": [{"site": f"f{i}", "location": f"f{i}", "cooling": "none", "pue": 1.0}
                         for i in range(n_fac)],
        "hardware": [{"hardware": "u", "name": "u", "kw_per_unit": 1000.0, "idle_share": 0.0}],
        "workloads": [{"workload": "w", "name": "w"}],
        "throughput": [{"hardware": "u", "workload": "w", "tokens_per_s": TOKENS_PER_S_PER_MW}],
        "demand": [{"region": f"c{j}", "workload": "w", "tokens_per_day": demand[j] * 24e6}
                   for j in range(n_cust)],
        "slices": [{"slice": "y", "day": "y", "hour": 0, "weight_h": 8760.0}],
        "network": [{"region": f"c{j}", "location": f"f{i}", "latency_ms": 0.0,
                     "cost_per_mtok": repr(float(dist[j, i]) * 10.0)}
                    for j in range(n_cust) for i in range(n_fac)],
    }


def test_tiny_time_limit_reports_time_limit_with_incumbent_gap_and_bound(tmp_path,
                                                                         monkeypatch):
    # With the strong links (family 13) relax-and-fix finds this family's optimum at once, so
    # the clock is made to run out on purpose: each relax-and-fix LP is 0.5 s slower, the
    # rounding gives an incumbent in ~1 s and the 3 s limit stops the drop moves. The answer
    # is then time_limit (never optimal, whatever its gap), with its gap and bound.
    import importlib

    module = importlib.import_module("siteplan.solve")  # siteplan.solve is the function
    original = module._run

    def slow(highs, deadline, is_mip, method, *args, **kw):
        if method == "relax-and-fix":
            time.sleep(0.5)
        return original(highs, deadline, is_mip, method, *args, **kw)

    monkeypatch.setattr(module, "_run", slow)
    monkeypatch.setattr(module, "_drop_savings", lambda *a: {})  # every drop is an LP
    path = write_scenario(tmp_path, hard_cfl(60, 200), solver__mip_rel_gap=0.0,
                          solver__time_limit_s=3.0)
    res = siteplan.solve(siteplan.load_scenario(path))
    s = res.summary
    assert s["status"] == "time_limit"
    assert s["mip_gap"] >= 0 and s["objective_bound"] <= s["objective"]
    assert s["times"]["solve_wall_s"] < 3.0 + TIME_LIMIT_TOLERANCE_S  # every stage, watchdog


def test_no_plan_within_the_time_limit_exits_4(tmp_path):
    path = write_scenario(tmp_path, hard_cfl(), solver__mip_rel_gap=0.0,
                          solver__time_limit_s=0.01, solver__strategy="branch-and-bound",
                          solver__strong_links=False)
    res = CliRunner().invoke(main, ["run", str(path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 4, res.output
    assert "no feasible plan" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("gap", [0.05])
def test_gap_stopped_mip_is_not_called_optimal(tmp_path, gap):
    # single-sourcing goes to branch and bound (with the strong links, relax-and-fix closes
    # the gap of the plain instance at once), which stops at the gap: 0.7 % here
    path = write_scenario(tmp_path, hard_cfl(), solver__mip_rel_gap=gap,
                          solver__time_limit_s=60.0, policy__single_sourcing=True)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert 0 < s["mip_gap"] <= gap
    assert s["status"] == "gap_limit"
