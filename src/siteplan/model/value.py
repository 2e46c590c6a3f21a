"""Family 16, token value: with objective ``margin``, unserved demand is revenue foregone.

Each class k has tiers i (token_value.csv) in each region r: a share of its demand willing
to pay price[r,k,i] per Mtok (a region's own rows, else the all-region rows). A demand group
g of class k holds regions with the same tiers (model/layout.py), written share[g,i] and
price[g,i]. Its unserved rate splits into tiers, per slice t (or day d for shiftable
classes):
    unserved[g,t] = sum_i foregone[g,t,i]
    foregone[g,t,i] <= share[g,i] x demand[g,t]                                (Mtok/h)
Cost term ``unserved``: price[g,i] x hours x foregone[g,t,i] (revenue foregone).

Revenue = sum_i price x share x demand - foregone value is a constant minus the foregone
term, so least (cost + revenue foregone) is most margin = revenue - cost: demand is served
exactly where its tier's price covers its marginal cost, dearest tiers first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.demand import daily_mean
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard

NAME = "token value"


@dataclass(frozen=True)
class ValueHandles:
    keys: list[tuple[int, int, int]]  # (group, slice or day, tier) of each foregone variable


def applies(d: ModelData) -> bool:
    return d.objective == "margin"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    if not applies(d):
        m.v_foregone_mtok_h = pyo.Var(range(0), domain=pyo.NonNegativeReals)
        indexed_constraint(m, "c_value_split", [])
        indexed_constraint(m, "c_value_tier", [])
        ctx.handles[NAME] = ValueHandles([])
        return
    T, D, w = L.n_t, L.n_d, d.slice_weight_h
    u, ud = m.v_unserved_mtok_h, m.v_unserved_daily_mtok_h
    mean = daily_mean(d, L, L.group_demand)
    keys, caps, hours, price, owner = [], [], [], [], []
    for g, k in enumerate(L.group_workload):
        r = L.group_members[g][0]  # every member has the same tiers
        share, value = d.value_share[r, k], d.value_price[r, k]
        tiers = np.flatnonzero(share > 0)
        shift = bool(L.group_shiftable[g])
        for t in range(D if shift else T):
            dem = mean[g, t] if shift else L.group_demand[g, t]
            for i in tiers:
                keys.append((g, t, int(i)))
                caps.append(float(share[i] * dem))
                hours.append(float(L.day_hours[t] if shift else w[t]))
                price.append(float(value[i]))
                owner.append(int(k))
    m.v_foregone_mtok_h = pyo.Var(range(len(keys)), domain=pyo.NonNegativeReals)
    f = m.v_foregone_mtok_h
    split, bound = [], []
    start = 0
    while start < len(keys):
        g, t = keys[start][:2]
        end = start
        while end < len(keys) and keys[end][:2] == (g, t):
            end += 1
        gp = L.group_pos[g]
        uv = ud[gp * D + t] if L.group_shiftable[g] else u[gp * T + t]
        split.append(lin([1.0] + [-1.0] * (end - start), [uv] + [f[j] for j in range(start, end)])
                     == 0)
        start = end
    for j, cap in enumerate(caps):
        bound.append(lin([1.0], [f[j]]) <= cap)
    indexed_constraint(m, "c_value_split", split)
    indexed_constraint(m, "c_value_tier", bound)
    ctx.handles[NAME] = ValueHandles(keys)
    for k in sorted(set(owner)):
        js = [j for j in range(len(keys)) if owner[j] == k]
        ctx.costs.add("unserved", [price[j] * hours[j] for j in js], [f[j] for j in js],
                      workload=k)


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``foregone_mtok`` (G, N): Mtok/yr of each group's demand left unserved, per tier."""
    d, L = ctx.data, ctx.layout
    n = d.value_share.shape[2]
    out = np.zeros((len(L.group_workload), n))
    keys = ctx.handle(NAME).keys
    if keys:
        vals = res.values(ctx.block.v_foregone_mtok_h)
        for (g, t, i), v in zip(keys, vals, strict=True):
            hours = L.day_hours[t] if L.group_shiftable[g] else d.slice_weight_h[t]
            out[g, i] += v * hours
    return {"foregone_mtok": out}


ROWS = {
    "c_value_split": Hard("bookkeeping: unserved demand is the sum of its tiers"),
    "c_value_tier": Hard("a tier holds its share of the demand, no more"),
}
