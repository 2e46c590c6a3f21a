"""The model as sparse standard-form arrays: what HiGHS receives.

``compile_form`` runs Pyomo's ``LinearStandardFormCompiler`` (one walk over every expression;
fixed variables become constants). ``structure`` says which columns and rows a form has, so
that a sweep can tell whether a new point's form fits the HiGHS model it already holds (then
only changed numbers are passed on; see ``siteplan.solve.PersistentHighs``).

Rows: ``bound_type`` -1 is ``>=``, 0 is ``==``, 1 is ``<=`` (a ranged constraint is two rows).
The objective is in the model's (scaled) units, minimised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from siteplan.errors import SolverError


@dataclass
class Form:
    """min cost x + offset  s.t.  row_lower <= A x <= row_upper, col_lower <= x <= col_upper."""

    cols: list  # VarData of each column
    rows: list  # (ConstraintData, bound_type) of each row
    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray  # bool per column
    row_lower: np.ndarray
    row_upper: np.ndarray
    A: sp.csc_matrix  # sorted indices

    @property
    def var_col(self) -> dict[int, int]:
        """id(VarData) -> column."""
        return {id(v): j for j, v in enumerate(self.cols)}

    @property
    def con_row(self) -> dict:
        """ConstraintData -> row (the last row of a ranged constraint)."""
        return {c: i for i, (c, _) in enumerate(self.rows)}


def _col_arrays(cols: list):
    lower = np.array([-np.inf if v.lb is None else v.lb for v in cols], dtype=float)
    upper = np.array([np.inf if v.ub is None else v.ub for v in cols], dtype=float)
    fixed = np.array([v.fixed for v in cols], dtype=bool)
    if fixed.any():
        val = np.array([v.value for v in cols], dtype=float)
        lower[fixed] = upper[fixed] = val[fixed]
    integer = np.array([v.is_integer() for v in cols], dtype=bool)
    return lower, upper, integer


def _row_bounds(kind: np.ndarray, rhs: np.ndarray):
    return np.where(kind <= 0, rhs, -np.inf), np.where(kind >= 0, rhs, np.inf)


def compile_form(m: pyo.ConcreteModel) -> Form:
    """Compile ``m`` with Pyomo's standard-form compiler (one walk over every expression)."""
    info = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
    if info.eliminated_vars:
        raise SolverError("internal: the standard form eliminated variables")
    cols = list(info.columns)
    lower, upper, integer = _col_arrays(cols)
    kind = np.array([r.bound_type for r in info.rows], dtype=int)
    row_lo, row_hi = _row_bounds(kind, np.asarray(info.rhs, dtype=float))
    A = info.A.tocsc()
    A.sort_indices()
    cost = np.asarray(info.c.toarray()).ravel() if info.c.shape[0] else np.zeros(len(cols))
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    return Form(cols, [(r.constraint, r.bound_type) for r in info.rows], cost, offset,
                lower, upper, integer, row_lo, row_hi, A)


def _positions(m: pyo.ConcreteModel, ctype) -> dict[int, int]:
    """id(data) -> component number x 2^32 + position in the component, for one model."""
    kw = {"active": True} if ctype is pyo.Constraint else {}
    out: dict[int, int] = {}
    for ci, comp in enumerate(m.component_objects(ctype, descend_into=True, **kw)):
        base = ci << 32
        for i, data in enumerate(comp.values()):
            out[id(data)] = base + i
    return out


def structure(form: Form) -> bytes:
    """What must agree for one HiGHS model to stand for two forms: every column and row by
    component and position (and bound type), and which columns are integer."""
    m = form.cols[0].model() if form.cols else None
    if m is None:
        return b""
    var_at, con_at = _positions(m, pyo.Var), _positions(m, pyo.Constraint)
    cols = np.fromiter((var_at[id(v)] for v in form.cols), np.int64, len(form.cols))
    rows = np.fromiter((con_at[id(c)] * 4 + kind + 1 for c, kind in form.rows), np.int64,
                       len(form.rows))
    return b"".join((np.int64(len(cols)).tobytes(), cols.tobytes(), rows.tobytes(),
                     form.integer.tobytes()))
