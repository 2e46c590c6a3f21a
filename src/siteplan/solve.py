"""The solver boundary: the only module that talks to HiGHS (via Pyomo's in-memory interface).

Status is read from HiGHS itself, never assumed: a MIP stopped by the gap setting is
``gap_limit`` (with its gap and bound), a MIP stopped by the clock is ``time_limit``; only a
solve whose proven gap is (numerically) zero, or an LP solved to optimality, is ``optimal``.
Marginal costs come from the LP re-solved with the integer decisions fixed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

from siteplan.config.schema import Solver as SolverOptions
from siteplan.errors import SolverError
from siteplan.model.objective import OBJECTIVE_SCALE

PROVEN_GAP = 1e-9


class Status(str, Enum):
    OPTIMAL = "optimal"  # proven optimal (LP, or MIP with zero gap)
    GAP_LIMIT = "gap_limit"  # MIP stopped at mip_rel_gap: feasible, within the stated gap
    TIME_LIMIT = "time_limit"  # stopped by the clock; feasible incumbent if objective is set
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"



@dataclass
class SolveResult:
    status: Status
    highs_status: str
    objective: float | None  # currency/yr (unscaled), incumbent
    bound: float | None  # best proven lower bound, currency/yr
    gap: float | None  # relative MIP gap (0 for an LP)
    is_mip: bool
    solve_s: float  # HiGHS's own run time (MIP phase)
    dual_solve_s: float = 0.0  # the fixed-integer LP for marginal costs
    nodes: int = 0
    col_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_dual: np.ndarray | None = None
    var_col: dict[int, int] = field(default_factory=dict)  # id(VarData) -> column
    con_row: dict[object, int] = field(default_factory=dict)  # ConstraintData -> row

    @property
    def has_solution(self) -> bool:
        """A feasible plan is at hand (optimal, within the gap, or a time-limit incumbent)."""
        return self.objective is not None and self.status in (
            Status.OPTIMAL, Status.GAP_LIMIT, Status.TIME_LIMIT)

    def values(self, component) -> np.ndarray:
        """Primal values of an indexed Var in index order (fixed vars included)."""
        cols = np.fromiter((self.var_col[id(v)] for v in component.values()), dtype=int)
        return self.col_value[cols] if len(cols) else np.zeros(0)

    def duals(self, component) -> np.ndarray | None:
        """Row duals of an indexed Constraint in index order (scaled objective units)."""
        if self.row_dual is None:
            return None
        rows = np.fromiter((self.con_row[c] for c in component.values()), dtype=int)
        return self.row_dual[rows] if len(rows) else np.zeros(0)


def solve_model(m: pyo.ConcreteModel, options: SolverOptions, want_duals: bool = True,
                write_lp: Path | None = None) -> SolveResult:
    """Solve ``m`` with HiGHS in memory; return status, objective, gap, bound, values, duals."""
    opt = Highs(treat_fixed_vars_as_params=False)
    if not opt.available():
        raise SolverError("HiGHS (highspy) is not available in this environment")
    res = opt.solve(
        m,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        threads=options.threads,
        time_limit=options.time_limit_s,
        rel_gap=options.mip_rel_gap,
        solver_options={"random_seed": options.seed, "output_flag": False},
    )
    del res
    highs: highspy.Highs = opt._solver_model
    if write_lp is not None:
        highs.writeModel(str(write_lp))
    result = _read(highs)
    result.var_col = dict(opt._pyomo_var_to_solver_var_map)
    result.con_row = dict(opt._pyomo_con_to_solver_con_map)
    if result.has_solution:
        _load_into_pyomo(m, result)
        if want_duals:
            _fixed_integer_duals(highs, result, options)
    return result


def _read(highs: highspy.Highs) -> SolveResult:
    status = highs.getModelStatus()
    info = highs.getInfo()
    is_mip = bool(np.any(_integer_cols(highs)))
    feasible = info.primal_solution_status == 2
    obj = info.objective_function_value / OBJECTIVE_SCALE if feasible else None
    if is_mip:
        bound = info.mip_dual_bound / OBJECTIVE_SCALE if np.isfinite(info.mip_dual_bound) else None
        gap = _gap(obj, bound)
    else:
        bound = obj if status == highspy.HighsModelStatus.kOptimal else None
        gap = 0.0 if bound is not None else None
    S = highspy.HighsModelStatus
    if status == S.kOptimal:
        ours = Status.OPTIMAL if (gap is not None and gap <= PROVEN_GAP) else Status.GAP_LIMIT
    elif status == S.kTimeLimit:
        ours = Status.TIME_LIMIT
    elif status == S.kInfeasible:
        ours = Status.INFEASIBLE
    elif status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        ours = Status.UNBOUNDED
    elif feasible and status in (S.kIterationLimit, S.kSolutionLimit, S.kInterrupt):
        ours = Status.TIME_LIMIT
    else:
        ours = Status.ERROR
    col = np.asarray(highs.getSolution().col_value, dtype=float) if feasible else np.zeros(0)
    return SolveResult(
        status=ours,
        highs_status=highs.modelStatusToString(status),
        objective=obj,
        bound=bound,
        gap=gap,
        is_mip=is_mip,
        solve_s=float(highs.getRunTime()),
        nodes=int(max(info.mip_node_count, 0)),
        col_value=col,
    )


def _integer_cols(highs: highspy.Highs) -> np.ndarray:
    """Boolean mask of integer columns (HiGHS returns enum members, not ints)."""
    return np.array([int(v) != 0 for v in highs.getLp().integrality_], dtype=bool)


def _gap(obj: float | None, bound: float | None) -> float | None:
    if obj is None or bound is None:
        return None
    return abs(obj - bound) / max(abs(obj), 1e-9)


def _load_into_pyomo(m: pyo.ConcreteModel, result: SolveResult) -> None:
    col = result.col_value
    for var in m.component_data_objects(pyo.Var, descend_into=True):
        j = result.var_col.get(id(var))
        if j is not None:
            var.set_value(float(col[j]), skip_validation=True)


def _fixed_integer_duals(highs: highspy.Highs, result: SolveResult, options: SolverOptions):
    """Fix integer columns at their incumbent values, re-solve as an LP, keep the row duals."""
    highs.setOptionValue("output_flag", False)
    if result.is_mip:
        cols = np.flatnonzero(_integer_cols(highs)).astype(np.int32)
        vals = np.round(result.col_value[cols])
        highs.changeColsBounds(len(cols), cols, vals, vals)
        highs.changeColsIntegrality(
            len(cols), cols, np.full(len(cols), highspy.HighsVarType.kContinuous)
        )
    start = time.perf_counter()
    if result.is_mip:
        highs.setOptionValue("time_limit", float(options.time_limit_s))
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return
    sol = highs.getSolution()
    if sol.dual_valid:
        result.row_dual = np.asarray(sol.row_dual, dtype=float)
    result.dual_solve_s = time.perf_counter() - start if result.is_mip else 0.0
