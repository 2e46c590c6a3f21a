"""Representative days vs the full hourly model: objective error and time.

    python benchmarks/aggregation.py --days 4,8,12,24,48 --json out.json
    python benchmarks/aggregation.py --scenario my-hourly.yaml --methods hierarchical,kmeans

Solves the scenario's full hourly LP (the ``hourly`` size of generate.py by default: 365 days
x 24 h), then the same scenario with ``time.representative_days=N`` for each N and method,
and reports per run: slices, columns, prepare (including the clustering), build, load,
HiGHS solve and wall seconds, the objective and its error against the full model (%), and
the largest and mean profile RMSE of the clustering.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def solve(scenario: str, overrides: list[str]) -> dict:
    import siteplan

    sc = siteplan.load_scenario(scenario, overrides)
    t0 = time.perf_counter()
    res = siteplan.solve(sc)
    s = res.summary
    rmse = list((s.get("time_aggregation") or {}).get("profile_rmse", {}).values())
    t = s["times"]
    return {"overrides": overrides, "slices": s["size"]["slices"],
            "variables": s["size"]["variables"], "status": s["status"],
            "objective": s["objective"], "wall_s": time.perf_counter() - t0,
            **{k: t[k] for k in ("prepare_s", "build_s", "load_s", "solve_s")},
            "rmse_max": max(rmse) if rmse else 0.0,
            "rmse_mean": sum(rmse) / len(rmse) if rmse else 0.0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", help="scenario with hourly data (default: generate 'hourly')")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/siteplan-bench/hourly"))
    ap.add_argument("--days", default="4,8,12,24,48")
    ap.add_argument("--methods", default="hierarchical")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    if a.scenario is None:
        if not (a.workdir / "scenario.yaml").exists():
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--size", "hourly",
                            "--out", str(a.workdir)], check=True)
        a.scenario = str(a.workdir / "scenario.yaml")
    full = solve(a.scenario, [])
    rows = [{"method": "full", "days": 365, **full, "error_pct": 0.0}]
    for method in a.methods.split(","):
        for n in (int(x) for x in a.days.split(",")):
            r = solve(a.scenario, [f"time.representative_days={n}", f"time.clustering={method}"])
            err = 100.0 * (r["objective"] - full["objective"]) / abs(full["objective"])
            rows.append({"method": method, "days": n, **r, "error_pct": err})
    print(f"{'method':>12} {'days':>5} {'slices':>6} {'vars':>7} {'prepare':>8} {'build':>7} "
          f"{'load':>6} {'solve':>7} {'wall':>7} {'objective':>18} {'error %':>8} "
          f"{'rmse max':>8} {'mean':>6}")
    for r in rows:
        print(f"{r['method']:>12} {r['days']:>5} {r['slices']:>6} {r['variables']:>7} "
              f"{r['prepare_s']:8.2f} {r['build_s']:7.2f} {r['load_s']:6.2f} "
              f"{r['solve_s']:7.2f} {r['wall_s']:7.2f} {r['objective']:18.2f} "
              f"{r['error_pct']:+8.3f} {r['rmse_max']:8.4f} {r['rmse_mean']:6.4f}")
    if a.json:
        a.json.write_text(json.dumps({"scenario": a.scenario, "runs": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
