"""The pathway pipeline: a scenario with ``years`` -> one model over all years -> Results.

Every year is checked like a single-year run first; the years are then built as blocks of
one model, linked by what is built when (family 12, :mod:`siteplan.model.vintage`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from siteplan.config import Scenario
from siteplan.diagnose import presolve_causes
from siteplan.errors import InfeasibleError, SolverError
from siteplan.inputs.pathway import PathwayData, derive_pathway
from siteplan.model.build import build_pathway_model
from siteplan.results import Results
from siteplan.results.pathway import extract_pathway
from siteplan.solve import Status, solve_model

log = logging.getLogger("siteplan")


def year_causes(P: PathwayData) -> list[str]:
    """The single-year pre-solve checks of every year, each cause prefixed with its year."""
    return [f"year {y}: {c}" for y, d in zip(P.years, P.data, strict=True)
            for c in presolve_causes(d)]


def solve_pathway(scenario: Scenario, write_lp: Path | None = None) -> Results:
    """Solve a multi-year scenario; tables carry a ``year`` column, plus ``builds``."""
    from siteplan.pipeline import run_header

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    P = derive_pathway(scenario)
    times["prepare_s"] = time.perf_counter() - t0
    causes = year_causes(P)
    if causes:
        raise InfeasibleError("infeasible: " + "; ".join(causes), causes)

    t0 = time.perf_counter()
    built = build_pathway_model(P)
    model = built.model
    times["build_s"] = time.perf_counter() - t0
    log.info("built the %d-year pathway in %.2f s", len(P.years), times["build_s"])

    t0 = time.perf_counter()
    res = solve_model(built, scenario.solver, write_lp=write_lp)
    times["solve_wall_s"] = time.perf_counter() - t0
    times["solve_s"] = res.solve_s
    times["dual_solve_s"] = res.dual_solve_s
    if res.status in (Status.INFEASIBLE, Status.UNBOUNDED):
        raise InfeasibleError(
            "infeasible: every year passes the single-year checks, but no build-out serves "
            "them all (options that stay open, capacity that stays until it retires); run a "
            "year alone with --set year=Y and without years to see which limit binds")
    if not res.has_solution:
        raise SolverError(f"no feasible plan: HiGHS status {res.highs_status}")

    t0 = time.perf_counter()
    tables = extract_pathway(built, P, res)
    times["extract_s"] = time.perf_counter() - t0
    summary = {
        **run_header(scenario, res),
        "discount_rate": scenario.finance.discount_rate,
        **tables["summary"],
        "times": times,
        "size": {
            "variables": model.nvariables(),
            "constraints": model.nconstraints(),
            "years": len(P.years),
            "slices": P.data[0].n_slices,
            "site_options": len(P.data[0].sites),
        },
    }
    excluded = P.excluded[["year", *[c for c in P.excluded.columns if c != "year"]]]
    return Results(scenario=scenario.name, allocation=tables["allocation"],
                   sites=tables["sites"], regions=tables["regions"], excluded=excluded,
                   summary=summary, builds=tables["builds"], site_hours=tables["site_hours"])
