"""The plan HiGHS returns, checked against the model in input units (not the scaled one).

HiGHS solves a scaled copy (siteplan.scaling) under absolute tolerances. Before a result is
reported, :func:`check` recomputes, in the input's units:
- every row and column bound, within ``REL_TOL`` of the magnitudes meeting in that row,
  |rhs| + sum_j |a_ij| (|x_j| + unit_j), where unit_j is what the scaling made 1 in column j
  (a row whose terms are all zero is not judged by its rounding noise); integrality of the
  integer columns;
- the objective (cost . x + offset), against HiGHS's;
- the LP behind the bound, where its duals are at hand (an LP itself, or a MIP's LP
  relaxation): the Lagrangian bound  offset + sum_i min(y_i lo_i, y_i hi_i)
  + sum_j min(d_j l_j, d_j u_j),  d = cost - A'y,  holds for any y (weak duality), and must
  reach the LP objective HiGHS reported. Wrong-sign duals on an infinite side cannot count;
  they are set to zero and what they could move at the plan's size is reported
  (``dual_violation``, a share of the objective).
  This is what catches a model whose costs fell below HiGHS's dual tolerance: its LP
  "optimum" is not certified by its own duals. A bound that branch and bound raised above
  the certified LP bound is HiGHS's word, accepted only where the rise is well above HiGHS's
  absolute tolerances in the scaled model it solved (``MIN_SCALED_RISE``): a rise of the
  size of those tolerances is pruning noise, not proof.
A status ``optimal`` or ``gap_limit`` that fails becomes ``unverified``, with the reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from siteplan.standard_form import Form

REL_TOL = 1e-6  # row, bound and objective agreement, relative
INT_TOL = 1e-6  # |x - round(x)| of an integer column
DUAL_TOL = 1e-6  # wrong-sign duals worth more (of the objective, at the plan's size): no proof
MIN_SCALED_RISE = 1e-4  # HiGHS objective units (100 x its MIP feasibility tolerance)
GAP_TOL = 1e-6  # the certified LP bound may fall short of HiGHS's by this (of the objective)


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str  # "" when ok; else what disagreed, in one line
    objective: float  # cost . x + offset, input units
    objective_error: float  # |that - HiGHS's objective| / magnitude of the cost terms
    row_violation: float  # largest relative row violation
    worst_row: int  # its row (-1 if none)
    bound_violation: float  # largest relative column-bound violation
    integrality: float  # largest |x - round(x)| of an integer column
    certified_bound: float | None  # the Lagrangian bound from the duals, if any
    dual_violation: float  # wrong-sign duals set to zero, share of the objective they move

    def summary(self) -> dict:
        return asdict(self)


def _rel(viol: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return np.divide(viol, scale, out=np.where(viol > 0, np.inf, 0.0), where=scale > 0)


def _finite(v: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(v), np.abs(v), 0.0)


def lagrangian_bound(f: Form, y: np.ndarray, size: np.ndarray) -> tuple[float, float]:
    """(bound, what the wrong-sign duals set to zero could move) for row duals ``y`` (input
    units; reduced costs d = cost - A'y). ``size``: each column's magnitude, |x_j| + unit_j;
    the second number is sum |d_j| size_j + sum |y_i| (A size)_i over those duals, in
    objective units."""
    d = f.cost - f.A.T @ y
    need = np.where(d > 0, f.col_lower, f.col_upper)  # where d_j x_j is smallest
    bad = (d != 0) & ~np.isfinite(need)
    col_terms = d * np.where(np.isfinite(need), need, 0.0)
    side = np.where(y > 0, f.row_lower, f.row_upper)
    ybad = (y != 0) & ~np.isfinite(side)
    row_terms = y * np.where(np.isfinite(side), side, 0.0)
    moved = float(np.abs(d[bad]) @ size[bad])
    if ybad.any():
        moved += float(np.abs(y[ybad]) @ (abs(f.A[ybad]) @ size))
    return f.offset + float(row_terms.sum()) + float(col_terms.sum()), moved


def check(f: Form, x: np.ndarray, objective: float, bound: float | None,
          duals: np.ndarray | None = None, lp_value: float | None = None,
          unit: np.ndarray | None = None) -> Check:
    """The plan ``x`` (input units) against ``f`` (the unscaled model); see module docstring.
    ``unit``: each column's scaling unit (siteplan.scaling.Scaling.col; default 0)."""
    unit = np.zeros(len(x)) if unit is None else unit
    ax = f.A @ x
    terms = abs(f.A) @ (np.abs(x) + unit)
    lo_v = np.where(np.isfinite(f.row_lower), f.row_lower - ax, 0.0)
    hi_v = np.where(np.isfinite(f.row_upper), ax - f.row_upper, 0.0)
    row_scale = terms + np.maximum(_finite(f.row_lower), _finite(f.row_upper))
    row_rel = _rel(np.maximum(np.maximum(lo_v, hi_v), 0.0), row_scale)
    col_v = np.maximum(np.where(np.isfinite(f.col_lower), f.col_lower - x, 0.0),
                       np.where(np.isfinite(f.col_upper), x - f.col_upper, 0.0))
    col_scale = np.abs(x) + unit + np.maximum(_finite(f.col_lower), _finite(f.col_upper))
    col_rel = _rel(np.maximum(col_v, 0.0), col_scale)
    xi = x[f.integer]
    integrality = float(np.max(np.abs(xi - np.round(xi)), initial=0.0))
    z = float(f.cost @ x) + f.offset
    z_mag = float(np.abs(f.cost * x).sum()) + abs(f.offset)
    z_err = abs(z - objective) / z_mag if z_mag > 0 else abs(z - objective)
    cert, moved = (lagrangian_bound(f, duals, np.abs(x) + unit) if duals is not None
                   else (None, 0.0))
    dual_viol = moved / max(abs(z), abs(lp_value or 0.0), 1e-300)

    reasons = []
    worst = int(np.argmax(row_rel)) if len(row_rel) else -1
    if len(row_rel) and row_rel[worst] > REL_TOL:
        reasons.append(f"row {worst} violated by {row_rel[worst]:.2e} (relative)")
    if len(col_rel) and col_rel.max() > REL_TOL:
        reasons.append(f"column {int(np.argmax(col_rel))} outside its bounds by "
                       f"{col_rel.max():.2e} (relative)")
    if integrality > INT_TOL:
        reasons.append(f"an integer column is {integrality:.2e} from an integer")
    if z_err > REL_TOL:
        reasons.append(f"objective recomputed in input units is {z:.10g}, HiGHS said "
                       f"{objective:.10g}")
    if bound is not None and bound > objective + REL_TOL * max(z_mag, abs(objective)):
        reasons.append(f"the bound {bound:.10g} is above the objective {objective:.10g}")
    if cert is not None and lp_value is not None:
        short = (lp_value - cert) / max(abs(z), abs(lp_value), 1e-300)
        if dual_viol > DUAL_TOL:
            reasons.append(f"the LP bound is not certified: duals of the wrong sign worth "
                           f"{dual_viol:.2e} of the objective")
        elif short > GAP_TOL:
            reasons.append(f"the LP duals certify a bound of {cert:.10g}, HiGHS said "
                           f"{lp_value:.10g} ({short:.2e} of the objective short)")
    return Check(
        ok=not reasons, reason="; ".join(reasons), objective=z, objective_error=z_err,
        row_violation=float(row_rel.max(initial=0.0)), worst_row=worst if len(row_rel) else -1,
        bound_violation=float(col_rel.max(initial=0.0)), integrality=integrality,
        certified_bound=cert, dual_violation=dual_viol,
    )


def settle(result, f: Form, sc) -> None:
    """Check ``result`` (a siteplan.solve.SolveResult) against ``f``; a claimed optimum (or
    gap) that fails becomes ``unverified``. Records the coefficient ranges of ``f`` before and
    after scaling ``sc`` on the result."""
    from siteplan.scaling import ranges
    from siteplan.solve import Status

    result.scaling = {"objective_factor": sc.obj, "input": ranges(f), "scaled": sc.ranges(f)}
    if not result.has_solution or len(result.col_value) != len(f.cost):
        return
    if result.is_mip:
        duals, lp_value = result.bound_dual, result.bound_lp
    else:
        duals, lp_value = result.row_dual, result.bound
    result.check = check(f, result.col_value, result.objective, result.bound, duals, lp_value,
                         sc.col)
    cert = result.check.certified_bound
    if result.check.ok and cert is not None and result.bound is not None:
        rise = result.bound - max(cert, lp_value if lp_value is not None else cert)
        rel = rise / max(abs(result.objective), 1e-300)
        if rel > GAP_TOL and rise * sc.obj < MIN_SCALED_RISE:
            result.check = replace(result.check, ok=False, reason=(
                f"branch and bound raised the bound by {rel:.2e} of the objective, only "
                f"{rise * sc.obj:.1e} in HiGHS's scaled units: within its tolerances, not "
                f"proven"))
            result.bound = max(cert, lp_value if lp_value is not None else cert)
            result.gap = max(0.0, result.objective - result.bound) / abs(result.objective)
    if not result.check.ok and result.status in (Status.OPTIMAL, Status.GAP_LIMIT):
        result.status = Status.UNVERIFIED


def solver_section(result) -> dict:
    """The summary's ``solver`` entry: the check, the coefficient ranges of the model in
    input units and as HiGHS received it, and a MIP's LP relaxation bound (currency/yr)."""
    out: dict = {"scaling": result.scaling,
                 "relaxation_bound": result.bound_lp if result.is_mip else None}
    if result.links:  # strong links separated lazily (solve._separate_links)
        out["lazy_links"] = result.links
    if result.check is not None:
        out["check"] = result.check.summary()
    return out


def cli_line(summary: dict) -> str | None:
    """One line for the CLI when the check failed (None when it passed or did not run)."""
    chk = summary.get("solver", {}).get("check")
    if not chk or chk["ok"]:
        return None
    return f"  check              FAILED against the unscaled model: {chk['reason']}"
