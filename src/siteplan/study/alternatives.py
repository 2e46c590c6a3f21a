"""Near-optimal alternatives (modelling to generate alternatives, SPORES-style).

Plan 0 is the least-cost plan, cost C*. The same model then gets one more row, the budget

    total cost <= (1 + slack) C*                                          (currency/yr)

and its objective is replaced, once per alternative k = 1..count, by a weighted capacity

    minimise  sum_s w_s cap_s / M        cap_s = sum_h cap[s,h] (MW-IT), M = plan 0's MW-IT
    w_s = sum_{plans i < k} cap_s(i) / MW-IT(i)       (the share plan i put at option s)

so each new plan moves capacity away from where the plans before it put it (the "relative
deployment" weights of SPORES, Lombardi et al. 2020, doi:10.1016/j.joule.2020.08.002).
Options no plan has used cost nothing in this objective, so the solver is free to use them,
within the budget. The build decisions stay integer (open[s]). Every plan is a normal result
folder (``plan-00`` the least-cost one); a plan equal to an earlier one (every option's MW
within 1e-3 of the largest) is counted but not written again.

Why this method: the question is "where else could capacity go at nearly the same cost", and
these weights answer it with one solve per plan, without choosing in advance which province
to push or pull;
the per-province minimum and maximum across the plans found are then read off. The ranges are
what the plans found, not proven bounds: a province's true range within the slack can be
wider (minimising and maximising each province would bound it at two solves per province).

Files in DIR: ``plan-NN/`` (result folders), ``alternatives.csv`` (per site option and per
province: min, max and least-cost MW-IT, plans using it, ``must_have``, ``never_used``, then
one column per plan), ``alternatives.json`` (each plan's cost, status, gap) and
``alternatives.html`` (the range per province as a chart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siteplan.study import folder
from siteplan.study.runs import StudyError

OWN_FILES = ("alternatives.csv", "alternatives.json", "alternatives.html")
SAME_TOL = 1e-3  # relative: two plans are the same when every option's MW is this close
USED_MW = 1e-6  # MW-IT: an option holds capacity in a plan
PLAN_GAP = 0.1  # relative gap of each alternative's weighted-capacity objective
PLAN_TIME_S = 60.0  # time limit of each alternative's solve, s


@dataclass
class AlternativesResult:
    outdir: Path
    table: pd.DataFrame  # alternatives.csv
    plans: list[dict] = field(default_factory=list)  # per plan written: name, cost, status...
    least_cost: float = 0.0
    duplicates: int = 0
    failed: list[str] = field(default_factory=list)  # alternatives with no plan, and why


def check_outdir(outdir: Path, force: bool = False) -> None:
    """DIR is new, empty, or (with ``force``) holds only what an earlier run wrote."""
    folder.check_outdir(outdir, force, lambda n: n in OWN_FILES or n.startswith("plan-"),
                        "alternatives")


def option_mw(built, res) -> np.ndarray:
    """MW-IT of each site option in the solved single-year model."""
    ctx = built.years[0]
    cap = res.values(ctx.block.v_cap_mw)
    out = np.zeros(len(ctx.data.sites))
    np.add.at(out, [s for s, _h in ctx.layout.site_hw], cap)
    return out


def _spores_objective(ctx, weights: np.ndarray, scale: float):
    """sum_s w_s cap_s / scale over the options' capacity variables."""
    b, L = ctx.block, ctx.layout
    terms = [(weights[s] / scale, b.v_cap_mw[j]) for j, (s, _h) in enumerate(L.site_hw)
             if weights[s] > 0]
    return sum(c * v for c, v in terms) if terms else 0.0


def alternatives(scenario_file: str | Path, slack: float = 0.02, count: int = 8,
                 overrides=(), outdir: str | Path | None = None, force: bool = False,
                 progress: bool = True, plan_gap: float = PLAN_GAP,
                 plan_time_s: float = PLAN_TIME_S) -> AlternativesResult:
    """Find up to ``count`` plans within ``slack`` of the least cost (module docstring).

    Each alternative is solved to the relative gap ``plan_gap`` on its weighted-capacity
    objective (at least the scenario's gap) within ``plan_time_s`` (at most the scenario's
    limit): any plan within the budget serves; how far it moves matters less than the cost
    of proving it moves farthest.
    """
    import siteplan
    from siteplan.outputs import zone_share_keys
    from siteplan.pipeline import Reuse, build, finish, solve_prepared
    from siteplan.safe_output import default_outdir

    if not 0 <= slack <= 1:
        raise StudyError(f"--slack {slack:g}: expected a share of the least cost between 0 "
                         "and 1 (0.02 = 2 %)")
    sc = siteplan.load_scenario(scenario_file, list(overrides))
    if sc.years:
        raise StudyError(f"{scenario_file}: alternatives are found for one year; this "
                         "scenario has 'years' (a pathway): run it with --set years=[]")
    if sc.objective != "cost":
        raise StudyError(f"{scenario_file}: objective: {sc.objective}; alternatives need "
                         "objective: cost (the slack is on the cost)")
    outdir = Path(outdir) if outdir is not None else default_outdir(sc.name, "alternatives-")
    check_outdir(outdir, force)

    reuse = Reuse()
    prep = build(sc, reuse)
    bar = folder.Progress(count + 1, progress, "alternatives", "plan")
    res = solve_prepared(prep, reuse)
    first = finish(prep, res, reuse)
    least = float(first.summary["objective"])
    m, ctx = prep.built.model, prep.built.years[0]
    d = ctx.data
    mws = [option_mw(prep.built, res)]
    results = [first]
    tags = [{"index": 0, "slack": slack, "least_cost": least, "method": "least cost"}]
    bar.update(1)

    m.c_alternatives_budget = pyo.Constraint(expr=m.e_total_cost <= (1 + slack) * least)
    solver = sc.solver.model_copy(update={
        "mip_rel_gap": max(sc.solver.mip_rel_gap, plan_gap),
        "time_limit_s": min(sc.solver.time_limit_s, plan_time_s)})
    prep.scenario = sc.model_copy(update={"solver": solver})
    m.obj.deactivate()
    scale = max(float(mws[0].sum()), 1.0)
    duplicates = 0
    failed: list[str] = []
    for k in range(1, count + 1):
        weights = sum(mw / max(mw.sum(), 1e-9) for mw in mws)
        if m.component("alternatives_obj") is not None:
            m.del_component("alternatives_obj")
        m.alternatives_obj = pyo.Objective(expr=_spores_objective(ctx, weights, scale),
                                           sense=pyo.minimize)
        # afresh: a re-used HiGHS model would hand branch and bound the last plan as its start,
        # the very plan this one is to move away from (it came back unchanged when cut by time)
        res = solve_prepared(prep, None, want_duals=False)
        bar.update(1)
        if not res.has_solution:
            failed.append(f"alternative {k}: {res.status.value} ({res.highs_status})")
            continue
        mw = option_mw(prep.built, res)
        if any(np.abs(mw - old).max() <= SAME_TOL * max(old.max(), 1.0) for old in mws):
            duplicates += 1
            mws.append(mw)  # still weighs: the next plan moves away from it too
            continue
        out = finish(prep, res, reuse, scenario=sc)
        tags.append({"index": len(results), "slack": slack, "least_cost": least,
                     "method": "spores", "weighted_capacity": res.objective,
                     "mip_rel_gap": solver.mip_rel_gap, "time_limit_s": solver.time_limit_s})
        mws.append(mw)
        results.append(out)
    bar.close()

    unique = _unique_mws(mws)
    table = _table(d, unique)
    outdir.mkdir(parents=True, exist_ok=True)
    plans = []
    for i, (r, tag) in enumerate(zip(results, tags, strict=True)):
        name = f"plan-{i:02d}"
        folder.write_plan(r, outdir / name, "alternative", tag)
        s = r.summary
        plans.append({"plan": name, "cost": s["objective"],
                      "over_least_cost": s["objective"] / least - 1 if least else 0.0,
                      "status": s["status"], "mip_gap": s.get("mip_gap"),
                      "sites_open": s.get("sites_open"),
                      **{k: s[k] for k in zone_share_keys(s)}})
    folder.write_csv(table, outdir / "alternatives.csv", float_format="%.6f")
    meta = {"scenario_file": str(Path(scenario_file).resolve()), "overrides": list(overrides),
            "slack": slack, "count": count, "least_cost": least, "plans": plans,
            "duplicates": duplicates, "failed": failed, "method": "spores"}
    folder.write_json(outdir / "alternatives.json", meta)
    _page(outdir, sc.name, table, plans, slack, least)
    return AlternativesResult(outdir, table, plans, least, duplicates, failed)


def _unique_mws(mws: list[np.ndarray]) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for mw in mws:
        if not any(np.abs(mw - o).max() <= SAME_TOL * max(o.max(), 1.0) for o in out):
            out.append(mw)
    return out


def _table(d, mws: list[np.ndarray]) -> pd.DataFrame:
    """alternatives.csv: site options, then provinces (regions); MW-IT per plan."""
    plans = np.column_stack(mws)  # (S, P)
    names = [f"plan_{i:02d}_mw" for i in range(plans.shape[1])]
    region_of = np.asarray(d.location_region)[np.asarray(d.site_location)]
    sites = pd.DataFrame({"kind": "site", "id": list(d.sites),
                          "region": [d.regions[r] for r in region_of]})
    by_region = pd.DataFrame(plans).groupby(region_of).sum()
    regions = pd.DataFrame({"kind": "region", "id": [d.regions[r] for r in by_region.index],
                            "region": [d.regions[r] for r in by_region.index]})
    rows = []
    for ids, mat in ((sites, plans), (regions, by_region.to_numpy())):
        used = mat > USED_MW
        part = ids.assign(min_mw=mat.min(axis=1), max_mw=mat.max(axis=1),
                          least_cost_mw=mat[:, 0], plans_using=used.sum(axis=1),
                          must_have=used.all(axis=1), never_used=~used.any(axis=1))
        rows.append(pd.concat([part.reset_index(drop=True),
                               pd.DataFrame(mat, columns=names)], axis=1))
    return pd.concat(rows, ignore_index=True)


def _page(outdir: Path, name: str, table: pd.DataFrame, plans: list[dict], slack: float,
          least: float) -> None:
    from siteplan.report.studies import frame_table, range_chart, write_page

    reg = table[(table["kind"] == "region") & ~table["never_used"]].sort_values(
        "max_mw", ascending=False)
    sites = table[(table["kind"] == "site") & ~table["never_used"]].sort_values(
        "max_mw", ascending=False)
    keep = ["id", "min_mw", "max_mw", "least_cost_mw", "plans_using", "must_have"]
    must = ", ".join(reg.loc[reg["must_have"], "id"]) or "none"
    intro = [f"{len(plans)} distinct plans within {slack:.1%} of the least annual cost "
             f"({least:,.0f}), found by the SPORES method (docs/model.md, Near-optimal "
             "alternatives). Bars show the range of IT capacity per province across the plans; "
             "the dot is the least-cost plan.",
             f"Provinces in every plan: {must}."]
    sections = [
        {"heading": "IT capacity per province across the plans",
         "chart": range_chart(list(reg["id"]), list(reg["min_mw"]), list(reg["max_mw"]),
                              list(reg["least_cost_mw"]), "MW-IT") if len(reg) else ""},
        {"heading": "Plans", "table": frame_table(pd.DataFrame(plans),
                                                  {"cost": ",.0f", "over_least_cost": ".3%"})},
        {"heading": "Provinces", "table": frame_table(reg[keep], {"plans_using": ".0f"})},
        {"heading": "Site options used by some plan",
         "table": frame_table(sites[keep], {"plans_using": ".0f"})},
    ]
    write_page(outdir / "alternatives.html", f"Near-optimal alternatives: {name}", intro,
               sections, str(outdir))
