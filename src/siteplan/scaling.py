"""Scaling the model from its own magnitudes, so that no answer depends on the units.

HiGHS's tolerances are absolute (primal and dual feasibility 1e-7, MIP feasibility 1e-6):
a model whose costs or quantities happen to be small in the input's units (money in
thousands, tokens in millions) can have every reduced cost below them, and then any plan
"is" optimal. So the model is written in input units (the objective in currency/yr) and
scaled here, at the solver boundary, to O(1):

    HiGHS solves   min  obj * (c * col) x~   s.t.  row * lo <= row * A * col x~ <= row * hi,
                   lo_j / col_j <= x~_j <= hi_j / col_j,      and   x = col * x~.

The factors are powers of two (scaling is exact in floating point) chosen by least squares in
log2 space: every nonzero matrix entry, right-hand side, column bound and cost should be near
1 after scaling. Multiplying the money unit by k moves only ``obj`` (by 1/k); changing the
token unit moves the flow columns and the rows they meet by the same factor: the scaled
problem HiGHS sees is the same, so the plan is. Integer columns are never scaled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

from siteplan.standard_form import Form

MAX_EXPONENT = 60  # no factor beyond 2^+-60
NEGLIGIBLE = 1e-12  # an entry (cost) this far below its row's (the largest) steers nothing
LARGE = 1e12  # a scaled matrix entry or cost beyond this: the scaling is not used


@dataclass(frozen=True)
class Scaling:
    """Factors between the model (input units) and what HiGHS holds; see module docstring."""

    obj: float  # HiGHS objective = obj x model objective
    row: np.ndarray  # HiGHS row i = row[i] x model row i
    col: np.ndarray  # model column j = col[j] x HiGHS column j

    @classmethod
    def identity(cls, n_rows: int, n_cols: int, obj: float = 1.0) -> Scaling:
        """No scaling (a model scaled by its builder passes its own ``obj``)."""
        return cls(float(obj), np.ones(n_rows), np.ones(n_cols))

    def form(self, f: Form) -> Form:
        """``f`` as HiGHS should receive it (a new Form; ``f`` is unchanged)."""
        A = (sp.diags(self.row) @ f.A @ sp.diags(self.col)).tocsc()
        A.sort_indices()
        return replace(f, cost=self.obj * f.cost * self.col, offset=self.obj * f.offset,
                       col_lower=f.col_lower / self.col, col_upper=f.col_upper / self.col,
                       row_lower=f.row_lower * self.row, row_upper=f.row_upper * self.row, A=A)

    def x(self, x_scaled: np.ndarray) -> np.ndarray:
        """Column values in model units from HiGHS's."""
        return np.asarray(x_scaled, dtype=float) * self.col

    def x_scaled(self, x: np.ndarray) -> np.ndarray:
        """Column values in HiGHS's units from the model's (a start for branch and bound)."""
        return np.asarray(x, dtype=float) / self.col

    def duals(self, y_scaled: np.ndarray) -> np.ndarray:
        """Row duals in model units (objective unit per row unit) from HiGHS's."""
        return np.asarray(y_scaled, dtype=float) * self.row / self.obj

    def objective(self, z_scaled: float) -> float:
        """An objective value or bound in model units (currency/yr) from HiGHS's."""
        return float(z_scaled) / self.obj

    def ranges(self, f: Form) -> dict[str, list[float]]:
        """[min, max] of the nonzero |matrix|, |cost|, |bound| and |rhs| of ``f`` scaled, as
        HiGHS prints them ("Coefficient ranges")."""
        return ranges(self.form(f))


def compute(f: Form) -> Scaling:
    """Power-of-two factors that bring ``f``'s nonzero numbers nearest to 1 (least squares in
    log2: entries a_ij -> r_i + c_j, rhs b_i -> r_i, finite bounds u_j -> -c_j, costs
    c_j -> o + c_j; integer columns keep c_j = 0)."""
    n_rows, n_cols = f.A.shape
    free = ~f.integer  # columns that may be scaled
    col_id = np.full(n_cols, -1)
    col_id[free] = np.arange(int(free.sum()))
    n_free = int(free.sum())
    o_id = n_rows + n_free  # the objective factor's unknown
    eqs_r, eqs_c, eqs_v, target = [], [], [], []
    n_eq = 0

    def add(unknowns: list[np.ndarray], signs: list[float], logs: np.ndarray) -> None:
        nonlocal n_eq
        k = len(logs)
        idx = np.arange(n_eq, n_eq + k)
        for u, s in zip(unknowns, signs, strict=True):
            keep = u >= 0
            eqs_r.append(idx[keep])
            eqs_c.append(u[keep])
            eqs_v.append(np.full(int(keep.sum()), s))
        target.append(-logs)
        n_eq += k

    coo = f.A.tocoo()
    row_max = np.zeros(n_rows)
    np.maximum.at(row_max, coo.row, np.abs(coo.data))
    nz = (np.abs(coo.data) > NEGLIGIBLE * row_max[coo.row]) & (np.abs(coo.data) > 1e-200)
    rr, cc, vv = coo.row[nz], coo.col[nz], np.abs(coo.data[nz])
    add([rr, np.where(col_id[cc] >= 0, n_rows + col_id[cc], -1)], [1.0, 1.0], np.log2(vv))
    for side in (f.row_lower, f.row_upper):
        at = np.flatnonzero(np.isfinite(side) & (np.abs(side) > 1e-200))
        add([at], [1.0], np.log2(np.abs(side[at])))
    for side in (f.col_lower, f.col_upper):
        at = np.flatnonzero(np.isfinite(side) & (np.abs(side) > 1e-200) & free)
        add([n_rows + col_id[at]], [-1.0], np.log2(np.abs(side[at])))
    c_max = float(np.abs(f.cost).max(initial=0.0))
    at = np.flatnonzero((np.abs(f.cost) > NEGLIGIBLE * c_max) & (np.abs(f.cost) > 1e-200))
    add([np.full(len(at), o_id), np.where(free[at], n_rows + col_id[at], -1)], [1.0, 1.0],
        np.log2(np.abs(f.cost[at])))
    if n_eq == 0:
        return Scaling.identity(n_rows, n_cols)
    M = sp.csr_matrix((np.concatenate(eqs_v), (np.concatenate(eqs_r), np.concatenate(eqs_c))),
                      shape=(n_eq, o_id + 1))
    sol = lsqr(M, np.concatenate(target), atol=1e-6, btol=1e-6, iter_lim=500)[0]
    exp = np.clip(np.round(sol), -MAX_EXPONENT, MAX_EXPONENT)
    col = np.ones(n_cols)
    col[free] = np.exp2(exp[n_rows:o_id])
    found = Scaling(obj=float(np.exp2(exp[o_id])) if len(at) else 1.0,
                    row=np.exp2(exp[:n_rows]), col=col)
    big = ranges(found.form(f))
    if max(big["matrix"][1], big["cost"][1]) > LARGE:  # degenerate data (e.g. subnormals)
        return Scaling.identity(n_rows, n_cols, obj=_cost_factor(f.cost))
    return found


def _cost_factor(cost: np.ndarray) -> float:
    """A power of two that brings the geometric mean of the nonzero |costs| to 1."""
    c = np.abs(cost[(cost != 0) & np.isfinite(cost)])
    if not len(c):
        return 1.0
    return float(np.exp2(np.clip(-np.round(np.log2(c).mean()), -MAX_EXPONENT, MAX_EXPONENT)))


def ranges(f: Form) -> dict[str, list[float]]:
    """[min, max] of the nonzero absolute values of each kind of number in ``f``."""
    def span(v: np.ndarray) -> list[float]:
        v = np.abs(v[np.isfinite(v) & (v != 0)])
        return [float(v.min()), float(v.max())] if len(v) else [0.0, 0.0]

    return {"matrix": span(f.A.data), "cost": span(f.cost),
            "bound": span(np.concatenate([f.col_lower, f.col_upper])),
            "rhs": span(np.concatenate([f.row_lower, f.row_upper]))}


def attach(highs, scaling: Scaling) -> None:
    """Record on a HiGHS instance the scaling of the model it holds (read by :func:`of`)."""
    highs.siteplan_scaling = scaling


def of(highs) -> Scaling:
    """The scaling of the model ``highs`` holds (identity if none was attached)."""
    found = getattr(highs, "siteplan_scaling", None)
    if found is None:
        return Scaling.identity(highs.getNumRow(), highs.getNumCol())
    return found
