"""A sweep solved fresh at every point vs on one re-used HiGHS model (siteplan.pipeline.Reuse).

    python benchmarks/sweep.py --size small --grid prices.scale=1:1.45:10 --json out.json
    python benchmarks/sweep.py --scenario scenarios/china-2026.yaml \
        --grid prices.zone_scale.west=1:1.3:10 --repeat 1

Each mode (``fresh``: ``siteplan.solve`` per point, as ``siteplan sweep --fresh-model``;
``reused``: one ``Reuse`` for all points, as ``siteplan sweep``) runs in its own subprocess,
``--repeat`` times; per point it reports prepare, build, load (compile + hand-off, or compile +
update), HiGHS solve, extract and wall seconds, the objective and whether the model was
re-used. The speed-up is the median fresh sweep wall time over the median re-used one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

STAGES = ("prepare_s", "build_s", "load_s", "solve_s", "dual_solve_s", "extract_s")


def _points(grid: str) -> tuple[str, list[str]]:
    from siteplan.study.sweep import parse_grid

    ((key, values),) = parse_grid([grid])
    return key, values


def run_mode(scenario: str, grid: str, mode: str) -> list[dict]:
    """Solve every point in this process; one record per point."""
    import siteplan
    from siteplan.pipeline import Reuse

    key, values = _points(grid)
    reuse = Reuse() if mode == "reused" else None
    out = []
    for v in values:
        sc = siteplan.load_scenario(scenario, [f"{key}={v}"])
        t0 = time.perf_counter()
        res = siteplan.solve(sc, reuse=reuse)
        wall = time.perf_counter() - t0
        s = res.summary
        out.append({"value": v, "wall_s": wall, **{k: s["times"].get(k, 0.0) for k in STAGES},
                    "objective": s["objective"], "status": s["status"], "gap": s["mip_gap"],
                    "reused": s["highs_model_reused"]})
    return out


def _subprocess(scenario: str, grid: str, mode: str) -> list[dict]:
    cmd = [sys.executable, __file__, "--scenario", scenario, "--grid", grid, "--_mode", mode]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(mode: str, rows: list[dict]) -> str:
    head = f"{'value':>8} {'wall':>7} " + " ".join(f"{k[:-2]:>8}" for k in STAGES) + \
        f" {'objective':>20} {'status':>9} reused"
    lines = [f"[{mode}]", head]
    for r in rows:
        lines.append(f"{r['value']:>8} {r['wall_s']:7.3f} "
                     + " ".join(f"{r[k]:8.3f}" for k in STAGES)
                     + f" {r['objective']:20.2f} {r['status']:>9} {r['reused']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", help="scenario YAML (else --size)")
    ap.add_argument("--size", help="a benchmarks/generate.py size, generated under --workdir")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--grid", required=True, help="KEY=V1,V2,... or KEY=START:STOP:N")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--_mode", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.size:
        work = a.workdir or Path("/tmp/siteplan-bench") / a.size
        if not (work / "scenario.yaml").exists():
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--size", a.size,
                            "--out", str(work)], check=True)
        a.scenario = str(work / "scenario.yaml")
    if a._mode:
        print(json.dumps(run_mode(a.scenario, a.grid, a._mode)))
        return 0
    runs = {m: [_subprocess(a.scenario, a.grid, m) for _ in range(a.repeat)]
            for m in ("fresh", "reused")}
    total = {m: [sum(r["wall_s"] for r in rep) for rep in reps] for m, reps in runs.items()}
    med = {m: statistics.median(v) for m, v in total.items()}
    # the repetition whose total is the median, shown point by point
    shown = {m: reps[total[m].index(sorted(total[m])[len(total[m]) // 2])]
             for m, reps in runs.items()}
    diff = max(abs(f["objective"] - r["objective"]) / abs(f["objective"])
               for f, r in zip(shown["fresh"], shown["reused"], strict=True))
    for m in runs:
        print(_table(m, shown[m]))
        print(f"sweep wall s: {', '.join(f'{x:.2f}' for x in total[m])} (median {med[m]:.2f})\n")
    print(f"speed-up (median fresh / median re-used): {med['fresh'] / med['reused']:.2f}x; "
          f"largest objective difference {diff:.2e} relative")
    if a.json:
        a.json.write_text(json.dumps({"scenario": a.scenario, "grid": a.grid, "runs": runs,
                                      "median_wall_s": med,
                                      "speedup": med["fresh"] / med["reused"],
                                      "max_objective_rel_diff": diff}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
