"""Scaling the model from its own magnitudes, so that no answer depends on the units.

HiGHS's tolerances are absolute (primal and dual feasibility 1e-7, MIP feasibility 1e-6):
a model whose costs or quantities happen to be small in the input's units (money in
thousands, tokens in millions) can have every reduced cost below them, and then any plan
"is" optimal. So the model is written in input units (the objective in currency/yr) and
scaled here, at the solver boundary, to O(1):

    HiGHS solves   min  obj * (c * col) x~   s.t.  row * lo <= row * A * col x~ <= row * hi,
                   lo_j / col_j <= x~_j <= hi_j / col_j,      and   x = col * x~.

The factors are powers of two (scaling is exact in floating point) chosen in log2 space so
that every nonzero matrix entry, right-hand side, column bound and cost is near 1 after
scaling (geometric scaling: each row and column centred between its extremes). Multiplying
the money unit by k moves only ``obj`` (by 1/k); changing the token unit moves the flow
columns and the rows they meet by the same factor: the scaled problem HiGHS sees is the
same (to the rounding of the factors), so the plan is. Integer columns are never scaled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from siteplan.standard_form import Form

MAX_EXPONENT = 60  # no factor beyond 2^+-60
NEGLIGIBLE = 1e-12  # an entry (cost) this far below its row's (the largest) steers nothing
LARGE = 1e12  # a scaled number beyond this: the scaling is not used
SWEEPS = 20  # rounds of geometric scaling (factors are rounded to powers of two)


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
    """Power-of-two factors that bring ``f``'s nonzero numbers nearest to 1: least squares in
    log2 (entry a_ij -> r_i + c_j, rhs b_i -> r_i, finite bound u_j -> -c_j, cost
    c_j -> o + c_j; integer columns keep c_j = 0): geometric scaling, each row and column
    centred on the midpoint of its extreme log2 values in turn, ``SWEEPS`` rounds of
    O(nonzeros) each."""
    n_rows, n_cols = f.A.shape
    free = ~f.integer  # columns that may be scaled
    coo = f.A.tocoo()
    row_max = np.zeros(n_rows)
    np.maximum.at(row_max, coo.row, np.abs(coo.data))
    mag = np.abs(coo.data)
    nz = (mag > NEGLIGIBLE * row_max[coo.row]) & (mag > 1e-200)
    ri, cj, la = coo.row[nz], coo.col[nz], np.log2(mag[nz])
    # right-hand sides (row observations) and column bounds (column observations); one far
    # below the largest of its kind (a bound of 1e-92 MW) steers nothing, like an entry
    rb_i, rb_l = [], []
    rhs_max = _finite_max(f.row_lower, f.row_upper)
    for side in (f.row_lower, f.row_upper):
        at = np.flatnonzero(np.isfinite(side) & (np.abs(side) > NEGLIGIBLE * rhs_max)
                            & (np.abs(side) > 1e-200))
        rb_i.append(at)
        rb_l.append(np.log2(np.abs(side[at])))
    rb_i, rb_l = np.concatenate(rb_i), np.concatenate(rb_l)
    cb_j, cb_l = [], []
    bound_max = _finite_max(f.col_lower[free], f.col_upper[free])
    for side in (f.col_lower, f.col_upper):
        at = np.flatnonzero(np.isfinite(side) & (np.abs(side) > NEGLIGIBLE * bound_max)
                            & (np.abs(side) > 1e-200) & free)
        cb_j.append(at)
        cb_l.append(np.log2(np.abs(side[at])))
    cb_j, cb_l = np.concatenate(cb_j), np.concatenate(cb_l)
    c_max = float(np.abs(f.cost).max(initial=0.0))
    ck = np.flatnonzero((np.abs(f.cost) > NEGLIGIBLE * c_max) & (np.abs(f.cost) > 1e-200))
    c_l = np.log2(np.abs(f.cost[ck]))

    # each row and column centred on 1 (the midpoint of its extreme log2 values), the
    # objective on the mean of its costs; a few sweeps settle it
    rows_i, cols_j = np.concatenate([ri, rb_i]), np.concatenate([cj, cb_j, ck])
    r, c, o = np.zeros(n_rows), np.zeros(n_cols), 0.0
    for _ in range(SWEEPS):
        r = -_midpoint(rows_i, np.concatenate([la + c[cj], rb_l]), n_rows)
        if len(ck):
            o = -float(np.mean(c_l + c[ck]))
        c = -_midpoint(cols_j, np.concatenate([la + r[ri], -cb_l, c_l + o]), n_cols)
        c[~free] = 0.0
    clip = (-MAX_EXPONENT, MAX_EXPONENT)
    found = Scaling(obj=float(np.exp2(np.clip(np.round(o), *clip))),
                    row=np.exp2(np.clip(np.round(r), *clip)),
                    col=np.exp2(np.clip(np.round(c), *clip)))
    got = ranges(found.form(f))
    if max(v[1] for v in got.values()) > LARGE:
        # degenerate data (subnormal or far-apart magnitudes): no row or column factors
        return Scaling.identity(n_rows, n_cols, obj=_cost_factor(f.cost))
    return found


def _finite_max(*sides: np.ndarray) -> float:
    """The largest finite |value| among ``sides`` (0 if none)."""
    v = np.abs(np.concatenate(sides))
    v = v[np.isfinite(v)]
    return float(v.max()) if len(v) else 0.0


def _midpoint(idx: np.ndarray, val: np.ndarray, n: int) -> np.ndarray:
    """(max + min) / 2 of ``val`` grouped by ``idx`` (0 where a group is empty)."""
    hi, lo = np.full(n, -np.inf), np.full(n, np.inf)
    np.maximum.at(hi, idx, val)
    np.minimum.at(lo, idx, val)
    return np.where(np.isfinite(hi), (hi + lo) / 2, 0.0)


def _cost_factor(cost: np.ndarray) -> float:
    """A power of two that brings the geometric mean of the |costs| to 1 (negligible ones
    left out: a cost of 1e-293 beside 87,600 drove the factor to 2^60)."""
    c = np.abs(cost[np.isfinite(cost)])
    c = c[(c > NEGLIGIBLE * c.max(initial=0.0)) & (c > 1e-200)]
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
