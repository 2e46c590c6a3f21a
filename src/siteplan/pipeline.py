"""The staged pipeline: scenario -> inputs -> model data -> Pyomo model -> HiGHS -> Results."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from siteplan.config import Scenario
from siteplan.diagnose import presolve_causes
from siteplan.errors import InfeasibleError, SolverError
from siteplan.inputs import Inputs, ModelData, derive, load_inputs
from siteplan.model import build_model
from siteplan.results import Results
from siteplan.results.extract import extract
from siteplan.solve import PersistentHighs, Status, solve_model

log = logging.getLogger("siteplan")


class Reuse:
    """What a sequence of solves in one process keeps: the datasets read (by folder) and one
    HiGHS model, updated in place while the models keep their structure (sweeps, frontiers).
    """

    def __init__(self) -> None:
        self.inputs: dict[Path, Inputs] = {}
        self.highs = PersistentHighs()


def prepare(scenario: Scenario, reuse: Reuse | None = None) -> ModelData:
    """Load and check the dataset, then derive the model data (raises on bad input)."""
    if reuse is None:
        return derive(scenario, load_inputs(scenario.dataset, scenario))
    folder = Path(scenario.dataset).resolve()
    if folder not in reuse.inputs:
        reuse.inputs[folder] = load_inputs(folder)
    return derive(scenario, reuse.inputs[folder])  # derive checks the scenario's ids


def _explain_infeasible(built, scenario: Scenario) -> InfeasibleError:
    """HiGHS proved infeasibility past the pre-solve checks: re-solve elastically to name it."""
    from siteplan.elastic import explain

    t0 = time.perf_counter()
    found = explain(built, scenario.solver)
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


def run_header(scenario: Scenario, res) -> dict:
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
    }


def solve(scenario: Scenario, write_lp: Path | None = None, reuse: Reuse | None = None
          ) -> Results:
    """Solve one scenario and return its :class:`Results` (raises on infeasible / no plan).

    With ``reuse``, the dataset and the HiGHS model of the previous solve are re-used where
    they fit (:class:`Reuse`); the results are the same kind either way.
    """
    if scenario.years:
        from siteplan.pathway import solve_pathway

        return solve_pathway(scenario, write_lp)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    data = prepare(scenario, reuse)
    times["prepare_s"] = time.perf_counter() - t0
    causes = presolve_causes(data)
    if causes:
        raise InfeasibleError("infeasible: " + "; ".join(causes), causes)

    t0 = time.perf_counter()
    built = build_model(data)
    model = built.model
    times["build_s"] = time.perf_counter() - t0
    log.info("built model in %.2f s", times["build_s"])

    t0 = time.perf_counter()
    if reuse is None:
        res = solve_model(built, scenario.solver, write_lp=write_lp)
    else:
        res = reuse.highs.solve(built, scenario.solver)
    times["solve_wall_s"] = time.perf_counter() - t0
    times["load_s"] = res.load_s
    times["solve_s"] = res.solve_s
    times["dual_solve_s"] = res.dual_solve_s
    # costs are bounded below, so "unbounded or infeasible" can only mean infeasible
    if res.status in (Status.INFEASIBLE, Status.UNBOUNDED):
        raise _explain_infeasible(built, scenario)
    if not res.has_solution:
        raise SolverError(f"no feasible plan: HiGHS status {res.highs_status}")

    t0 = time.perf_counter()
    tables = extract(built.years[0], res)
    times["extract_s"] = time.perf_counter() - t0
    summary = {
        **run_header(scenario, res),
        "highs_model_reused": reuse is not None and reuse.highs.reused,
        **tables["summary"],
        "times": times,
        **({"time_aggregation": data.time_aggregation} if data.time_aggregation else {}),
        "size": {
            "variables": model.nvariables(),
            "constraints": model.nconstraints(),
            "arcs": len(data.arc_region),
            "slices": data.n_slices,
            "site_options": len(data.sites),
        },
    }
    return Results(
        scenario=scenario.name,
        allocation=tables["allocation"],
        sites=tables["sites"],
        regions=tables["regions"],
        excluded=data.excluded,
        summary=summary,
        site_hours=tables["site_hours"],
    )
