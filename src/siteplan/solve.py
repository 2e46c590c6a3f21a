"""The solver boundary: the only module that talks to HiGHS (loaded from Pyomo in memory).

Status is read from HiGHS itself, never assumed: a MIP stopped by the gap setting is
``gap_limit`` (with its gap and bound), a solve stopped by the clock is ``time_limit``; only a
solve whose proven gap is (numerically) zero, or an LP solved to optimality, is ``optimal``.

MIPs are solved in two stages (``strategy: auto``):
1. *relax and fix*: the LP relaxation gives a lower bound; opening every location the LP uses
   (its largest option) and re-solving the LP with the integers fixed gives an incumbent,
   which drop moves improve. If the gap between the two is within ``mip_rel_gap``, that is
   the answer (status from the gap). A large relaxation is first solved without the strong
   links (a valid, weaker-or-equal bound), and whole only if the gap is then wide.
2. otherwise branch and bound in HiGHS, warm-started from the incumbent, in the time left.
Marginal costs are the row duals of the LP with the integer decisions fixed at the answer.
The time limit covers the whole solve, every stage: loading the model into HiGHS, the
relaxation, relax-and-fix, branch and bound and the fixed-integer LP for the duals (which gets
what branch and bound leaves, at least ``DUALS_SHARE`` of the limit). It is enforced by a
watchdog that cancels HiGHS (its own limit is not always honoured in MIP phases), so a solve
ends within ``time_limit_s + TIME_LIMIT_TOLERANCE_S``. Relax-and-fix is bounded by work (at
most ``MAX_DROP_TRIES`` LPs), not by the clock: its plan does not depend on machine speed
unless the whole limit runs out, and then the status says ``time_limit``.

Every HiGHS model status is read and mapped (:data:`HIGHS_STATUS`); a model HiGHS refuses
to load (a coefficient or bound beyond its limits) is a :class:`SolverError`, never a crash.

:class:`PersistentHighs` keeps one HiGHS model across the points of a sweep: what changed is
updated in place and the LP starts from the last basis (docs/model.md, "Solving").
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.tee import capture_output

from siteplan import scaling, verify
from siteplan.config.schema import Solver as SolverOptions
from siteplan.errors import OutputIOError, SolverError
from siteplan.model.context import Built
from siteplan.standard_form import Form, compile_form, structure

PROVEN_GAP = 1e-9
IPM_MIN_COLS = 20_000  # LPs this large go to the interior point solver (with crossover)
CROSSOVER_MAX_COLS = 100_000  # LPs larger than this end at the interior point (no crossover)
WATCHDOG_GRACE_S = 2.0  # after the time limit, HiGHS is cancelled at most this much later
TIME_LIMIT_TOLERANCE_S = WATCHDOG_GRACE_S + 1.0  # a solve ends by time_limit_s + this
DUALS_SHARE = 0.1  # of the time limit, kept for the fixed-integer LP after branch and bound
S = highspy.HighsModelStatus


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven optimal (LP, or MIP with zero gap)
    GAP_LIMIT = "gap_limit"  # MIP stopped at mip_rel_gap: feasible, within the stated gap
    TIME_LIMIT = "time_limit"  # stopped by the clock; feasible incumbent if objective is set
    FEASIBLE = "feasible"  # a plan with a proven bound, but HiGHS failed before the gap target
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    UNVERIFIED = "unverified"  # a plan that fails the check against the unscaled model
    ERROR = "error"


@dataclass
class SolveResult:
    status: Status
    highs_status: str
    objective: float | None  # currency/yr (unscaled), incumbent
    bound: float | None  # best proven lower bound, currency/yr
    gap: float | None  # relative gap (0 for an LP)
    is_mip: bool
    solve_s: float  # HiGHS's own run time, all stages
    method: str = ""  # "lp", "relax-and-fix", "branch-and-bound"
    dual_solve_s: float = 0.0  # the fixed-integer LP for marginal costs
    load_s: float = 0.0  # compiling the model and handing it (or what changed) to HiGHS
    nodes: int = 0
    iterations: int = 0  # simplex iterations of this run (an LP)
    col_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None  # reduced costs (currency/yr per column unit), an LP's
    var_col: dict[int, int] = field(default_factory=dict)  # id(VarData) -> column
    con_row: dict[object, int] = field(default_factory=dict)  # ConstraintData -> row
    bound_dual: np.ndarray | None = None  # row duals of the LP relaxation (MIP) ...
    bound_lp: float | None = None  # ... and its objective: siteplan.verify certifies it
    check: verify.Check | None = None  # the plan against the unscaled model (siteplan.verify)
    links: dict = field(default_factory=dict)  # lazy strong links: rows, added, bound without
    scaling: dict = field(default_factory=dict)  # coefficient ranges before/after scaling

    @property
    def has_solution(self) -> bool:
        """A feasible plan is at hand (optimal, within the gap, or a time-limit incumbent)."""
        return self.objective is not None and self.status in (
            Status.OPTIMAL, Status.GAP_LIMIT, Status.TIME_LIMIT, Status.FEASIBLE,
            Status.UNVERIFIED)

    def values(self, component) -> np.ndarray:
        """Primal values of an indexed Var in index order.

        A variable in no row and not in the objective is not a column: its value is its fixed
        value, or 0 (nothing asks it to be anything else).
        """
        return self.value_list(component.values())

    def value_list(self, variables) -> np.ndarray:
        """Primal values of scalar variables, in the order given (as :meth:`values`)."""
        variables = list(variables)
        out = np.zeros(len(variables))
        for i, v in enumerate(variables):
            j = self.var_col.get(id(v))
            out[i] = self.col_value[j] if j is not None else (v.value if v.fixed else 0.0)
        return out

    def duals(self, component) -> np.ndarray | None:
        """Row duals of an indexed Constraint in index order (currency per row unit)."""
        if self.row_dual is None:
            return None
        rows = np.fromiter((self.con_row[c] for c in component.values()), dtype=int)
        return self.row_dual[rows] if len(rows) else np.zeros(0)


def load_highs(m: pyo.ConcreteModel) -> tuple[highspy.Highs, dict[int, int], dict]:
    """Compile the Pyomo model to sparse standard form and pass it to highspy in memory.

    Returns the solver and the maps id(VarData) -> column, ConstraintData -> row.
    """
    form = compile_form(m)
    return _pass_scaled(form, scaling.compute(form)), form.var_col, form.con_row


def _pass_scaled(form: Form, sc: scaling.Scaling) -> highspy.Highs:
    """``form`` scaled by ``sc`` handed to HiGHS, which remembers ``sc`` (siteplan.scaling)."""
    highs = _pass_model(sc.form(form))
    scaling.attach(highs, sc)
    return highs


def _pass_model(form: Form) -> highspy.Highs:
    """One ``passModel`` call (faster than row-by-row loading)."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(form.cols), len(form.rows)
    lp.col_cost_, lp.offset_ = form.cost, form.offset
    lp.col_lower_, lp.col_upper_ = form.col_lower, form.col_upper
    lp.row_lower_, lp.row_upper_ = form.row_lower, form.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = form.A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = form.A.indices.astype(np.int32)
    lp.a_matrix_.value_ = form.A.data.astype(float)
    if form.integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in form.integer]
    with capture_output(capture_fd=True):  # HiGHS prints a banner when it is created
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    if highs.passModel(lp) == highspy.HighsStatus.kError:
        raise SolverError(_rejected(form))
    return highs


def _rejected(form: Form) -> str:
    """Why HiGHS refused the model, in one line (the largest magnitude it holds)."""
    parts = [("matrix coefficient", form.A.data), ("objective coefficient", form.cost),
             ("bound", np.concatenate([form.col_lower, form.col_upper, form.row_lower,
                                       form.row_upper]))]
    worst = max(((name, float(np.max(np.abs(v[np.isfinite(v)])))) for name, v in parts
                 if np.isfinite(v).any()), key=lambda kv: kv[1], default=("value", 0.0))
    return (f"HiGHS refused the model: a {worst[0]} of {worst[1]:.3g} is beyond what it "
            "accepts (1e15); check the dataset's magnitudes (siteplan validate)")


def solve_model(built: Built, options: SolverOptions, want_duals: bool = True,
                write_lp: Path | None = None) -> SolveResult:
    """Solve a built model with HiGHS; return status, objective, gap, bound, values, duals."""
    t0 = time.perf_counter()
    form = compile_form(built.model)
    highs = _pass_scaled(form, scaling.compute(form))
    load_s = time.perf_counter() - t0
    if write_lp is not None:  # in input units, as the model states it
        writer = _pass_model(form)
        if (writer.writeModel(str(write_lp)) == highspy.HighsStatus.kError
                or not Path(write_lp).is_file()):
            raise OutputIOError(f"--write-lp {write_lp}: HiGHS could not write the model "
                                "there (expected a writable .lp or .mps path)")
    result = _solve_loaded(highs, built, form, options, want_duals, warm=None,
                           deadline=deadline_of(options, t0))
    result.load_s = load_s
    return result


def deadline_of(options: SolverOptions, started: float) -> float:
    """The monotonic-clock deadline of a solve started at ``started`` (``perf_counter``)."""
    return time.monotonic() + options.time_limit_s - (time.perf_counter() - started)


def _solve_loaded(highs, built: Built, form: Form, options: SolverOptions, want_duals: bool,
                  warm: _Warm | None, deadline: float | None = None) -> SolveResult:
    """The solve strategy (module docstring) on a HiGHS model holding ``form`` of ``built``."""
    result = solve_highs(highs, form.integer, options,
                         siting_of(built, form.var_col, form.con_row), want_duals, warm, deadline)
    result.var_col, result.con_row = form.var_col, form.con_row
    verify.settle(result, form, scaling.of(highs))
    if result.has_solution:
        _load_into_pyomo(built.model, result)
    return result


def solve_highs(highs: highspy.Highs, integer: np.ndarray, options: SolverOptions,
                siting: Siting, want_duals: bool = True, warm: _Warm | None = None,
                deadline: float | None = None) -> SolveResult:
    """The solve strategy on any HiGHS model: LP, relax-and-fix, branch and bound, duals.

    ``integer`` marks the integer columns and ``siting`` says where the siting columns are;
    nothing here needs Pyomo, so a model built another way (``benchmarks/``) is solved by
    exactly the same path. ``deadline`` (monotonic clock) defaults to now + the time limit.
    """
    _configure(highs, options)
    if deadline is None:
        deadline = time.monotonic() + options.time_limit_s
    # branch and bound leaves the duals LP its share (an LP answer carries its own duals)
    mip_deadline = deadline - DUALS_SHARE * options.time_limit_s if want_duals else deadline
    only_open = bool(integer.any()) and set(np.flatnonzero(integer)) <= set(
        siting.open_col[siting.open_col >= 0].tolist()) | set(siting.count_col.tolist())
    if not integer.any():
        result = _run(highs, deadline, is_mip=False, method="lp", warm=warm)
    elif options.strategy == "auto" and only_open:
        result = _relax_and_fix(highs, siting, integer, options, mip_deadline, warm)
    else:
        result = _branch_and_bound(highs, mip_deadline, options, None, None, hint=_hint(warm))
    if result.has_solution and want_duals and result.row_dual is None:
        _fixed_integer_duals(highs, result, integer, deadline, siting.count_col)
    return result


@dataclass(frozen=True)
class Siting:
    """Where relax-and-fix finds the siting decisions among the columns.

    Y year blocks (1 for a single year) x S site options. ``open_col[y, s]`` is the column of
    open[s] in year y (-1 where it is not a column: fixed by existing capacity). Capacity
    column ``cap_col[i]`` (MW-IT) belongs to option ``cap_site[i]`` in year ``cap_year[i]``.
    ``locations[y]`` maps each location to its options in year y (at most one opens);
    ``preset[y, s]`` is true for an option open before the solve (existing capacity, or fixed
    open).
    """

    open_col: np.ndarray  # (Y, S) int
    cap_year: np.ndarray  # int per capacity column
    cap_site: np.ndarray  # int per capacity column
    cap_col: np.ndarray  # int per capacity column
    locations: tuple[dict[int, np.ndarray], ...]  # per year: location -> its options
    preset: np.ndarray  # (Y, S) bool
    links: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # strong-link rows
    # whole-unit counts (systems, modules: model/modules.py), rounded up by relax-and-fix
    count_col: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def capacity(self, x: np.ndarray) -> np.ndarray:
        """(Y, S) MW-IT of each option in each year at the column values ``x``."""
        cap = np.zeros(self.open_col.shape)
        np.add.at(cap, (self.cap_year, self.cap_site), x[self.cap_col])
        return cap

    def units(self) -> list[tuple[int, int, int]]:
        """(year, option, column) of every free open[s]."""
        ys, ss = np.nonzero(self.open_col >= 0)
        return [(int(y), int(s), int(self.open_col[y, s])) for y, s in zip(ys, ss, strict=True)]


def siting_of(built: Built, var_col: dict[int, int],
              con_row: dict[object, int] | None = None) -> Siting:
    """The :class:`Siting` of a built siteplan model (a single year or a pathway's years);
    with ``con_row``, also the rows of its strong links (family 13, separated lazily)."""
    years = built.years
    n_s = len(years[0].data.sites)
    open_col = np.full((len(years), n_s), -1, dtype=np.int64)
    preset = np.zeros((len(years), n_s), dtype=bool)
    cy, cs, cc = [], [], []
    for y, ctx in enumerate(years):
        b, d, L = ctx.block, ctx.data, ctx.layout
        for s in b.v_open:
            v = b.v_open[s]
            open_col[y, s] = var_col.get(id(v), -1)
            preset[y, s] = d.site_existing_mw[s] > 0 or (v.fixed and v.value == 1)
        for j, (s, _h) in enumerate(L.site_hw):
            col = var_col.get(id(b.v_cap_mw[j]))
            if col is not None:
                cy.append(y), cs.append(s), cc.append(col)
    locs = tuple(dict(ctx.layout.sites_of_location) for ctx in years)
    links = sorted(con_row[c] for ctx in years if hasattr(ctx.block, "c_strong_link")
                   for c in ctx.block.c_strong_link.values() if c in con_row) if con_row else []
    counts = [var_col[id(v)] for ctx in years for name in ("v_systems", "v_modules")
              if hasattr(ctx.block, name)
              for v in getattr(ctx.block, name).values() if id(v) in var_col]
    return Siting(open_col, np.asarray(cy, np.int64), np.asarray(cs, np.int64),
                  np.asarray(cc, np.int64), locs, preset, links=np.asarray(links, np.int64),
                  count_col=np.asarray(counts, np.int64))


@dataclass
class _Warm:
    """What one point of a sweep hands the next on the same HiGHS model."""

    strategy: int  # simplex strategy for the main LP: primal after cost changes, dual after bounds
    basis: highspy.HighsBasis | None = None  # optimal basis of the last main LP (or relaxation)
    incumbent: np.ndarray | None = None  # the last plan's columns, a branch-and-bound start
    held: bool = False  # simplex from the basis HiGHS holds (its rows change between runs)


class PersistentHighs:
    """One HiGHS model kept across a sequence of solves of models with the same structure.

    A new model is compiled (:func:`compile_form`); if its columns and rows are the ones held
    (:func:`siteplan.standard_form.structure`), only the costs, bounds and matrix entries that
    differ are changed in HiGHS, and the main LP (the LP itself, or a MIP's relaxation) starts
    from the last optimal basis: primal simplex when only costs changed (the basis stays
    primal feasible), dual simplex when only bounds changed (it stays dual feasible). A MIP
    that goes to branch and bound gets the last plan as a start. Otherwise HiGHS is loaded
    afresh, as :func:`solve_model` does. The status and gap rules are the same.
    """

    DUAL, PRIMAL, CHOOSE = 1, 4, 0  # HiGHS simplex_strategy values

    def __init__(self) -> None:
        self.highs: highspy.Highs | None = None
        self.form: Form | None = None
        self.key: bytes = b""
        self.warm: _Warm | None = None
        self.reused = False  # whether the last solve re-used the held model

    def solve(self, built: Built, options: SolverOptions,
              want_duals: bool = True) -> SolveResult:
        t0 = time.perf_counter()
        form = compile_form(built.model)
        key = structure(form)
        self.reused = self.highs is not None and key == self.key
        sc = scaling.compute(form)  # the scaling a fresh solve would use (same answer)
        if self.reused:
            changed = _update(self.highs, self.form, sc.form(form))
            scaling.attach(self.highs, sc)
            self.warm.strategy = (self.PRIMAL if changed == {"cost"} else
                                  self.DUAL if changed <= {"bounds"} else self.CHOOSE)
        else:
            self.highs, self.key = _pass_scaled(form, sc), key
            self.warm = _Warm(self.CHOOSE)  # no basis yet: the first solve is a fresh one
        load_s = time.perf_counter() - t0
        result = _solve_loaded(self.highs, built, form, options, want_duals, self.warm,
                               deadline_of(options, t0))
        result.load_s = load_s
        self.form = replace(sc.form(form), cols=[], rows=[])  # what HiGHS holds (numbers only)
        if result.has_solution:
            self.warm.incumbent = result.col_value
        return result


def _update(highs: highspy.Highs, old: Form, new: Form) -> set[str]:
    """Pass ``new``'s numbers to a HiGHS model holding ``old`` (same structure); return the
    kinds that changed: ``cost``, ``bounds`` (column or row), ``matrix``."""
    changed: set[str] = set()
    n, n_rows = len(new.cols), len(new.rows)
    cols = np.arange(n, dtype=np.int32)
    if not np.array_equal(old.cost, new.cost):
        highs.changeColsCost(n, cols, new.cost)
        changed.add("cost")
    if old.offset != new.offset:
        highs.changeObjectiveOffset(new.offset)
        changed.add("cost")
    if not (np.array_equal(old.col_lower, new.col_lower)
            and np.array_equal(old.col_upper, new.col_upper)):
        changed.add("bounds")
    # always: the MIP stages leave integer columns fixed or relaxed
    highs.changeColsBounds(n, cols, new.col_lower, new.col_upper)
    if new.integer.any():
        _set_integrality(highs, np.flatnonzero(new.integer).astype(np.int32), integer=True)
    if not (np.array_equal(old.row_lower, new.row_lower)
            and np.array_equal(old.row_upper, new.row_upper)):
        highs.changeRowsBounds(n_rows, np.arange(n_rows, dtype=np.int32), new.row_lower,
                               new.row_upper)
        changed.add("bounds")
    diff = (new.A - old.A).tocoo()
    at = diff.data != 0
    if at.any():
        rows, cols = diff.row[at], diff.col[at]
        for i, j, v in zip(rows.tolist(), cols.tolist(),
                           np.asarray(new.A[rows, cols]).ravel().tolist(), strict=True):
            highs.changeCoeff(i, j, v)
        changed.add("matrix")
    return changed


def _configure(highs: highspy.Highs, options: SolverOptions) -> None:
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", int(options.threads))
    highs.setOptionValue("random_seed", int(options.seed))
    highs.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    highs.setOptionValue("mip_abs_gap", 0.0)  # gaps are relative: no unit enters
    highs.HandleUserInterrupt = True


def _lp_method(highs: highspy.Highs, warm: _Warm | None = None, vertex: bool | None = True
               ) -> bool:
    """IPM for large LPs, HiGHS's choice otherwise; simplex from ``warm``'s basis if any.
    Returns whether the run ends at an interior point (IPM without crossover).

    ``vertex``: a large LP's interior solution is crossed over to a vertex (a basis, exact
    complementarity); without, the interior point is the answer (a MIP relaxation that only
    gives a bound and a rounding guide: crossover is most of its time on this family). Above
    ``CROSSOVER_MAX_COLS`` columns every LP ends at its interior point: crossover of this
    degenerate family ran for over 10 minutes on one LP of the 248k-column national benchmark.
    ``vertex=None`` crosses over whatever the size (the fallback of :func:`_run`).
    """
    if warm is not None and (warm.basis is not None or warm.held):
        highs.setOptionValue("solver", "simplex")
        highs.setOptionValue("simplex_strategy", warm.strategy)
        if warm.basis is not None:
            highs.setBasis(warm.basis)
        return False
    n = highs.getNumCol()
    highs.setOptionValue("solver", "ipm" if n >= IPM_MIN_COLS else "choose")
    highs.setOptionValue("simplex_strategy", 1)  # HiGHS's default (dual)
    crossover = n < IPM_MIN_COLS or vertex is None or (vertex and n <= CROSSOVER_MAX_COLS)
    highs.setOptionValue("run_crossover", "on" if crossover else "off")
    return not crossover


def _run(highs: highspy.Highs, deadline: float, is_mip: bool, method: str,
         warm: _Warm | None = None, vertex: bool | None = True, watched: bool = True
         ) -> SolveResult:
    """One HiGHS run under the watchdog; read status, objective, bound and gap.

    An LP run with ``warm`` starts from its basis (if any) and leaves its optimal basis there.
    ``vertex=False`` lets a large LP end at an interior point (:func:`_lp_method`); if that
    point is not usable (IPX "imprecise" without valid solutions), the LP is solved again
    with crossover in the time left, rather than ending without a plan. ``watched=False``
    (LPs side by side, :func:`_side_by_side`) leaves the clock to HiGHS's own time limit,
    which LPs honour: highspy's ``startSolve`` lets one model of a process run at a time
    (its locks are class attributes, highspy 1.16), so those call the binding's run directly.
    """
    left = deadline - time.monotonic()
    if left <= 0:
        return SolveResult(Status.TIME_LIMIT, "Time limit reached", None, None, None, is_mip,
                           0.0, method)
    clock0 = highs.getRunTime()  # HiGHS's clock keeps running across runs of one instance
    highs.setOptionValue("time_limit", float(clock0 + left))  # so the limit is on that clock
    interior = not is_mip and _lp_method(highs, warm, vertex)
    if watched:
        thread = highs.startSolve()
        while not highs.wait(0.05)[0]:
            if time.monotonic() > deadline + WATCHDOG_GRACE_S:
                highs.cancelSolve()
        thread.join()
    else:
        highspy.Highs.__bases__[0].run(highs)  # the C++ run: releases the GIL, no lock
    result = _read(highs, is_mip, method)
    result.solve_s = float(highs.getRunTime() - clock0)  # HiGHS's own clock, this run
    if interior and result.status == Status.ERROR:
        again = _run(highs, deadline, is_mip, method, warm, vertex=None, watched=watched)
        again.solve_s += result.solve_s
        return again
    if warm is not None and not warm.held and not is_mip and result.status == Status.OPTIMAL:
        basis = highs.getBasis()
        warm.basis = basis if basis.valid else None  # an interior point has none
    return result


def _read(highs: highspy.Highs, is_mip: bool, method: str) -> SolveResult:
    status = highs.getModelStatus()
    info = highs.getInfo()
    feasible = info.primal_solution_status == 2
    sc = scaling.of(highs)  # HiGHS holds the scaled model; results are in input units
    obj = sc.objective(info.objective_function_value) if feasible else None
    if is_mip:
        finite = np.isfinite(info.mip_dual_bound)
        bound = sc.objective(info.mip_dual_bound) if finite else None
        gap = _gap(obj, bound)
    else:
        status, bound = _lp_bound(status, info, obj, sc)
        gap = 0.0 if bound is not None else None
    ours = HIGHS_STATUS.get(status, Status.ERROR)
    if ours == Status.OPTIMAL and not (gap is not None and gap <= PROVEN_GAP):
        ours = Status.GAP_LIMIT
    if ours == Status.FEASIBLE and not feasible:
        ours = Status.ERROR  # stopped early (objective bound/target) without any plan
    sol = highs.getSolution()
    col = sc.x(sol.col_value) if feasible else np.zeros(0)
    duals = sc.duals(sol.row_dual) if (not is_mip and sol.dual_valid) else None
    reduced = (np.asarray(sol.col_dual) / (sc.obj * sc.col)
               if (not is_mip and sol.dual_valid) else None)
    return SolveResult(
        status=ours, highs_status=highs.modelStatusToString(status), objective=obj, bound=bound,
        gap=gap, is_mip=is_mip, solve_s=0.0, method=method,
        nodes=int(max(info.mip_node_count, 0)) if is_mip else 0, col_value=col, row_dual=duals,
        col_dual=reduced,
        iterations=int(max(info.simplex_iteration_count, 0)),
    )


# every HiGHS model status, read: what it means for a siteplan solve
HIGHS_STATUS: dict[highspy.HighsModelStatus, Status] = {
    S.kOptimal: Status.OPTIMAL,  # GAP_LIMIT unless the proven gap is zero
    S.kTimeLimit: Status.TIME_LIMIT,
    S.kInterrupt: Status.TIME_LIMIT,  # only the watchdog interrupts, at the time limit
    S.kIterationLimit: Status.TIME_LIMIT,  # a drop move's budget (_improve_by_dropping)
    S.kSolutionLimit: Status.TIME_LIMIT,
    S.kObjectiveBound: Status.FEASIBLE,  # siteplan sets neither; a plan if one is held
    S.kObjectiveTarget: Status.FEASIBLE,
    S.kInfeasible: Status.INFEASIBLE,
    S.kUnbounded: Status.UNBOUNDED,
    S.kUnboundedOrInfeasible: Status.UNBOUNDED,
    S.kNotset: Status.ERROR,
    S.kLoadError: Status.ERROR,
    S.kModelError: Status.ERROR,
    S.kPresolveError: Status.ERROR,
    S.kSolveError: Status.ERROR,
    S.kPostsolveError: Status.ERROR,
    S.kModelEmpty: Status.ERROR,  # a siteplan model always has columns
    S.kUnknown: Status.ERROR,  # (an interior point may still be usable: _lp_bound)
    **({S.kMemoryLimit: Status.ERROR} if hasattr(S, "kMemoryLimit") else {}),
    # cancelSolve: only the watchdog cancels, at the time limit
    **({S.kHighsInterrupt: Status.TIME_LIMIT} if hasattr(S, "kHighsInterrupt") else {}),
}


def _lp_bound(status, info, obj: float | None, sc: scaling.Scaling):
    """An LP's status and lower bound. A vertex optimum is its own bound. An interior point
    (crossover off) is accepted when HiGHS calls it optimal, or when IPX ends "imprecise" with
    both its primal and dual solutions valid; its bound is the objective less the
    primal-dual objective gap HiGHS reports (|p - d| / (1 + |p| + |d|) in its scaled units),
    so a gap read against it is no smaller than the true one."""
    interior = info.basis_validity != 1 and info.ipm_iteration_count > 0
    usable = status == S.kOptimal or (
        status == S.kUnknown and interior and info.primal_solution_status == 2
        and info.dual_solution_status == 2)
    if obj is None or not usable:
        return status, None
    if not interior:
        return S.kOptimal, obj
    p = info.objective_function_value
    err = abs(info.primal_dual_objective_error) * (1 + 2 * abs(p))
    return S.kOptimal, obj - sc.objective(err)


def _relax_and_fix(highs, siting: Siting, integer, options, deadline, warm) -> SolveResult:
    """Stage 1 (see module docstring); falls through to branch and bound if the gap is wide.

    With ``warm``, the relaxation starts from its basis (and ends with a vertex, for the next
    point); without, a large relaxation is an interior point without crossover, whose bound
    is its objective less the primal-dual objective error HiGHS reports. Branch and bound,
    if it runs without an incumbent of this point, gets the last point's plan as a start.
    """
    every = np.flatnonzero(integer).astype(np.int32)
    counts = np.intersect1d(every, siting.count_col).astype(np.int32)
    cols = np.setdiff1d(every, counts).astype(np.int32)  # open[s]
    lp = highs.getLp()
    lower = np.asarray(lp.col_lower_)[every].copy()
    upper = np.asarray(lp.col_upper_)[every].copy()
    _set_integrality(highs, every, integer=False)
    links = siting.links.astype(np.int32)
    warm_basis = warm is not None and warm.basis is not None
    # not in a sweep (``warm``): there the relaxation ends at a vertex, for the next point
    if (len(links) and warm is None and lp.num_col_ >= LINKS_LEFT_OUT_MIN_COLS
            and (len(links) < LAZY_LINKS or len(counts))):
        relaxed, row_lo, row_hi = _relax_without_links(highs, links, deadline)

        def with_links() -> SolveResult:  # the relaxation whole: a tighter bound
            highs.changeRowsBounds(len(links), links, row_lo, row_hi)
            _set_integrality(highs, every, integer=False)
            try:
                return _run(highs, deadline, is_mip=False, method="relax-and-fix",
                            vertex=False)
            finally:
                _set_integrality(highs, every, integer=True)

        try:
            res = _fix_from(highs, relaxed, siting, integer, options, deadline, warm, every,
                            counts, lower, upper, tighten=with_links)
            res.links = relaxed.links
            return res
        finally:  # the rows again for the duals LP
            highs.changeRowsBounds(len(links), links, row_lo, row_hi)
    if (len(links) < LAZY_LINKS or len(counts)  # whole units: all rows (rounding on highs)
            or warm_basis):
        relaxed = _run(highs, deadline, is_mip=False, method="relax-and-fix", warm=warm,
                       vertex=warm is not None)
        return _fix_from(highs, relaxed, siting, integer, options, deadline, warm, every,
                         counts, lower, upper)
    relaxed, added, fixed_lp = _separate_links(highs, links, cols, deadline)
    unused = links[~added]  # free rows while the stages run (presolve drops them) ...
    row_lo = np.asarray(lp.row_lower_)[unused].copy()
    row_hi = np.asarray(lp.row_upper_)[unused].copy()
    inf = np.full(len(unused), highspy.kHighsInf)
    highs.changeRowsBounds(len(unused), unused, -inf, inf)
    try:
        res = _fix_from(highs, relaxed, siting, integer, options, deadline, warm, every,
                        counts, lower, upper, fixed_lp)
        res.links = relaxed.links
        return res
    finally:  # ... and rows again for the duals LP and the next point of a sweep
        highs.changeRowsBounds(len(unused), unused, row_lo, row_hi)


def _fix_from(highs, relaxed: SolveResult, siting: Siting, integer, options, deadline, warm,
              every, counts, lower, upper, fixed_lp=None, tighten=None) -> SolveResult:
    """Relax-and-fix from the relaxation ``relaxed``, then branch and bound if needed;
    ``every`` integer columns, of which ``counts`` whole-unit counts (rounded up on
    ``highs``: only without ``fixed_lp``), the rest open[s]; ``fixed_lp(values)`` solves the
    LP with the open columns fixed (default: on ``highs``). ``tighten()``, if given, solves
    a tighter relaxation (``relaxed`` left rows out): asked only if the gap is wide.
    """
    cols = np.setdiff1d(every, counts).astype(np.int32)
    spent = relaxed.solve_s
    if relaxed.status != Status.OPTIMAL:
        _set_integrality(highs, every, integer=True)
        if relaxed.status in (Status.INFEASIBLE, Status.UNBOUNDED):
            return relaxed
        return _branch_and_bound(highs, deadline, options, None, None, spent, _hint(warm))
    bound = relaxed.bound
    starts = [_round_open(siting, relaxed.col_value, cols, share) for share in (ROUND_SHARE, 0.0)]
    # side by side only where every drop LP starts from nothing (no basis carried over)
    at_once = min(int(options.threads), DROPS_AT_ONCE_MAX) if (
        fixed_lp is None and warm is None and highs.getNumCol() >= IPM_MIN_COLS) else 1
    inc, fixed, lp_s, cut = _improve_by_dropping(highs, siting, cols, starts, deadline,
                                                 fixed_lp, relaxed.iterations,
                                                 DROP_SAVING_SHARE * options.mip_rel_gap,
                                                 at_once)
    spent += lp_s
    if relaxed.links:
        relaxed.links["fixed_lps_s"] = round(lp_s, 2)
    if len(counts) and inc.status == Status.OPTIMAL and not cut:
        open_fixed = inc  # the options fixed at the answer, the counts continuous: the duals LP
        inc = _round_counts_up(highs, counts, inc, deadline)
        spent += inc.solve_s
        inc.row_dual = open_fixed.row_dual  # not its own: they have the counts fixed
    highs.changeColsBounds(len(every), every, lower, upper)
    _set_integrality(highs, every, integer=True)
    if inc.status == Status.OPTIMAL and not cut:  # cut by the clock: never called within gap
        if tighten is not None and not _within(inc.objective, bound, options):
            tight = tighten()
            spent += tight.solve_s
            if tight.status == Status.OPTIMAL and tight.bound > bound:
                relaxed, bound = tight, tight.bound
        if _within(inc.objective, bound, options):
            gap = _gap(inc.objective, bound)
            inc.is_mip, inc.bound, inc.gap, inc.solve_s = True, bound, gap, spent
            inc.bound_dual, inc.bound_lp = relaxed.row_dual, bound  # siteplan.verify
            inc.status = Status.OPTIMAL if gap <= PROVEN_GAP else Status.GAP_LIMIT
            inc.highs_status = "Optimal (LP relaxation bound, relax-and-fix incumbent)"
            return inc
    start = inc if inc.status == Status.OPTIMAL else None
    res = _branch_and_bound(highs, deadline, options, start, bound, spent, _hint(warm))
    res.bound_dual, res.bound_lp = relaxed.row_dual, bound  # siteplan.verify
    return res


LAZY_LINKS = 20_000  # more strong-link rows than this: separated lazily (_separate_links)
LINKS_LEFT_OUT_MIN_COLS = IPM_MIN_COLS  # relaxations this large: first without the links


def _within(objective: float | None, bound: float | None, options: SolverOptions) -> bool:
    gap = _gap(objective, bound)
    return gap is not None and gap <= options.mip_rel_gap


def _relax_without_links(highs: highspy.Highs, links: np.ndarray, deadline: float):
    """The LP relaxation with the strong-link rows left out (free rows, which presolve drops).

    Without them the LP is a relaxation of the relaxation: its objective is a valid bound,
    and on the China models as tight (to 1e-9: the links do not bind there) at a fraction of
    the time (the interior point of China 2026 in 10 s instead of 12 s, of the 24 h pathway
    in 15 s instead of 27 s). The caller solves the whole relaxation only if relax-and-fix
    ends outside the gap. Returns the LP (``links``: the largest link violation of its
    solution, HiGHS units) and the links' row bounds, which the caller restores after the
    fixed LPs (with the openings integral every link is implied) and branch and bound (where
    they are cuts).
    """
    lp = highs.getLp()
    row_lo = np.asarray(lp.row_lower_)[links].copy()
    row_hi = np.asarray(lp.row_upper_)[links].copy()
    inf = np.full(len(links), highspy.kHighsInf)
    highs.changeRowsBounds(len(links), links, -inf, inf)
    relaxed = _run(highs, deadline, is_mip=False, method="relax-and-fix", vertex=False)
    if relaxed.status == Status.OPTIMAL:
        act = _rows_of(lp, links) @ scaling.of(highs).x_scaled(relaxed.col_value)
        worst = float(np.max(np.maximum(act - row_hi, row_lo - act), initial=0.0))
        relaxed.links = {"rows": len(links), "separated": 0, "rounds": 0,
                         "relaxation_bound_without": relaxed.bound,
                         "max_violation": round(worst, 9)}
    return relaxed, row_lo, row_hi


def _rows_of(lp: highspy.HighsLp, rows: np.ndarray) -> sp.csr_matrix:
    """Rows ``rows`` of ``lp``'s matrix (HiGHS units), as sparse rows."""
    A = sp.csc_matrix((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_),
                       np.asarray(lp.a_matrix_.start_)), shape=(lp.num_row_, lp.num_col_))
    return A.tocsr()[rows]


MAX_SEPARATION_ROUNDS = 200
SEPARATION_TOL = 1e-6  # a link row violated by more (HiGHS units; its feasibility tol 1e-7)


def _separate_links(highs: highspy.Highs, links: np.ndarray, cols: np.ndarray,
                    deadline: float):
    """The LP relaxation with the strong links (family 13) added only where it violates them.

    A copy of the (relaxed) model without the link rows is solved; the links its solution
    violates are added as rows and the LP re-solved by dual simplex from the basis HiGHS
    holds, until none is violated: then its optimum is the full relaxation's (every row
    holds), at a fraction of the rows (OR-Library capb: 9.5k of 100k). Stopped early (the
    clock, ``MAX_SEPARATION_ROUNDS``), its objective is still a valid bound (fewer rows).
    Returns the last LP (row duals on the model's rows, 0 on links never added), which
    links were added (branch and bound gets those, the rest stay out of its LPs: every
    integer plan satisfies them, they are cuts), and ``fixed_lp(values)``: the LP with the
    integer columns fixed at ``values``, solved on the separated copy by dual simplex from
    its last basis (with the openings fixed the links are implied, so its optimum is the
    full model's; duals again on the model's rows).
    """
    lp = highs.getLp()
    n_rows = lp.num_row_
    L = _rows_of(lp, links)
    hi = np.asarray(lp.row_upper_)[links]
    sc = scaling.of(highs)
    lazy = _copy_of(highs, lp)
    lazy.deleteRows(len(links), links)
    order = np.setdiff1d(np.arange(n_rows), links)  # lazy's rows, numbered as the model's
    added = np.zeros(len(links), dtype=bool)
    warm, spent, res, rows_of = _Warm(PersistentHighs.DUAL, held=True), 0.0, None, order
    without, rounds = None, 0
    for _ in range(MAX_SEPARATION_ROUNDS):
        scaling.attach(lazy, replace(sc, row=sc.row[order]))
        now = _run(lazy, deadline, is_mip=False, method="relax-and-fix", warm=warm)
        spent += now.solve_s
        lazy.setOptionValue("presolve", "off")  # from here on, from its basis
        if now.status != Status.OPTIMAL and res is not None:
            break  # the last optimum stands (a bound: fewer rows than the relaxation)
        res, rows_of = now, order
        if res.status != Status.OPTIMAL:
            break
        if without is None:
            without = res.bound
        new = np.flatnonzero((L @ sc.x_scaled(res.col_value) - hi > SEPARATION_TOL) & ~added)
        if not len(new):
            break
        rows = L[new]
        lazy.addRows(len(new), np.full(len(new), -highspy.kHighsInf), hi[new], rows.nnz,
                     rows.indptr.astype(np.int32), rows.indices.astype(np.int32), rows.data)
        added[new] = True
        order = np.concatenate([order, links[new]])
        rounds += 1
    res.solve_s = spent
    res.links = {"rows": len(links), "separated": int(added.sum()), "rounds": rounds,
                 "relaxation_bound_without": without, "separation_s": round(spent, 2)}

    def on_model_rows(r: SolveResult, rows: np.ndarray) -> SolveResult:
        if r.row_dual is not None:
            full = np.zeros(n_rows)
            full[rows] = r.row_dual
            r.row_dual = full
        return r

    def fixed_lp(values: np.ndarray, budget: int | None = None) -> SolveResult:
        lazy.changeColsBounds(len(cols), cols, values, values)  # lazy holds rows ``order``
        scaling.attach(lazy, replace(sc, row=sc.row[order]))
        with _iteration_budget(lazy, budget):
            res = _run(lazy, deadline, is_mip=False, method="relax-and-fix", warm=warm)
        return on_model_rows(res, order)

    return on_model_rows(res, rows_of), added, fixed_lp


def _round_counts_up(highs, counts, inc: SolveResult, deadline) -> SolveResult:
    """The fast path for whole units: with the options fixed, each count (systems, modules)
    goes up to the next whole number (down, if that is not feasible: a supply cap on a chip
    bought in systems; then to the nearest) and the LP is solved again; its plan is the
    incumbent."""
    x = inc.col_value[counts]
    res = inc
    for values in (np.ceil(x - 1e-6), np.floor(x + 1e-6), np.round(x)):
        values = np.maximum(values, 0.0)
        highs.changeColsBounds(len(counts), counts, values, values)
        res = _run(highs, deadline, is_mip=False, method="relax-and-fix")
        if res.status == Status.OPTIMAL:
            return res
    return res


MAX_DROP_TRIES = 20
DROPS_AT_ONCE_MAX = 8  # drop LPs side by side (solver.threads of them), each a model copy
DROP_SAVING_SHARE = 0.01  # a drop must be able to save 1 % of the accepted gap (mip_rel_gap)
DROP_MIN_ITERATIONS = 5_000  # simplex iterations a drop trial may take at least ...
DROP_ITERATION_FACTOR = 2  # ... or this many times the relaxation's (or first fixed LP's)
ITERATION_LIMIT = "Iteration limit reached"  # HiGHS's model status text


@contextmanager
def _iteration_budget(highs: highspy.Highs, budget: int | None):
    """Run the block with HiGHS's simplex iteration limit at ``budget`` (None: no limit)."""
    if budget is None:
        yield
        return
    highs.setOptionValue("simplex_iteration_limit", int(budget))
    try:
        yield
    finally:
        highs.setOptionValue("simplex_iteration_limit", highspy.kHighsIInf)
ROUND_SHARE = 0.01  # a location is opened if it holds this share of the year's largest


def _improve_by_dropping(highs, siting: Siting, cols, starts, deadline, fixed_lp=None,
                         relaxed_iterations: int = 0, min_saving: float = 0.0,
                         at_once: int = 1):
    """Fixed-open LP of the first rounding in ``starts`` that is feasible (the next ones,
    which open more, are fallbacks), then close opened options one at a time (smallest
    first) while it pays. Returns the best LP, its open values, the LP time and whether the
    time limit cut the moves short.

    The classic drop move of facility location: rounding opens every location the relaxation
    touched, and some carry their fixed cost for little work. A drop is tried only if it can
    save more than ``min_saving`` x the cost: the fixed LP's cost is convex in the value an
    open[s] is fixed at, so its reduced cost d bounds what closing saves (cost(0) >= cost(1)
    - d); d at most 0 means the drop cannot pay at all.

    ``at_once`` > 1 solves that many drop LPs side by side (on copies of the model), where
    each LP starts from nothing (an interior point: no basis carried from the last): the
    moves taken are the sequential ones, since a trial after the first that pays is dropped
    unseen, as if never tried.
    """
    def evaluate(values, budget=None):
        if fixed_lp is not None:
            return fixed_lp(values, budget)
        return _open_fixed(highs, cols, values, budget, deadline)

    best, fixed, spent = None, None, 0.0
    for start in {v.tobytes(): v for v in starts}.values():
        if best is not None and best.status == Status.OPTIMAL:
            break  # a later start is a fallback (it opens more): the drops refine the first
        res = evaluate(start)
        spent += res.solve_s
        if best is None or (res.status == Status.OPTIMAL and (
                best.status != Status.OPTIMAL or res.objective < best.objective)):
            best, fixed = res, start
    if best.status != Status.OPTIMAL:
        return best, fixed, spent, best.status == Status.TIME_LIMIT
    # a drop that leaves the plan infeasible can take dual simplex minutes to prove so (seen:
    # 52k iterations, 260 s, on china-2026 at 12 h slices): each trial gets a budget of
    # simplex iterations, a count (not a clock, so the plan does not depend on machine
    # speed); a trial over it is a drop that does not pay
    budget = max(DROP_MIN_ITERATIONS, DROP_ITERATION_FACTOR * max(
        best.iterations, relaxed_iterations))
    basis = highs.getBasis() if fixed_lp is None else None  # the last start's: near best's
    cut = False
    # bounded by work (MAX_DROP_TRIES LPs), not by a share of the clock: the plan must not
    # depend on machine speed; only the whole time limit stops it (status time_limit)
    units = siting.units()
    col_pos = {int(c): i for i, c in enumerate(cols)}
    tries, improved, twins = 0, True, None
    while improved and tries < MAX_DROP_TRIES:
        improved = False
        cap = siting.capacity(best.col_value)
        value = {(y, s): fixed[col_pos[col]] for y, s, col in units}
        # close an option in the first year it is open: a drop, or (pathway) a delay
        candidates = [(y, s, col) for y, s, col in units
                      if value[(y, s)] > 0.5 and value.get((y - 1, s), 0.0) < 0.5]
        can_save = _drop_savings(best, candidates, min_saving)
        order = [col for _y, _s, col in sorted(
            candidates, key=lambda u: (cap[u[0], u[1]], u[1], u[0])) if can_save.get(col, True)]
        done = False
        while order and not done and tries < MAX_DROP_TRIES:
            k = min(at_once, MAX_DROP_TRIES - tries)
            batch, order = order[:k], order[k:]
            trials = [fixed.copy() for _ in batch]
            for trial, col in zip(trials, batch, strict=True):
                trial[col_pos[col]] = 0.0
            if len(trials) == 1:
                results = [evaluate(trials[0], budget)]
            else:
                twins = twins or _twins(highs, at_once - 1)
                results = _side_by_side([highs, *twins], cols, trials, budget, deadline)
            spent += max(r.solve_s for r in results)
            for trial, res in zip(trials, results, strict=True):
                tries += 1
                if res.highs_status == ITERATION_LIMIT:  # restart the next from best's basis
                    if basis is not None and basis.valid:
                        highs.setBasis(basis)
                    continue
                if res.status == Status.TIME_LIMIT:
                    cut = done = True
                    break
                if res.status == Status.OPTIMAL and res.objective < best.objective * (1 - 1e-12):
                    best, fixed, improved, done = res, trial, True, True
                    basis = highs.getBasis() if fixed_lp is None else None
                    break
    highs.changeColsBounds(len(cols), cols, fixed, fixed)
    return best, fixed, spent, cut


def _copy_of(highs: highspy.Highs, lp: highspy.HighsLp | None = None) -> highspy.Highs:
    """A new silent HiGHS holding ``lp`` (default: the model ``highs`` holds now: bounds,
    free rows, relaxed integers), with ``highs``'s threads and seed (no scaling attached)."""
    with capture_output(capture_fd=True):
        copy = highspy.Highs()
        copy.setOptionValue("output_flag", False)
    copy.passModel(highs.getLp() if lp is None else lp)
    for name in ("threads", "random_seed"):
        got = highs.getOptionValue(name)  # (status, value) in this highspy
        copy.setOptionValue(name, got[1] if isinstance(got, tuple) else got)
    return copy


def _twins(highs: highspy.Highs, n: int) -> list[highspy.Highs]:
    """``n`` copies of the model ``highs`` holds now, with its scaling, for LPs beside it."""
    out = [_copy_of(highs) for _ in range(n)]
    for twin in out:
        scaling.attach(twin, scaling.of(highs))
    return out


def _side_by_side(models: list[highspy.Highs], cols, trials, budget, deadline
                  ) -> list[SolveResult]:
    """The LP of each of ``trials`` (open[s] values at ``cols``), one per model, run at once."""
    def one(highs, values):
        return _open_fixed(highs, cols, values, budget, deadline, watched=False)

    with ThreadPoolExecutor(max_workers=len(trials)) as pool:
        return list(pool.map(one, models[:len(trials)], trials))


def _open_fixed(highs, cols, values, budget, deadline, watched: bool = True) -> SolveResult:
    """The LP with the open[s] columns ``cols`` fixed at ``values``, within ``budget``
    simplex iterations (None: no limit)."""
    highs.changeColsBounds(len(cols), cols, values, values)
    with _iteration_budget(highs, budget):
        return _run(highs, deadline, is_mip=False, method="relax-and-fix", watched=watched)


def _drop_savings(best: SolveResult, candidates, min_saving: float) -> dict[int, bool]:
    """Per open[s] column of ``candidates``: whether closing it may save more than
    ``min_saving`` x ``best``'s cost (its reduced cost in ``best``; every drop may, without
    reduced costs)."""
    if best.col_dual is None or best.objective is None:
        return {}
    floor = max(min_saving * abs(best.objective), 0.0)
    return {col: bool(best.col_dual[col] > floor) for _y, _s, col in candidates}


def _round_open(siting: Siting, x: np.ndarray, cols: np.ndarray, share: float) -> np.ndarray:
    """Open, at each location the relaxation uses, the option with the largest capacity; in a
    pathway, an option open in one year stays open in the later ones.

    "Uses" means more than ``share`` of the year's largest location (and 1e-6 MW): an interior
    relaxation (no crossover) spreads dust over every location of its optimal face, which a
    vertex does not; with ``share`` 0 every location with capacity is opened.
    """
    value = {int(c): 0.0 for c in cols}
    cap = siting.capacity(x)
    chosen_before: dict[int, int] = {}
    for y, locations in enumerate(siting.locations):
        floor = max(1e-6, share * (cap[y].max() if cap.shape[1] else 0.0))
        for loc, sites in locations.items():
            best = sites[np.argmax(cap[y, sites])]
            existing = [s for s in sites if siting.preset[y, s]]
            chosen = existing[0] if existing else chosen_before.get(
                loc, best if cap[y, best] > floor else None)
            if chosen is None:
                continue
            chosen_before[loc] = int(chosen)
            col = int(siting.open_col[y, int(chosen)])
            if col >= 0:  # a fixed option (existing capacity) is a constant, not a column
                value[col] = 1.0
    return np.array([value[int(c)] for c in cols], dtype=float)


def _hint(warm: _Warm | None) -> np.ndarray | None:
    return warm.incumbent if warm is not None else None


def _branch_and_bound(highs, deadline, options, start: SolveResult | None, bound,
                      spent=0.0, hint: np.ndarray | None = None) -> SolveResult:
    """HiGHS branch and bound, warm-started from ``start`` (a relax-and-fix incumbent).

    If HiGHS ends without a plan of its own (clock, numerical failure), the incumbent stands,
    with the relaxation's bound: status ``time_limit`` or ``feasible``, never ``optimal``.
    Without ``start``, ``hint`` (another point's plan) is offered as a start; HiGHS checks
    it, and it is never the answer by itself.
    """
    if start is not None:
        highs.setSolution(_solution(highs, start.col_value))
    elif hint is not None:
        highs.setSolution(_solution(highs, hint))
    res = _run(highs, deadline, is_mip=True, method="branch-and-bound")
    if (start is not None or hint is not None) and _start_misread(highs, res):
        highs.clearSolver()  # drops the start: the search runs again from nothing
        again = _run(highs, deadline, is_mip=True, method="branch-and-bound")
        again.solve_s += res.solve_s
        res = again
        if start is not None and res.has_solution and res.objective > start.objective:
            res.objective, res.col_value = start.objective, start.col_value  # the better plan
    res.solve_s += spent
    if not res.has_solution and start is not None:
        stopped, total_s = res.status, res.solve_s
        res = start
        res.solve_s, res.is_mip, res.bound, res.method = total_s, True, bound, "relax-and-fix"
        res.gap = _gap(res.objective, bound)
        res.status = Status.TIME_LIMIT if stopped == Status.TIME_LIMIT else Status.FEASIBLE
        res.highs_status = f"branch and bound ended: {stopped.value}; relax-and-fix incumbent"
        res.row_dual = start.row_dual
        return res
    if bound is not None and res.objective is not None:
        res.bound = max(bound, res.bound) if res.bound is not None else bound
        res.gap = _gap(res.objective, res.bound)
    return res


def _start_misread(highs: highspy.Highs, res: SolveResult) -> bool:
    """Whether HiGHS's objective disagrees with its own plan's (rel 1e-6).

    HiGHS 1.16 values a MIP start in presolve's reduced space without the objective offset of
    the columns presolve removed ("MIP start solution is feasible in the reduced space:
    objective value is 0"), takes that as its incumbent and stops: a tiny case reported
    `optimal` at 0 for a plan costing 1,752,000 (siteplan.verify then said `unverified`)."""
    if not res.has_solution:
        return False
    lp = highs.getLp()
    x = scaling.of(highs).x_scaled(res.col_value)
    own = float(np.asarray(lp.col_cost_) @ x) + lp.offset_
    said = highs.getInfo().objective_function_value
    return abs(own - said) > 1e-6 * max(1.0, abs(own))


def _solution(highs: highspy.Highs, col_value: np.ndarray) -> highspy.HighsSolution:
    sol = highspy.HighsSolution()
    sol.col_value = list(scaling.of(highs).x_scaled(col_value))
    sol.value_valid = True
    return sol


def _set_integrality(highs: highspy.Highs, cols: np.ndarray, integer: bool) -> None:
    kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
    highs.changeColsIntegrality(len(cols), cols, np.full(len(cols), kind))


def _gap(obj: float | None, bound: float | None) -> float | None:
    if obj is None or bound is None:
        return None
    return max(0.0, obj - bound) / max(abs(obj), 1e-9)


def _load_into_pyomo(m: pyo.ConcreteModel, result: SolveResult) -> None:
    col = result.col_value
    for var in m.component_data_objects(pyo.Var, descend_into=True):
        j = result.var_col.get(id(var))
        if j is not None:
            var.set_value(float(col[j]), skip_validation=True)


def _fixed_integer_duals(highs, result: SolveResult, integer: np.ndarray, deadline,
                         counts: np.ndarray = ()) -> None:
    """Fix integer columns at the answer, re-solve as an LP, keep the row duals. Whole-unit
    ``counts`` are relaxed, not fixed: fixed, a supply cap on a chip bought in systems would
    never bind and its shadow price would read 0."""
    every = np.flatnonzero(integer).astype(np.int32)
    cols = np.setdiff1d(every, np.asarray(counts, dtype=np.int32)).astype(np.int32)
    vals = np.round(result.col_value[cols])
    highs.changeColsBounds(len(cols), cols, vals, vals)
    _set_integrality(highs, every, integer=False)
    lp = _run(highs, deadline, is_mip=False, method="duals")  # within the time limit
    result.dual_solve_s = lp.solve_s
    if lp.status == Status.OPTIMAL:
        result.row_dual = lp.row_dual
