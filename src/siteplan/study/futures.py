"""A plan that holds across futures: the stochastic plan, each future's own plan, regret.

A scenario with ``futures:`` (name, probability, demand / prices / policy changes) is solved
three ways, all on the one model of :mod:`siteplan.model` (no second formulation):

1. the stochastic plan: one block per future, the build (open[s], MW-IT by hardware) shared,
   operation per future, minimising expected cost (optionally with CVaR;
   :mod:`siteplan.model.futures`);
2. each future's deterministic plan: that future's single-year model alone (perfect foresight);
3. every deterministic plan evaluated in every future: the future's model with the build
   fixed to the plan (an LP: only the operation is chosen). A plan that cannot serve a
   future (no unserved-demand price and too little capacity) is ``infeasible`` there.

Regret of plan P in future f = cost(P, f) - cost(f's own plan, f) (>= 0). The value of the
stochastic solution against plan P is E[cost(P)] - E[cost(stochastic)]; the expected value
of perfect information is E[cost(stochastic)] - E[cost(f's own plan, f)].

Files in DIR: ``stochastic/<future>/`` and ``deterministic/<future>/`` (result folders: the
stochastic plan's operation in each future; each future's own plan), ``build.csv`` (the
common build), ``regret.csv`` (one row per plan: cost in each future, expected, worst, CVaR,
max regret, against the stochastic plan), ``futures.json`` and ``futures.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siteplan.errors import InfeasibleError
from siteplan.study import folder
from siteplan.study.runs import StudyError

OWN = ("stochastic", "deterministic", "build.csv", "regret.csv", "futures.json",
       "futures.html")
STOCHASTIC = "stochastic"


@dataclass
class FuturesResult:
    outdir: Path
    regret: pd.DataFrame  # regret.csv
    build: pd.DataFrame  # build.csv
    names: list[str] = field(default_factory=list)
    probability: list[float] = field(default_factory=list)
    summary: dict = field(default_factory=dict)  # futures.json


def check_outdir(outdir: Path, force: bool) -> None:
    """DIR is new, empty, or (with ``force``) holds only what an earlier run wrote."""
    folder.check_outdir(outdir, force, lambda n: n in OWN, "futures results")


def cvar(costs: np.ndarray, p: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of a discrete cost distribution: min_eta eta + E[(C - eta)+] / (1 - alpha)
    (the minimum is at one of the costs)."""
    costs, p = np.asarray(costs, dtype=float), np.asarray(p, dtype=float)
    return float(min(eta + (p * np.maximum(costs - eta, 0)).sum() / (1 - alpha)
                     for eta in costs))


def futures(scenario_file: str | Path, overrides=(), outdir=None, force: bool = False,
            progress: bool = True) -> FuturesResult:
    """Solve and evaluate (module docstring); write DIR and return the tables."""
    import siteplan
    from siteplan.model.futures import build_futures_model, build_values, fix_build
    from siteplan.pipeline import Prepared, Reuse, build, check_solved, finish, solve_prepared
    from siteplan.safe_output import default_outdir

    sc = siteplan.load_scenario(scenario_file, list(overrides))
    if not sc.futures:
        raise StudyError(f"{scenario_file}: no 'futures' key; expected a list of futures "
                         "(name, probability, demand/prices/policy changes)")
    if sc.objective != "cost":
        raise StudyError(f"{scenario_file}: objective: {sc.objective}; futures need "
                         "objective: cost")
    outdir = Path(outdir) if outdir is not None else default_outdir(sc.name, "futures-")
    check_outdir(outdir, force)
    names = [f.name for f in sc.futures]
    p = np.array([f.probability for f in sc.futures])
    F = len(names)
    scs = [sc.for_future(i) for i in range(F)]
    bar = folder.Progress(1 + F + F * F, progress, "futures", "solve")
    reuse = Reuse()

    # each future alone: the model that evaluates plans there, and its own plan
    preps: list[Prepared] = []
    for i, s in enumerate(scs):
        try:
            preps.append(build(s, reuse))
        except InfeasibleError as exc:
            raise InfeasibleError(f"future {names[i]}: {exc}", exc.causes) from None
    _same_options(preps, names)

    # 1. the stochastic plan
    built = build_futures_model([pp.years[0] for pp in preps], list(p),
                                sc.risk.cvar_weight, sc.risk.cvar_alpha)
    sto = Prepared(sc, [pp.years[0] for pp in preps], None, built)
    res = solve_prepared(sto, None)
    bar.update()
    try:
        check_solved(sto, res)
    except InfeasibleError:
        raise InfeasibleError("infeasible: no build serves every future (each future alone "
                              "passes the checks); give policy.unserved_cost_per_mtok a price, "
                              "or run one future with --set futures=[]") from None
    sto_results = [finish(sto, res, None, block=f, cost_weight=float(p[f]), scenario=scs[f])
                   for f in range(F)]
    sto_costs = np.array([float(pyo.value(ctx.block.e_total_cost)) for ctx in built.years])
    sto_open, sto_cap = build_values(built, res)
    header = {"status": res.status.value, "mip_gap": res.gap, "objective_bound": res.bound,
              "objective": res.objective}

    # 2. each future's own plan
    own, plans, det_results = np.zeros(F), [], []
    for g, pp in enumerate(preps):
        r = solve_prepared(pp, reuse)
        det_results.append(finish(pp, r, reuse))
        bar.update()
        own[g] = det_results[-1].summary["objective"]
        b = pp.built.years[0].block
        plans.append((r.values(b.v_open), r.values(b.v_cap_mw)))

    # 3. every own plan in every future (the build fixed, operation chosen)
    costs = np.full((F, F), np.nan)  # [plan g, future f]
    status = [["" for _ in range(F)] for _ in range(F)]
    for f, pp in enumerate(preps):
        for g in range(F):
            if g == f:
                costs[g, f], status[g][f] = own[f], det_results[f].summary["status"]
                bar.update()
                continue
            fix_build(pp.built, *plans[g])
            r = solve_prepared(pp, reuse, want_duals=False)
            bar.update()
            if r.has_solution:
                costs[g, f] = float(pyo.value(pp.built.model.e_total_cost))
                status[g][f] = r.status.value
            else:
                status[g][f] = r.status.value
        fix_build(pp.built, None, None)
    bar.close()

    regret = _regret(names, p, own, sto_costs, costs, status, sc.risk.cvar_alpha)
    build_table = _build_table(sto_results[0])
    outdir.mkdir(parents=True, exist_ok=True)
    for f, name in enumerate(names):
        for plan, kind, r in ((STOCHASTIC, STOCHASTIC, sto_results[f]),
                              (name, "deterministic", det_results[f])):
            folder.write_plan(r, outdir / kind / _folder(name), "futures",
                              {"plan": plan, "future": name, "probability": float(p[f])})
    folder.write_csv(regret, outdir / "regret.csv")
    folder.write_csv(build_table, outdir / "build.csv")
    sto_row = regret.iloc[0]
    summary = {
        "scenario_file": str(Path(scenario_file).resolve()), "overrides": list(overrides),
        "futures": [{"name": n, "probability": float(q)} for n, q in zip(names, p, strict=True)],
        "risk": sc.risk.model_dump(), "stochastic": header,
        "expected_cost": float(sto_row["expected_cost"]),
        "perfect_information_expected_cost": float(p @ own),
        "evpi": float(sto_row["expected_cost"] - p @ own),
        "vss": {r.plan: float(r.vs_stochastic) for r in regret.iloc[1:].itertuples()},
        "stochastic_open": [d for d, o in zip(preps[0].years[0].sites, sto_open, strict=True)
                            if o > 0.5],
        "capacity_mw": float(np.sum(sto_cap)),
    }
    folder.write_json(outdir / "futures.json", summary)
    _page(outdir, sc.name, regret, build_table, summary)
    return FuturesResult(outdir, regret, build_table, names, list(map(float, p)), summary)


def _same_options(preps, names) -> None:
    base = preps[0].years[0]
    for pp, name in zip(preps[1:], names[1:], strict=True):
        d = pp.years[0]
        if d.sites != base.sites or d.hardware != base.hardware:
            gone = sorted(set(base.sites) ^ set(d.sites)) or sorted(
                set(base.hardware) ^ set(d.hardware))
            raise StudyError(f"futures {names[0]} and {name} have different site options or "
                             f"hardware ({', '.join(gone[:3])}); a shared build needs the same "
                             "options in every future: move exclusions to the scenario itself")


def _regret(names, p, own, sto_costs, costs, status, alpha) -> pd.DataFrame:
    rows = []
    e_sto = float(p @ sto_costs)
    for label, c, st in [(STOCHASTIC, sto_costs, ["optimal"] * len(names)),
                         *[(f"plan for {n}", costs[g], status[g]) for g, n in enumerate(names)]]:
        ok = np.isfinite(c).all()
        row = {"plan": label}
        row.update({f"cost_{n}": c[f] for f, n in enumerate(names)})
        row.update({f"regret_{n}": c[f] - own[f] for f, n in enumerate(names)})
        row["expected_cost"] = float(p @ c) if ok else np.nan
        row["worst_cost"] = float(np.max(c)) if ok else np.nan
        row["cvar"] = cvar(c, p, alpha) if ok else np.nan
        row["max_regret"] = float(np.max(c - own)) if ok else np.nan
        row["vs_stochastic"] = row["expected_cost"] - e_sto
        row["infeasible_in"] = " ".join(n for n, s in zip(names, st, strict=True)
                                        if s in ("infeasible", "unbounded"))
        rows.append(row)
    return pd.DataFrame(rows)


def _build_table(res) -> pd.DataFrame:
    s = res.sites
    cols = ["site", "location", "region", "zone", "open", "mw_it_total",
            *[c for c in s.columns if c.startswith("mw_it_") and c != "mw_it_total"]]
    return s[[c for c in cols if c in s.columns]][s["mw_it_total"] > 1e-6].reset_index(drop=True)


def _folder(name: str) -> str:
    from siteplan.safe_output import safe_folder_name

    return safe_folder_name(name)


def _page(outdir: Path, name: str, regret: pd.DataFrame, build: pd.DataFrame,
          summary: dict) -> None:
    from siteplan.report.studies import frame_table, write_page

    fs = ", ".join(f"{f['name']} ({f['probability']:.0%})" for f in summary["futures"])
    vss = "; ".join(f"{k}: {v:,.0f}" for k, v in summary["vss"].items())
    intro = [f"Futures: {fs}. The stochastic plan builds once for all futures and operates "
             "in each; each future's own plan is built for that future alone and then run in "
             "every future with its build fixed.",
             f"Expected annual cost of the stochastic plan {summary['expected_cost']:,.0f}; "
             f"value of the stochastic solution against each own plan: {vss}; expected value "
             f"of perfect information {summary['evpi']:,.0f}."]
    money = {c: ",.0f" for c in regret.columns if c != "plan" and c != "infeasible_in"}
    sections = [
        {"heading": "Regret table (annual cost by plan and future)",
         "note": "regret = cost minus that future's own plan's cost; vs_stochastic = expected "
                 "cost minus the stochastic plan's",
         "table": frame_table(regret, money)},
        {"heading": "Common build of the stochastic plan",
         "table": frame_table(build, {"open": ".0f"})},
    ]
    write_page(outdir / "futures.html", f"Plan across futures: {name}", intro, sections,
               str(outdir))
