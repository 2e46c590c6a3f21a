"""Strong linking rows (family 13, ``c_strong_link``): root bound, final gap and time with
and without, on siteplan scenarios and on OR-Library capacitated warehouse instances.

    nice -n 5 .venv/bin/python benchmarks/linking.py --scenario scenarios/china-2026.yaml \\
        --orlib DIR/capa.txt:14000 --time-limit 600 --json benchmarks/results/linking.json

Each case is built once per variant and solved by siteplan's own path (``solve_model``: the
relax-and-fix stage, then HiGHS branch and bound if the gap is still wide); "without" builds
the same model and deactivates every ``c_strong_link`` before the solve. Both variants of a
case run back to back in this one process, so their times compare as a ratio on a shared
machine. "root bound" is the LP relaxation's bound (``SolveResult.bound_lp``).

OR-Library files (Beasley, "An algorithm for solving large capacitated warehouse location
problems", EJOR 33 (1988) 314-325; http://people.brunel.ac.uk/~mastjjb/jeb/orlib/capinfo.html)
are not shipped: pass the path of a copy. In capa/capb/capc the word ``capacity`` stands for
the capacity of every warehouse (Table 1 of the paper), given after the colon. The encoding
is that of tests/test_textbook_cfl.py: customers are regions, warehouses locations with one
option, one slice of 8760 h, 1 MW serves 1 Mtok/h, allocation cost c_ij becomes
c_ij / (8760 d_j) per Mtok.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pyomo.environ as pyo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # builders.write_scenario: the documented dataset files

import siteplan  # noqa: E402
from siteplan.model import linking  # noqa: E402
from siteplan.model.build import build_model, build_pathway_model  # noqa: E402
from siteplan.pipeline import prepare  # noqa: E402
from siteplan.solve import solve_model  # noqa: E402


def orlib_scenario(path: Path, capacity: float | None, folder: Path, time_limit: float,
                   gap: float) -> Path:
    from builders import write_scenario
    from test_textbook_cfl import cfl_tables  # one encoding of the OR-Library files

    tables = cfl_tables(path, capacity)
    return write_scenario(folder, tables, solver__mip_rel_gap=gap,
                          solver__time_limit_s=time_limit)


def _build(sc):
    if sc.years:
        from siteplan.inputs.pathway import derive_pathway

        return build_pathway_model(derive_pathway(sc))
    return build_model(prepare(sc))


def _links(m) -> list:
    return [c for c in m.component_objects(pyo.Constraint, descend_into=True)
            if c.local_name == "c_strong_link"]


def run_case(name: str, sc, variants=("with", "without")) -> dict:
    out: dict = {"case": name, "granularity": linking.GRANULARITY,
                 "time_limit_s": sc.solver.time_limit_s,
                 "mip_rel_gap": sc.solver.mip_rel_gap}
    for variant in variants:
        t0 = time.perf_counter()
        m = _build(sc)
        links = _links(m.model)
        n_links = sum(len(c) for c in links)
        if variant == "without":
            for c in links:
                c.deactivate()
        build_s = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        res = solve_model(m, sc.solver, want_duals=False)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        out[variant] = {
            "links": n_links, "status": res.status.value, "method": res.method,
            "objective": res.objective, "bound": res.bound, "gap": res.gap,
            "root_bound": res.bound_lp,
            "root_gap": (None if res.bound_lp is None or not res.objective else
                         (res.objective - res.bound_lp) / abs(res.objective)),
            "solve_s": round(res.solve_s, 2), "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "load_avg": os.getloadavg(),  # CPU: a shared machine's
            # load stretches wall time; HiGHS runs one thread here (solver.threads: 1)
            "build_s": round(build_s, 2), "nodes": res.nodes,
            "lazy_links": res.links or None,  # rows separated, rounds, bound without links
        }
        print(name, variant, json.dumps(out[variant]), flush=True)
    w, wo = out.get("with", {}), out.get("without", {})
    if w.get("wall_s") and wo.get("wall_s"):
        out["time_ratio_with_over_without"] = round(w["wall_s"] / wo["wall_s"], 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", action="append", default=[], help="scenario YAML")
    ap.add_argument("--orlib", action="append", default=[],
                    help="OR-Library cap file, FILE or FILE:CAPACITY")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="seconds per solve (default: the scenario's; 600 for OR-Library)")
    ap.add_argument("--gap", type=float, default=0.0, help="mip_rel_gap of OR-Library cases")
    ap.add_argument("--granularity", choices=["day", "slice"], default="day",
                    help="rows per day (default) or per slice for time-fixed classes")
    ap.add_argument("--only", choices=["with", "without"], default=None,
                    help="run one variant only")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    linking.GRANULARITY = args.granularity
    variants = (args.only,) if args.only else ("with", "without")
    rows = []
    for path in args.scenario:
        over = [f"solver.time_limit_s={args.time_limit}"] if args.time_limit else []
        rows.append(run_case(Path(path).stem, siteplan.load_scenario(path, over), variants))
    for spec in args.orlib:
        file, _, capacity = spec.partition(":")
        with tempfile.TemporaryDirectory() as tmp:
            path = orlib_scenario(Path(file), float(capacity) if capacity else None,
                                  Path(tmp), args.time_limit or 600.0, args.gap)
            name = Path(file).stem + (f"-{capacity}" if capacity else "")
            rows.append(run_case(name, siteplan.load_scenario(path), variants))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
