"""Family 17, futures: one block per future, the build shared (a two-stage stochastic plan).

Each future f (probability p_f) is one block holding every per-year family of its own data
(demand, prices, policy differ); the build decisions are common: for f > 0, every option s
and (option, hardware) pair j,

    open[f,s] = open[0,s]            cap[f,j] = cap[0,j]  (MW-IT)

and the operation (allocation, grid and PPA power, green supply, storage) is each future's.
Storage and PPA contracts are operation here (per future). The objective is the expected
annual cost, optionally mixed with its conditional value at risk (CVaR) at level alpha:

    minimise (1 - lambda) sum_f p_f C_f + lambda (eta + sum_f p_f u_f / (1 - alpha))
    u_f >= C_f - eta,  u_f >= 0      (currency/yr; CVaR of Rockafellar & Uryasev 2000)

With lambda = 0 (the default) there is no eta or u_f. A site's capital and fixed costs are in
every C_f alike, so the expected cost counts them once.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext, Built
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard

NAME = "futures"
ROWS = {  # on the futures model, linking its futures' blocks (not a per-year family)
    "c_future_open": Hard("the options opened are the same in every future"),
    "c_future_capacity": Hard("the MW-IT built are the same in every future"),
    "c_cvar_excess": Hard("u_f is at least future f's cost above eta (CVaR)"),
}


def build_futures_model(data: list[ModelData], probability: list[float],
                        cvar_weight: float = 0.0, cvar_alpha: float = 0.8) -> Built:
    """The two-stage model of ``data`` (one per future, same site options and hardware)."""
    from siteplan.model.build import add_year

    m = pyo.ConcreteModel(name=data[0].name)
    m.future = pyo.Block(range(len(data)))
    futures = [add_year(m.future[f], d) for f, d in enumerate(data)]
    for ctx in futures:
        ctx.costs.attach(ctx.block)  # e_cost[term], e_total_cost per future
    link(m, futures)
    p = [float(x) for x in probability]
    m.e_expected_cost = pyo.Expression(
        expr=sum(pf * ctx.block.e_total_cost for pf, ctx in zip(p, futures, strict=True)))
    if cvar_weight > 0:
        m.v_cvar_eta = pyo.Var()
        m.v_cvar_excess = pyo.Var(range(len(data)), domain=pyo.NonNegativeReals)
        indexed_constraint(m, "c_cvar_excess", [
            m.v_cvar_excess[f] + m.v_cvar_eta - ctx.block.e_total_cost >= 0
            for f, ctx in enumerate(futures)])
        m.e_cvar = pyo.Expression(expr=m.v_cvar_eta + sum(
            pf * m.v_cvar_excess[f] for f, pf in enumerate(p)) / (1 - cvar_alpha))
        m.obj = pyo.Objective(expr=(1 - cvar_weight) * m.e_expected_cost
                              + cvar_weight * m.e_cvar, sense=pyo.minimize)
    else:
        m.obj = pyo.Objective(expr=m.e_expected_cost, sense=pyo.minimize)
    return Built(m, futures)


def link(m: pyo.ConcreteModel, futures: list[BuildContext]) -> None:
    """open and cap of every future equal to future 0's."""
    b0, n_s = futures[0].block, len(futures[0].data.sites)
    J = len(futures[0].layout.site_hw)
    open_rows, cap_rows = [], []
    for ctx in futures[1:]:
        b = ctx.block
        for s in range(n_s):
            if not (b.v_open[s].fixed and b0.v_open[s].fixed):
                open_rows.append(lin([1.0, -1.0], [b.v_open[s], b0.v_open[s]]) == 0)
        for j in range(J):
            cap_rows.append(lin([1.0, -1.0], [b.v_cap_mw[j], b0.v_cap_mw[j]]) == 0)
    indexed_constraint(m, "c_future_open", open_rows)
    indexed_constraint(m, "c_future_capacity", cap_rows)


def build_values(built: Built, res) -> tuple[np.ndarray, np.ndarray]:
    """(open[s], cap[j]) of the first block of a solved model (the common build)."""
    b = built.years[0].block
    return res.values(b.v_open), res.values(b.v_cap_mw)


def fix_build(built: Built, open_: np.ndarray | None, cap: np.ndarray | None) -> None:
    """Fix every block's build to (open, cap) (rounded open), or free it again (None)."""
    for ctx in built.years:
        b, d = ctx.block, ctx.data
        for s in b.v_open:
            if open_ is None:
                if d.site_existing_mw[s] <= 0:
                    b.v_open[s].unfix()
            else:
                b.v_open[s].fix(float(round(open_[s])))
        for j in b.v_cap_mw:
            if cap is None:
                b.v_cap_mw[j].unfix()
            else:
                b.v_cap_mw[j].fix(max(float(cap[j]), 0.0))
