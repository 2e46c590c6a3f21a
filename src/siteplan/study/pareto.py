"""The cost-green (or cost-emissions) frontier by the epsilon-constraint method.

Cost against green share (``between=("cost", "green_share")``):

1. The cost-optimal plan of the scenario gives the low end: its green share g0.
2. The high end is the largest reachable green-share floor: a solve with
   ``policy.min_green_share=1``; if that is infeasible, the floor is bisected between g0 and
   1 (``bisect_steps`` solves; each feasible solve moves the low bound up to the green share
   it reached). ``upto`` skips the search and steps up to that floor instead; points past
   what is reachable are then recorded as infeasible.
3. ``points`` floors evenly spaced from g0 to the high end (6 decimals) are solved at least
   cost; the first point is the cost-optimal plan itself.

Cost against emissions (``between=("cost", "emissions")``): the anchors are the cost-optimal
plan (emissions E0) and the emissions-optimal plan (``objective=emissions``: least tCO2, E1);
the points cap emissions (``policy.carbon_cap_t``) from E0 down to E1 and minimise cost.

Every solve is a run of :mod:`siteplan.study.sweep` in ``DIR/runs/<run-id>``, so a frontier
resumes like a sweep and its points can be solved by a process pool or a Dask cluster.
Writes ``DIR/pareto.csv`` (point, epsilon, cost, green_share, tco2, avg_cost_per_mtok,
status, ...) and ``DIR/pareto.json`` (method, anchors, the search's solves).

Cost is the objective (the sum of the cost components). With a MIP gap the frontier is
monotone only up to that gap; :attr:`ParetoResult.violations` lists any step that is not.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from siteplan.errors import SiteplanError
from siteplan.safe_output import default_outdir
from siteplan.study.runs import ERROR_FILE, StudyError
from siteplan.study.sweep import RunSpec, check_sweep_dir, fmt_number, run_batch

OK_STATUS = ("optimal", "gap_limit", "time_limit")
GREEN_KEY = "policy.min_green_share"
CAP_KEY = "policy.carbon_cap_t"
COLUMNS = ("point", "epsilon", "cost", "green_share", "tco2", "avg_cost_per_mtok", "status",
           "mip_gap", "run_id", "error")


@dataclass
class ParetoResult:
    table: pd.DataFrame  # pareto.csv
    outdir: Path
    between: tuple[str, str]
    anchors: dict = field(default_factory=dict)
    search: list = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def _floor6(x: float) -> float:
    return math.floor(x * 1e6 + 1e-9) / 1e6


class _Runner:
    """Solves single runs (cached in DIR/runs) for the anchors and the search."""

    def __init__(self, scenario_file, outdir, base, scheduler, progress):
        self.scenario_file, self.outdir, self.base = scenario_file, outdir, list(base)
        self.scheduler, self.progress = scheduler, progress

    def spec(self, extra: dict[str, str]) -> RunSpec:
        return RunSpec.make(self.base, list(extra.items()))

    def row(self, extra: dict[str, str], desc: str) -> dict:
        spec = self.spec(extra)
        res = run_batch(self.scenario_file, [spec], self.outdir, workers=1,
                        scheduler=self.scheduler, progress=self.progress, desc=desc,
                        table_name=None)
        return res.table.iloc[0].to_dict()


def _raise_failed(row: dict, outdir: Path, what: str) -> None:
    err = SiteplanError(f"{what} failed ({row.get('status')}): {row.get('error')}")
    try:
        rec = json.loads((outdir / "runs" / row["run_id"] / ERROR_FILE).read_text())
        err.exit_code = int(rec.get("exit_code") or 1)
    except (OSError, ValueError, TypeError):
        err.exit_code = 1
    raise err


def pareto(scenario_file: str | Path, between=("cost", "green_share"), points: int = 5,
           overrides=(), outdir: str | Path | None = None, workers: int = 1, scheduler=None,
           progress: bool = True, bisect_steps: int = 6, upto: float | None = None,
           reuse_model: bool = True) -> ParetoResult:
    """The frontier (module docstring); ``reuse_model``: the frontier's points solved one after
    the other share one HiGHS model (see :func:`siteplan.study.sweep.run_batch`)."""
    import siteplan

    between = tuple(between)
    if between not in (("cost", "green_share"), ("cost", "emissions")):
        raise StudyError(f"--between {' '.join(between)}: expected 'cost green_share' or "
                         "'cost emissions'")
    if points < 2:
        raise StudyError("--points must be at least 2 (the two ends of the frontier)")
    if upto is not None and between[1] != "green_share":
        raise StudyError("--to applies to the green-share frontier only")
    if upto is not None and not 0 <= upto <= 1:
        raise StudyError(f"--to {upto}: a green-share floor is between 0 and 1")
    scenario_file = Path(scenario_file)
    base = list(overrides)
    sc = siteplan.load_scenario(scenario_file, base)
    if sc.objective != "cost":
        base.append("objective=cost")
    outdir = Path(outdir) if outdir is not None else \
        default_outdir(f"{sc.name}-{between[1]}", "pareto-")
    check_sweep_dir(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    runner = _Runner(scenario_file, outdir, base, scheduler, progress)
    search: list[dict] = []

    cost_opt = runner.row({}, "cost-optimal anchor")
    if cost_opt["status"] not in OK_STATUS:
        _raise_failed(cost_opt, outdir, "the cost-optimal plan")
    anchors = {"cost_optimal": _brief(cost_opt)}

    if between[1] == "green_share":
        key = GREEN_KEY
        lo = _floor6(float(cost_opt["green_share"]))
        if upto is not None:
            hi = float(upto)
        else:
            top = runner.row({key: "1"}, "max green: floor 1")
            search.append({"floor": 1.0, **_brief(top)})
            if top["status"] in OK_STATUS:
                hi = 1.0
            else:
                hi_bad = 1.0
                for _ in range(bisect_steps):
                    mid = round((lo + hi_bad) / 2, 6)
                    if not lo < mid < hi_bad:
                        break
                    row = runner.row({key: fmt_number(mid)}, f"max green: floor {mid:.6f}")
                    search.append({"floor": mid, **_brief(row)})
                    if row["status"] in OK_STATUS:
                        lo_new = max(mid, _floor6(float(row["green_share"])))
                        lo = min(lo_new, hi_bad)
                    else:
                        hi_bad = mid
                hi = lo
                lo = _floor6(float(cost_opt["green_share"]))
            anchors["max_green_floor"] = hi
        eps = [round(lo + (hi - lo) * i / (points - 1), 6) for i in range(points)]
        eps[0], eps[-1] = lo, round(hi, 6)
        extra = [{} if i == 0 else {key: fmt_number(e)} for i, e in enumerate(eps)]
    else:
        key = CAP_KEY
        e0 = float(cost_opt["tco2"])
        green = runner.row({"objective": "emissions"}, "emissions-optimal anchor")
        if green["status"] not in OK_STATUS:
            _raise_failed(green, outdir, "the emissions-optimal plan")
        anchors["emissions_optimal"] = _brief(green)
        e1 = float(green["tco2"])

        def cap(v: float) -> float:  # a hair above, so the anchor's own plan stays feasible
            return math.ceil(v * (1 + 1e-7) * 1000) / 1000

        eps = [e0 + (e1 - e0) * i / (points - 1) for i in range(points)]
        eps = [e0] + [cap(e) for e in eps[1:]]
        extra = [{} if i == 0 else {key: fmt_number(e, 15)} for i, e in enumerate(eps)]

    specs = [runner.spec(x) for x in extra]
    res = run_batch(scenario_file, list(dict.fromkeys(specs)), outdir, workers=workers,
                    scheduler=scheduler, progress=progress, desc="frontier", table_name=None,
                    reuse_model=reuse_model)
    by_id = {r["run_id"]: r for r in res.table.to_dict("records")}
    rows = []
    for i, (e, spec) in enumerate(zip(eps, specs, strict=True)):
        r = by_id[spec.run_id]
        ok = r["status"] in OK_STATUS
        rows.append({
            "point": i,
            "epsilon": e,
            "cost": r["objective"] if ok else None,
            "green_share": r["green_share"] if ok else None,
            "tco2": r["tco2"] if ok else None,
            "avg_cost_per_mtok": r["avg_cost_per_mtok"] if ok else None,
            "status": r["status"],
            "mip_gap": r["mip_gap"] if ok else None,
            "run_id": spec.run_id,
            "error": r["error"] or "",
        })
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    result = ParetoResult(table=table, outdir=outdir, between=between, anchors=anchors,
                          search=search, violations=_violations(table))
    tmp = outdir / f".pareto.csv.{os.getpid()}"
    table.to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g")
    os.replace(tmp, outdir / "pareto.csv")
    meta = {"scenario_file": str(scenario_file.resolve()), "overrides": list(overrides),
            "between": list(between), "epsilon_key": key, "points": points,
            "anchors": anchors, "search": search, "violations": result.violations}
    tmp = outdir / f".pareto.json.{os.getpid()}"
    tmp.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, outdir / "pareto.json")
    return result


def _brief(row: dict) -> dict:
    return {k: row.get(k) for k in ("run_id", "status", "objective", "green_share", "tco2",
                                    "avg_cost_per_mtok", "mip_gap", "error")}


def _violations(table: pd.DataFrame) -> list[str]:
    """Steps where cost falls while the requirement tightens, beyond the runs' MIP gaps."""
    ok = table[table["status"].isin(OK_STATUS)]
    out = []
    prev = None
    for r in ok.itertuples():
        if prev is not None:
            gap = max(float(prev.mip_gap or 0), float(r.mip_gap or 0))
            if r.cost < prev.cost * (1 - gap) - 1e-6 * max(1.0, abs(prev.cost)):
                out.append(f"point {r.point} costs {r.cost:.6g} < point {prev.point} "
                           f"{prev.cost:.6g} (beyond the MIP gap {gap:.2g})")
        prev = r
    return out
