"""Benchmark one siteplan model three ways: siteplan (Pyomo), linopy, and raw highspy.

    python benchmarks/run.py --size small --json out.json [--only siteplan,linopy,highspy]
    python benchmarks/run.py --scenario path/to/scenario.yaml --json out.json

``--size`` generates the synthetic dataset (benchmarks/generate.py) under ``--workdir``
(default /tmp/siteplan-bench/SIZE) unless it is already there. Each variant runs in a fresh
subprocess so that its peak memory (``ru_maxrss``) is its own. All three share siteplan's
``prepare`` (load + derive: reported as ``prepare_s``, not part of ``total_s``), and all three
are solved by siteplan's own strategy (``siteplan.solve.solve_highs``: the LP, or
relax-and-fix then branch and bound, then the fixed-integer duals) with the scenario's HiGHS
options, so the totals compare like for like and only building, loading and extracting differ.

Per variant (seconds unless noted):
  build_s       siteplan: build_model; linopy: the linopy Model; highspy: numpy triplets
  load_s        handing the model to HiGHS (Pyomo's persistent-solver translation; linopy's
                to_highspy; scipy CSC + passModel)
  solve_s       HiGHS's own run time (Highs.getRunTime), all stages of the strategy
  dual_solve_s  the fixed-integer LP re-solve for marginal costs (MIP only)
  extract_s     reading the solution back (siteplan: results.extract, the full tables)
  total_s       build + load + solve + dual re-solve + extract (wall clock, prepare excluded)
  peak_mb       peak resident memory of the subprocess (includes interpreter, imports, data)
  objective     annual cost in currency (unscaled), the incumbent
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = ("siteplan", "linopy", "highspy", "pathway", "highs-default")
REL_TOL = 1e-6


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


OVERRIDES: list[str] = []  # --set KEY=VALUE, passed to every variant


def _prepare(scenario_path: str):
    import siteplan
    from siteplan.pipeline import prepare

    sc = siteplan.load_scenario(scenario_path, OVERRIDES)
    t0 = time.perf_counter()
    data = prepare(sc)
    return sc, data, time.perf_counter() - t0


def _built(scenario_path: str):
    """(scenario, built model, prepare seconds, build seconds): one year or a pathway."""
    import siteplan
    from siteplan.model.build import build_model, build_pathway_model

    sc = siteplan.load_scenario(scenario_path, OVERRIDES)
    t0 = time.perf_counter()
    if sc.years:
        from siteplan.inputs.pathway import derive_pathway

        data = derive_pathway(sc)
        t1 = time.perf_counter()
        built = build_pathway_model(data)
    else:
        from siteplan.pipeline import prepare

        data = prepare(sc)
        t1 = time.perf_counter()
        built = build_model(data)
    return sc, built, t1 - t0, time.perf_counter() - t1


def run_pathway(scenario_path: str, build_only: bool = False) -> dict:
    """siteplan's strategy on a pathway (or single year): solve_model, no table extraction."""
    from siteplan.solve import solve_model

    sc, built, prep, build_s = _built(scenario_path)
    t0 = time.perf_counter()
    res = solve_model(built, sc.solver)
    wall = time.perf_counter() - t0
    return {"prepare_s": prep, "build_s": build_s, "load_s": res.load_s,
            "solve_s": res.solve_s, "dual_solve_s": res.dual_solve_s, "solve_wall_s": wall,
            "extract_s": 0.0, "total_s": build_s + wall, "peak_mb": _peak_mb(),
            "objective": res.objective, "status": res.status.value,
            "highs_status": res.highs_status, "mip_gap": res.gap, "bound": res.bound,
            "method": res.method, "nodes": res.nodes, "n_cols": len(res.col_value),
            "n_rows": len(res.con_row), "scaling": res.scaling}


def run_highs_default(scenario_path: str, build_only: bool = False) -> dict:
    """The identical model (siteplan's build, one ``passModel``, input units) solved by
    HiGHS's own MIP/LP with default options: what a user of plain Pyomo or linopy gets.
    Only the scenario's time limit and mip_rel_gap are passed (the same targets)."""
    from siteplan.scaling import ranges
    from siteplan.solve import _pass_model
    from siteplan.standard_form import compile_form

    sc, built, prep, build_s = _built(scenario_path)
    t0 = time.perf_counter()
    form = compile_form(built.model)
    h = _pass_model(form)
    load_s = time.perf_counter() - t0
    h.setOptionValue("time_limit", float(sc.solver.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(sc.solver.mip_rel_gap))
    t1 = time.perf_counter()
    h.run()
    wall = time.perf_counter() - t1
    info = h.getInfo()
    is_mip = bool(form.integer.any())
    obj = info.objective_function_value if info.primal_solution_status == 2 else None
    bound = info.mip_dual_bound if is_mip else obj
    return {"prepare_s": prep, "build_s": build_s, "load_s": load_s,
            "solve_s": h.getRunTime(), "dual_solve_s": 0.0, "solve_wall_s": wall,
            "extract_s": 0.0, "total_s": build_s + load_s + wall, "peak_mb": _peak_mb(),
            "objective": obj, "status": h.modelStatusToString(h.getModelStatus()),
            "highs_status": h.modelStatusToString(h.getModelStatus()),
            "mip_gap": info.mip_gap if is_mip else 0.0,
            "bound": float(bound) if bound is not None and bound == bound else None,
            "method": "highs-default", "nodes": int(max(info.mip_node_count, 0)),
            "n_cols": len(form.cols), "n_rows": len(form.rows),
            "matrix_range": ranges(form)["matrix"], "options": {
                "time_limit": sc.solver.time_limit_s, "mip_rel_gap": sc.solver.mip_rel_gap}}


def _build_only(prep, base_mb, t0, t1, t2, n_cols, n_rows) -> dict:
    return {"prepare_s": prep, "build_s": t1 - t0, "load_s": t2 - t1, "solve_s": None,
            "dual_solve_s": None, "extract_s": None, "total_s": t2 - t0,
            "peak_mb": _peak_mb(), "baseline_mb": base_mb, "objective": None,
            "status": "build_only", "n_cols": n_cols, "n_rows": n_rows}


def run_siteplan(scenario_path: str, build_only: bool = False) -> dict:
    from siteplan.model import build_model
    from siteplan.results.extract import extract
    from siteplan.solve import solve_model

    sc, data, prep = _prepare(scenario_path)
    base_mb = _peak_mb()
    t0 = time.perf_counter()
    built = build_model(data)
    t1 = time.perf_counter()
    if build_only:  # what solve_model does before HiGHS runs: the hand-off to highspy
        from siteplan.solve import load_highs

        h = load_highs(built.model)[0]
        return _build_only(prep, base_mb, t0, t1, time.perf_counter(), h.getNumCol(),
                           h.getNumRow())
    res = solve_model(built, sc.solver)
    t2 = time.perf_counter()
    if not res.has_solution:
        raise RuntimeError(f"siteplan: no solution ({res.highs_status})")
    tables = extract(built.years[0], res)
    t3 = time.perf_counter()
    solve_wall = t2 - t1
    return {
        "prepare_s": prep, "build_s": t1 - t0,
        "load_s": max(solve_wall - res.solve_s - res.dual_solve_s, 0.0),
        "solve_s": res.solve_s, "dual_solve_s": res.dual_solve_s, "solve_wall_s": solve_wall,
        "extract_s": t3 - t2, "total_s": t3 - t0, "peak_mb": _peak_mb(),
        "baseline_mb": base_mb, "objective": res.objective,
        "objective_check": tables["summary"]["objective"], "status": res.status.value,
        "highs_status": res.highs_status, "mip_gap": res.gap, "bound": res.bound,
        "method": res.method, "nodes": res.nodes, "n_cols": len(res.col_value),
        "n_rows": len(res.con_row),
    }


def _solved(res, prep, base_mb, t0, t1, t2, t3, t4, n_cols, n_rows, objective_check) -> dict:
    """The JSON entry of a variant solved by ``siteplan.solve.solve_highs``."""
    return {
        "prepare_s": prep, "build_s": t1 - t0, "load_s": t2 - t1, "solve_s": res.solve_s,
        "dual_solve_s": res.dual_solve_s, "solve_wall_s": t3 - t2, "extract_s": t4 - t3,
        "total_s": t4 - t0, "peak_mb": _peak_mb(), "baseline_mb": base_mb,
        "objective": res.objective, "objective_check": objective_check,
        "status": res.status.value, "highs_status": res.highs_status, "mip_gap": res.gap,
        "bound": res.bound, "method": res.method, "nodes": res.nodes, "n_cols": n_cols,
        "n_rows": n_rows,
    }


def run_highspy(scenario_path: str, build_only: bool = False, order: str = "pyomo") -> dict:
    import numpy as np
    import sparse_model as smod

    sc, data, prep = _prepare(scenario_path)
    base_mb = _peak_mb()
    t0 = time.perf_counter()
    lp = smod.build(data)
    t1 = time.perf_counter()
    h, perm = smod.to_highs(lp, order=order)
    t2 = time.perf_counter()
    if build_only:
        return _build_only(prep, base_mb, t0, t1, t2, h.getNumCol(), h.getNumRow())
    col_of = np.full(lp.n_col, -1, np.int64)
    col_of[perm] = np.arange(len(perm))
    (o_open, n_open), (o_cap, n_cap) = lp.offsets["v_open"], lp.offsets["v_cap_mw"]
    res = smod.siteplan_solve(h, data, lp.layout, col_of[o_open:o_open + n_open],
                              col_of[o_cap:o_cap + n_cap], sc.solver)
    t3 = time.perf_counter()
    if not res.has_solution:
        raise RuntimeError(f"highspy: no solution ({res.highs_status})")
    x = np.zeros(lp.n_col)
    x[perm] = res.col_value
    out = smod.extract(lp, data, x, res.row_dual)
    t4 = time.perf_counter()
    return {**_solved(res, prep, base_mb, t0, t1, t2, t3, t4, len(perm), lp.n_row,
                      sum(out["cost_breakdown"].values())), "order": order}


def run_linopy(scenario_path: str, build_only: bool = False) -> dict:
    import linopy_model as lmod
    import sparse_model as smod

    lmod.warm_up()  # first-use imports (xarray/dask/polars) are not build time
    sc, data, prep = _prepare(scenario_path)
    base_mb = _peak_mb()
    t0 = time.perf_counter()
    b = lmod.build(data)
    t1 = time.perf_counter()
    h = b.m.to_highspy()  # linopy's own translation, as its direct solve does
    t2 = time.perf_counter()
    if build_only:
        return _build_only(prep, base_mb, t0, t1, t2, h.getNumCol(), h.getNumRow())
    res = smod.siteplan_solve(h, data, b.L, lmod.columns(b, b.v_open), lmod.columns(b, b.v_cap),
                              sc.solver)
    t3 = time.perf_counter()
    if not res.has_solution:
        raise RuntimeError(f"linopy: no solution ({res.highs_status})")
    lmod.assign(b, res.col_value)
    out = lmod.extract(b, res.row_dual)
    t4 = time.perf_counter()
    return _solved(res, prep, base_mb, t0, t1, t2, t3, t4, int(h.getNumCol()),
                   int(h.getNumRow()), sum(out["cost_breakdown"].values()))


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("highspy", "linopy", "pyomo", "numpy", "scipy", "xarray"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


RUNNERS = {"siteplan": run_siteplan, "linopy": run_linopy, "highspy": run_highspy,
           "pathway": run_pathway, "highs-default": run_highs_default}


def run_variant_subprocess(variant: str, scenario: Path, build_only: bool = False,
                           timeout: float | None = None) -> dict:
    """Run one variant in a fresh interpreter; returns its result dict (or an error)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", variant,
           "--scenario", str(scenario)] + (["--build-only"] if build_only else [])
    cmd += [a for kv in OVERRIDES for a in ("--set", kv)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else
                f"exit {proc.returncode}", "stderr": proc.stderr[-4000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def agreement(results: dict) -> dict:
    """Relative differences of each objective from the first variant's."""
    objs = {k: v["objective"] for k, v in results.items() if v.get("objective") is not None}
    if not objs:
        return {"ok": False, "max_rel_diff": None}
    ref = next(iter(objs.values()))
    rel = {k: abs(v - ref) / max(abs(ref), 1e-9) for k, v in objs.items()}
    worst = max(rel.values())
    return {"ok": worst <= REL_TOL, "max_rel_diff": worst, "rel_diff": rel, "tol": REL_TOL}


def ensure_dataset(size: str, workdir: Path, seed: int) -> Path:
    import generate

    path = workdir / "scenario.yaml"
    if not path.is_file():
        generate.generate(size, workdir, seed)
    return path


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(HERE))
    ap = argparse.ArgumentParser(description="siteplan vs linopy vs highspy build/solve timing")
    ap.add_argument("--size", help="small | national | prefecture (generated)")
    ap.add_argument("--scenario", type=Path, help="an existing scenario YAML instead of --size")
    ap.add_argument("--json", type=Path, help="write results here")
    ap.add_argument("--only", default=",".join(VARIANTS), help="comma list of variants")
    ap.add_argument("--workdir", type=Path, help="dataset folder for --size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-assert", action="store_true", help="report disagreement, exit 0")
    ap.add_argument("--build-only", action="store_true",
                    help="build and hand the model to HiGHS, but do not solve")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="scenario override for every variant (time.hours_per_slice=3)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    OVERRIDES[:] = args.set

    if args.child:
        out = RUNNERS[args.child](str(args.scenario), build_only=args.build_only)
        out["cpu_s"] = time.process_time()  # the child's CPU: what a loaded machine's wall hides
        out["load_avg"] = os.getloadavg()
        print(json.dumps(out))
        return 0
    if args.scenario is None:
        if not args.size:
            ap.error("give --size or --scenario")
        workdir = args.workdir or Path("/tmp/siteplan-bench") / args.size
        args.scenario = ensure_dataset(args.size, workdir, args.seed)
    variants = [v.strip() for v in args.only.split(",") if v.strip()]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        ap.error(f"unknown variants {sorted(unknown)}; expected {', '.join(VARIANTS)}")
    results: dict = {}
    for v in variants:
        print(f"[{v}] running ...", file=sys.stderr, flush=True)
        results[v] = run_variant_subprocess(v, args.scenario, build_only=args.build_only)
        r = results[v]
        if "error" in r:
            print(f"[{v}] FAILED: {r['error']}", file=sys.stderr)
        elif args.build_only:
            print(f"[{v}] build {r['build_s']:.2f}s load {r['load_s']:.2f}s "
                  f"peak {r['peak_mb']:.0f} MB ({r['n_cols']} cols, {r['n_rows']} rows)",
                  file=sys.stderr)
        else:
            print(f"[{v}] build {r['build_s']:.2f}s load {r['load_s']:.2f}s solve "
                  f"{r['solve_s']:.2f}s extract {r['extract_s']:.2f}s total {r['total_s']:.2f}s"
                  f" peak {r['peak_mb']:.0f} MB cpu {r.get('cpu_s', 0):.1f}s objective "
                  f"{r['objective']} ({r['status']})",
                  file=sys.stderr)
    agree = agreement(results) if not args.build_only else {"ok": True, "max_rel_diff": None}
    meta = {"scenario": str(args.scenario), "size": args.size, "cpus": os.cpu_count(),
            "python": sys.version.split()[0], "versions": _versions(),
            "objectives_agree": agree["ok"], "agree_tol": REL_TOL, "overrides": args.set,
            "load_avg": os.getloadavg()}
    ours = next((results[v] for v in ("siteplan", "pathway") if v in results), None)
    plain = results.get("highs-default")
    if ours and plain and ours.get("total_s") and plain.get("total_s"):
        # a HiGHS default run stopped by the clock: its time is a floor, the ratio too
        meta["highs_default_over_siteplan"] = round(plain["total_s"] / ours["total_s"], 2)
        meta["highs_default_finished"] = plain.get("status") == "Optimal"
    report = {}  # top-level keys: exactly the variants run
    for v, r in results.items():
        report[v] = {**r, "objective_rel_diff": agree.get("rel_diff", {}).get(v), "meta": meta}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk not in ("stderr", "meta")}
                      for k, v in report.items()}, indent=2, default=str))
    ok = agree["ok"] and all("error" not in r for r in results.values())
    if len(results) > 1:
        print(f"objectives agree to {REL_TOL:g}: {agree['ok']} (max rel diff "
              f"{agree['max_rel_diff']})", file=sys.stderr)
    return 0 if ok or args.no_assert else 1


if __name__ == "__main__":
    sys.exit(main())
