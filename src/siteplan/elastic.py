"""Elastic re-solve: when HiGHS proves a plan infeasible, say which limits must give, by how much.

The built Pyomo model gets one nonnegative slack per row of each *soft* row group (each family
declares its rows soft or hard in its ``ROWS``, model/family.py; two slacks on equality rows),
added on the existing rows with ``ConstraintData.set_value``. The
objective becomes the total penalised slack; HiGHS then finds the smallest change to the
scenario's limits that makes a plan possible. Families that stand for physics or
bookkeeping (routing, power balance, PPA output, one option per location) stay hard.

Penalties make units comparable: each slack is divided by the natural size of its family,
so one unit of penalty is "1 of the scenario's total": the whole year's demand (Mtok), the
peak IT capacity the demand needs (MW, or MW x 8760 h for energy rows), the facility energy
(MWh), the emissions of that energy (tCO2), a class's national demand. Unserved demand is
weighted ``DEMAND_PRIORITY`` times more, so the report names the limits to move before it
falls back to saying that demand must go unserved.

Each family's slack is reported in planning units by the family's own description: tokens/day
of demand, MW of capacity, percentage points of green share, utilisation or site share, tCO2
of the carbon cap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext, Built
from siteplan.model.expr import lin
from siteplan.model.families import FAMILIES
from siteplan.model.family import Scales, Soft, num

REPORT_TOL = 1e-7  # relative (penalised) slack below which a row group is not reported


@dataclass
class _Slack:
    name: str  # constraint component
    soft: Soft
    plus: pyo.Var  # raises the row's body (helps a >= row); one per row
    minus: pyo.Var | None  # lowers it (helps a <= row); on equality rows both exist
    weight: np.ndarray  # penalty per unit of slack, per row


@dataclass
class ElasticResult:
    causes: list[str]  # one line per row group that must give, in planning units
    slack: dict[str, np.ndarray]  # constraint component -> per-row slack (+/- summed)


def soft_rows() -> dict[str, Soft]:
    """Every soft row group of the per-year families, in build order."""
    return {name: kind for f in FAMILIES for name, kind in f.ROWS.items()
            if isinstance(kind, Soft)}


def explain(built: Built, options) -> ElasticResult | None:
    """Relax a single-year model in place, solve, and describe the smallest change; None if
    that fails.

    The model is changed (slacks added, objective replaced): do not reuse it for the plan.
    """
    from siteplan.solve import solve_model

    ctx = built.years[0]
    m = ctx.block
    slacks = _add_slacks(ctx, _scales(ctx.data))
    if not slacks:
        return None
    for obj in m.component_data_objects(pyo.Objective, active=True):
        obj.deactivate()
    terms = []
    for sl in slacks:
        for i in range(len(sl.weight)):
            terms.append((float(sl.weight[i]), sl.plus[i]))
            if sl.minus is not None:
                terms.append((float(sl.weight[i]), sl.minus[i]))
    # HiGHS sees these costs directly: scale the largest to 1 so none falls below its
    # tolerances (the penalties only matter relative to each other)
    top = max((w for w, _ in terms), default=1.0) or 1.0
    m.elastic_obj = pyo.Objective(
        expr=lin([w / top for w, _ in terms], [v for _, v in terms]), sense=pyo.minimize)
    res = solve_model(built, options, want_duals=False)
    if not res.has_solution:
        return None
    values = {}
    for sl in slacks:
        v = np.clip(res.values(sl.plus), 0.0, None)
        if sl.minus is not None:
            v = v + np.clip(res.values(sl.minus), 0.0, None)
        values[sl.name] = v
    causes = []
    for sl in slacks:
        v = values[sl.name]
        if float((v * sl.weight).sum()) <= REPORT_TOL:
            continue
        try:
            causes.append(sl.soft.describe(ctx, v, res))
        except Exception:  # noqa: BLE001 - row layout changed: still name the row group
            n = int((v > 0).sum())
            causes.append(f"{sl.name} must give: {n} rows violated, total {num(v.sum())}")
    return ElasticResult(causes=causes, slack=values)


def _scales(d: ModelData) -> Scales:
    from siteplan.diagnose import _need_mw

    w = d.slice_weight_h
    annual = float((d.demand * w).sum())
    need = _need_mw(d).sum(axis=(0, 1))  # (T,)
    need_mw = float(need.max()) / max(d.policy.utilisation_max, 1e-9) if need.size else 0.0
    pue = float(np.mean(d.site_pue)) if len(d.site_pue) else 1.0
    energy = float((need * w).sum()) * pue
    ef = float(d.location_ef.max()) if d.location_ef.size else 0.0
    return Scales(
        annual_mtok=annual if annual > 0 else 1.0,
        need_mw=need_mw if need_mw > 0 else 1.0,
        energy_mwh=energy if energy > 0 else 1.0,
        tco2=energy * ef if energy * ef > 0 else 1.0,
        class_annual=(d.demand * w).sum(axis=(0, 2)),
        hours=float(w.sum()),
    )


def _add_slacks(ctx: BuildContext, sc: Scales) -> list[_Slack]:
    m = ctx.block
    out = []
    for name, soft in soft_rows().items():
        con = getattr(m, name, None)
        if con is None or not isinstance(con, pyo.Constraint) or not con.active:
            continue
        rows = [c for c in con.values() if c.active]
        if not rows or len(rows) != len(con):
            continue
        n = len(rows)
        eq = [c.equality for c in rows]
        need_plus = any(eq) or any(c.has_lb() for c in rows)
        need_minus = any(eq) or any(c.has_ub() for c in rows)
        plus = pyo.Var(range(n), domain=pyo.NonNegativeReals)
        setattr(m, f"{name}_slack_up", plus)
        minus = None
        if need_minus:
            minus = pyo.Var(range(n), domain=pyo.NonNegativeReals)
            setattr(m, f"{name}_slack_down", minus)
        for i, c in enumerate(rows):
            lb = pyo.value(c.lower) if c.has_lb() else None
            ub = pyo.value(c.upper) if c.has_ub() else None
            body = c.body
            if c.equality or (lb is not None and ub is not None):
                body = body + plus[i] - minus[i]
            elif lb is not None:
                body = body + plus[i]
            else:
                body = body - minus[i]
            c.set_value((lb, body, ub))
        if not need_plus:  # only <= rows: the 'up' slack is unused; fix it at 0
            for v in plus.values():
                v.fix(0.0)
        weight = np.asarray(soft.weight(ctx, sc, n), dtype=float)
        if len(weight) != n:
            raise ValueError(f"internal: {name} has {n} rows but {len(weight)} weights")
        out.append(_Slack(name, soft, plus, minus, weight))
    return out
