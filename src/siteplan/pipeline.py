"""The pipeline: scenario -> inputs -> model data per modelled year -> model -> HiGHS -> Results.

One path for every scenario. A scenario without ``years`` is the one-year case: one year's
data, the model of that year (no vintages), tables without a ``year`` column. With ``years``
every year is checked like a single year first, then built as a block of one model, linked by
what is built when (family 12, :mod:`siteplan.model.vintage`); the tables carry a ``year``
column, plus ``builds``. Either way a :class:`Reuse` keeps the datasets read and one HiGHS
model across solves (sweeps, frontiers).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from siteplan.config import Scenario
from siteplan.diagnose import presolve_causes
from siteplan.errors import InfeasibleError, ScenarioError, SolverError
from siteplan.inputs import Inputs, ModelData, derive, load_inputs
from siteplan.inputs.pathway import PathwayData, derive_pathway
from siteplan.model import build_model
from siteplan.model.build import build_pathway_model
from siteplan.model.context import Built
from siteplan.results import Results
from siteplan.results.case import headline_case
from siteplan.results.extract import extract
from siteplan.results.pathway import extract_pathway
from siteplan.solve import PersistentHighs, SolveResult, Status, solve_model
from siteplan.verify import solver_section

log = logging.getLogger("siteplan")


class Reuse:
    """What a sequence of solves in one process keeps: the datasets read (by folder) and one
    HiGHS model, updated in place while the models keep their structure (sweeps, frontiers).
    """

    def __init__(self) -> None:
        self.inputs: dict[Path, Inputs] = {}
        self.highs = PersistentHighs()


def _inputs(scenario: Scenario, reuse: Reuse | None) -> Inputs:
    if reuse is None:
        return load_inputs(scenario.dataset, scenario)
    folder = Path(scenario.dataset).resolve()
    if folder not in reuse.inputs:
        reuse.inputs[folder] = load_inputs(folder)
    return reuse.inputs[folder]  # derive checks the scenario's ids


def prepare(scenario: Scenario, reuse: Reuse | None = None) -> ModelData:
    """Load and check the dataset, then derive one year's model data (raises on bad input)."""
    return derive(scenario, _inputs(scenario, reuse))


def prepare_years(scenario: Scenario, reuse: Reuse | None = None
                  ) -> tuple[list[ModelData], PathwayData | None]:
    """Every modelled year's model data, and the pathway (None for a single year)."""
    if not scenario.years:
        return [prepare(scenario, reuse)], None
    P = derive_pathway(scenario, _inputs(scenario, reuse))
    return P.data, P


def year_causes(P: PathwayData) -> list[str]:
    """The single-year pre-solve checks of every year, each cause prefixed with its year."""
    return [f"year {y}: {c}" for y, d in zip(P.years, P.data, strict=True)
            for c in presolve_causes(d)]


def _explain_infeasible(built: Built, scenario: Scenario, spent_s: float = 0.0
                        ) -> InfeasibleError:
    """HiGHS proved infeasibility past the pre-solve checks: re-solve elastically to name it,
    in what is left of the time limit (``spent_s`` already used)."""
    from siteplan.elastic import explain

    left = scenario.solver.time_limit_s - spent_s
    if left < 0.1:
        return InfeasibleError(
            "infeasible: HiGHS proved the plan infeasible and no time was left within "
            "solver.time_limit_s to name the cause (raise it to see the smallest change that "
            "makes a plan possible)")
    t0 = time.perf_counter()
    found = explain(built, scenario.solver.model_copy(update={"time_limit_s": left}))
    log.info("elastic re-solve in %.2f s", time.perf_counter() - t0)
    if found is None or not found.causes:
        return InfeasibleError(
            "infeasible: HiGHS proved the plan infeasible and the elastic re-solve found no "
            "single limit to relax (try policy.unserved_cost_per_mtok to see which demand "
            "cannot be met)"
        )
    return InfeasibleError(
        "infeasible: the smallest change that makes a plan possible: " + "; ".join(found.causes),
        found.causes,
    )


def no_plan_message(res, scenario: Scenario) -> str:
    """One line: why a solve ended without a plan (the clock, or HiGHS failing)."""
    if res.status == Status.TIME_LIMIT:
        return (f"no feasible plan within the time limit of {scenario.solver.time_limit_s:g} s "
                f"(HiGHS status {res.highs_status}); raise solver.time_limit_s")
    return (f"no feasible plan: HiGHS failed with status '{res.highs_status}' (numerical "
            "trouble or a model it cannot handle); check the dataset's magnitudes with "
            "'siteplan validate', or try solver.strategy=branch-and-bound")


PATHWAY_INFEASIBLE = (
    "infeasible: every year passes the single-year checks, but no build-out serves them all "
    "(options that stay open, capacity that stays until it retires); run a year alone with "
    "--set year=Y and without years to see which limit binds")


def run_header(scenario: Scenario, res: SolveResult) -> dict:
    """The summary's first keys: what was solved and what HiGHS said (status, gap, bound)."""
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "currency": scenario.currency,
        "objective_kind": scenario.objective,
        "status": res.status.value,
        "highs_status": res.highs_status,
        "mip": res.is_mip,
        "mip_gap": res.gap,
        "objective_bound": res.bound,
        "highs_objective": res.objective,
        "mip_nodes": res.nodes,
        "solver": solver_section(res),
    }


@dataclass
class Prepared:
    """A scenario's model, built and not yet solved: its years' data, the pathway (None for
    one year) and the times spent so far. Studies (alternatives, futures) change the model
    (a budget row, another objective, fixed builds) between :func:`build` and :func:`finish`.
    """

    scenario: Scenario
    years: list[ModelData]
    P: PathwayData | None
    built: Built
    times: dict[str, float] = field(default_factory=dict)


def build(scenario: Scenario, reuse: Reuse | None = None) -> Prepared:
    """Prepare, check (raises InfeasibleError on a pre-solve cause) and build the model."""
    if scenario.futures:
        raise ScenarioError([f"{scenario.source}: key 'futures': a plan across futures is "
                             "solved by 'siteplan futures' (or give --set futures=[] for "
                             "one plan)"])
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    years, P = prepare_years(scenario, reuse)
    times["prepare_s"] = time.perf_counter() - t0
    causes = year_causes(P) if P is not None else presolve_causes(years[0])
    if causes:
        raise InfeasibleError("infeasible: " + "; ".join(causes), causes)

    t0 = time.perf_counter()
    built = build_pathway_model(P) if P is not None else build_model(years[0])
    times["build_s"] = time.perf_counter() - t0
    log.info("built the %d-year model in %.2f s", len(years), times["build_s"])
    return Prepared(scenario, years, P, built, times)


def solve_prepared(prep: Prepared, reuse: Reuse | None = None, write_lp: Path | None = None,
                   want_duals: bool = True) -> SolveResult:
    """Solve a built model (afresh, or on ``reuse``'s HiGHS model); the times go to ``prep``."""
    t0 = time.perf_counter()
    if reuse is None:
        res = solve_model(prep.built, prep.scenario.solver, want_duals=want_duals,
                          write_lp=write_lp)
    else:
        res = reuse.highs.solve(prep.built, prep.scenario.solver, want_duals=want_duals)
    prep.times["solve_wall_s"] = time.perf_counter() - t0
    prep.times["load_s"] = res.load_s
    prep.times["solve_s"] = res.solve_s
    prep.times["dual_solve_s"] = res.dual_solve_s
    return res


def check_solved(prep: Prepared, res: SolveResult) -> None:
    """Raise InfeasibleError / SolverError when a solve ended without a plan."""
    # costs are bounded below, so "unbounded or infeasible" can only mean infeasible
    if res.status in (Status.INFEASIBLE, Status.UNBOUNDED):
        if prep.P is not None:
            raise InfeasibleError(PATHWAY_INFEASIBLE)
        raise _explain_infeasible(prep.built, prep.scenario, prep.times["solve_wall_s"])
    if not res.has_solution:
        raise SolverError(no_plan_message(res, prep.scenario))


def finish(prep: Prepared, res: SolveResult, reuse: Reuse | None = None, block: int = 0,
           cost_weight: float = 1.0, scenario: Scenario | None = None) -> Results:
    """The :class:`Results` of a solved model (raises on infeasible / no plan).

    A model of several single-year blocks (futures) gives the results of block ``block``,
    whose cost has weight ``cost_weight`` in the objective, recorded as ``scenario``.
    """
    check_solved(prep, res)
    years, P, built, times = prep.years, prep.P, prep.built, prep.times
    scenario = scenario or prep.scenario
    t0 = time.perf_counter()
    tables = (extract_pathway(built, P, res) if P is not None
              else extract(built.years[block], res, cost_weight))
    times["extract_s"] = time.perf_counter() - t0
    header = run_header(scenario, res)
    header["solver"]["strong_links"] = sum(len(ctx.block.c_strong_link) for ctx in built.years)
    summary = {
        **header,
        "highs_model_reused": reuse is not None and reuse.highs.reused,
        **({"discount_rate": scenario.finance.discount_rate} if P is not None else {}),
        **tables["summary"],
        "times": times,
        **({"time_aggregation": years[0].time_aggregation}
           if P is None and years[0].time_aggregation else {}),
        **({"peak_slices": years[block].peak_slices} if years[block].peak_slices else {}),
        "size": _size(built, years, P),
    }
    summary["headline_case"] = headline_case(scenario, summary)
    excluded = years[block].excluded if P is None else P.excluded[
        ["year", *[c for c in P.excluded.columns if c != "year"]]]
    return with_record(Results(
        scenario=scenario.name, allocation=tables["allocation"], sites=tables["sites"],
        regions=tables["regions"], excluded=excluded, summary=summary,
        builds=tables.get("builds"), site_hours=tables["site_hours"]), scenario)


def solve(scenario: Scenario, write_lp: Path | None = None, reuse: Reuse | None = None
          ) -> Results:
    """Solve one scenario (a single year or a pathway) and return its :class:`Results`
    (raises on infeasible / no plan).

    With ``reuse``, the dataset and the HiGHS model of the previous solve are re-used where
    they fit (:class:`Reuse`); the results are the same kind either way.
    """
    prep = build(scenario, reuse)
    res = solve_prepared(prep, reuse, write_lp=write_lp)
    return finish(prep, res, reuse)


def with_record(results: Results, scenario: Scenario) -> Results:
    """``results`` with the record of what was solved (results/record.py)."""
    from siteplan.results.record import make_record

    results.record = make_record(scenario)
    return results


def _size(built: Built, years: list[ModelData], P: PathwayData | None) -> dict:
    m, d = built.model, years[0]
    size = {"variables": m.nvariables(), "constraints": m.nconstraints()}
    if P is None:
        size["arcs"] = len(d.arc_region)
    else:
        size["years"] = len(P.years)
    return {**size, "slices": d.n_slices, "site_options": len(d.sites)}
