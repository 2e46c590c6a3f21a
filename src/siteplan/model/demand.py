"""Family 1, demand: every region's class demand is served or reported unserved.

Groups g are (region, class) pairs, merged where routing options are identical (layout.py).
Time-fixed classes, per group g and slice t (x: rate on route q per slice, Mtok/h):
    sum_{q in g} x[q,t] + unserved[g,t] = demand[g,t]
Shiftable classes, per group g and day d (y: the day's mean rate handed to a location, Mtok/h;
the site schedules it within the day, see routing):
    sum_{q in g} y[q,d] + unserved_daily[g,d] = mean_{t in d} demand[g,t]

Costs: network net_cost[q] x (per Mtok moved); unserved voll x unserved. With objective
``margin`` demand may go unserved too: the token value family prices it as revenue foregone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, num, tokens_per_day, top
from siteplan.model.layout import Layout

NAME = "demand"
DEMAND_PRIORITY = 10.0  # elastic: unserved demand is the last thing to give


@dataclass(frozen=True)
class DemandHandles:
    balance_keys: list[tuple[int, int]]  # (group, slice) of each c_demand_balance row
    daily_keys: list[tuple[int, int]]  # (group, day) of each c_demand_daily row


def daily_mean(d: ModelData, L: Layout, rate: np.ndarray) -> np.ndarray:
    """(..., D) weighted mean of a (..., T) rate over each day."""
    w = d.slice_weight_h
    return np.stack([(rate[..., ts] * w[ts]).sum(axis=-1) / L.day_hours[i]
                     for i, ts in enumerate(L.day_slices)], axis=-1)


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, D, w = L.n_t, L.n_d, d.slice_weight_h
    allow = d.policy.unserved_cost_per_mtok is not None or d.objective == "margin"
    n_gf = int((~L.group_shiftable).sum())
    n_gs = int(L.group_shiftable.sum())
    m.v_serve_mtok_h = pyo.Var(range(L.n_fixed_routes * T), domain=pyo.NonNegativeReals)
    m.v_serve_daily_mtok_h = pyo.Var(range(L.n_shift_routes * D), domain=pyo.NonNegativeReals)
    m.v_unserved_mtok_h = pyo.Var(range(n_gf * T if allow else 0), domain=pyo.NonNegativeReals)
    m.v_unserved_daily_mtok_h = pyo.Var(range(n_gs * D if allow else 0),
                                        domain=pyo.NonNegativeReals)
    x, y = m.v_serve_mtok_h, m.v_serve_daily_mtok_h
    u, ud = m.v_unserved_mtok_h, m.v_unserved_daily_mtok_h
    dem = L.group_demand
    mean = daily_mean(d, L, dem)
    fixed_rows, fixed_keys, daily_rows, daily_keys = [], [], [], []
    for g in range(len(L.group_workload)):
        pos = [L.route_pos[q] for q in L.routes_of_group[g]]
        gp = L.group_pos[g]
        if L.group_shiftable[g]:
            for day in range(D):
                vs = [y[j * D + day] for j in pos] + ([ud[gp * D + day]] if allow else [])
                daily_rows.append(lin([1.0] * len(vs), vs) == float(mean[g, day]))
                daily_keys.append((g, day))
        else:
            for t in range(T):
                vs = [x[i * T + t] for i in pos] + ([u[gp * T + t]] if allow else [])
                fixed_rows.append(lin([1.0] * len(vs), vs) == float(dem[g, t]))
                fixed_keys.append((g, t))
    indexed_constraint(m, "c_demand_balance", fixed_rows)
    indexed_constraint(m, "c_demand_daily", daily_rows)
    ctx.handles[NAME] = DemandHandles(fixed_keys, daily_keys)

    # network cost per route (fixed routes first, as their variables), by the route's class
    for shiftable, var, n in ((False, x, T), (True, y, D)):
        hours = L.day_hours if shiftable else w
        for q in np.flatnonzero(L.route_shiftable == shiftable):
            coefs = L.route_cost_per_mtok[q] * hours
            nz = np.flatnonzero(coefs)
            if len(nz):
                j = L.route_pos[q]
                ctx.costs.add("network", coefs[nz], [var[j * n + i] for i in nz],
                              workload=int(L.group_workload[L.route_group[q]]))
    if d.policy.unserved_cost_per_mtok is not None:
        voll = d.policy.unserved_cost_per_mtok
        for shiftable, var, n in ((False, u, T), (True, ud, D)):
            hours = L.day_hours if shiftable else w
            for g in np.flatnonzero(L.group_shiftable == shiftable):
                gp = L.group_pos[g]
                ctx.costs.add("unserved", hours * voll, [var[gp * n + i] for i in range(n)],
                              workload=int(L.group_workload[g]))


def applies(d: ModelData) -> bool:
    return True


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """Served rates per route (fixed (Qf, T), shiftable (Qs, D), Mtok/h) and unserved Mtok/yr
    per group (G,)."""
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, D, w = L.n_t, L.n_d, d.slice_weight_h
    uns = np.zeros(len(L.group_workload))
    gf, gs = np.flatnonzero(~L.group_shiftable), np.flatnonzero(L.group_shiftable)
    uns_f, uns_d = res.values(m.v_unserved_mtok_h), res.values(m.v_unserved_daily_mtok_h)
    if len(uns_f):
        uns[gf] = (uns_f.reshape(len(gf), T) * w).sum(axis=1)
    if len(uns_d):
        uns[gs] = (uns_d.reshape(len(gs), D) * L.day_hours).sum(axis=1)
    return {"serve_mtok_h": res.values(m.v_serve_mtok_h).reshape(L.n_fixed_routes, T),
            "serve_daily_mtok_h": res.values(m.v_serve_daily_mtok_h).reshape(L.n_shift_routes, D),
            "unserved_mtok": uns}


def _weight_fixed(ctx: BuildContext, sc, n: int) -> np.ndarray:
    w = ctx.data.slice_weight_h
    return np.array([DEMAND_PRIORITY * w[t] / sc.annual_mtok
                     for _g, t in ctx.handle(NAME).balance_keys])


def _weight_daily(ctx: BuildContext, sc, n: int) -> np.ndarray:
    hours = ctx.layout.day_hours
    return np.array([DEMAND_PRIORITY * hours[day] / sc.annual_mtok
                     for _g, day in ctx.handle(NAME).daily_keys])


def _describe(ctx: BuildContext, v: np.ndarray, res, daily: bool = False) -> str:
    d, L = ctx.data, ctx.layout
    h = ctx.handle(NAME)
    keys = h.daily_keys if daily else h.balance_keys
    hours = L.day_hours if daily else d.slice_weight_h
    per: dict[tuple[int, int], float] = {}
    for (grp, t), s in zip(keys, v, strict=True):
        if s <= 0:
            continue
        k = int(L.group_workload[grp])
        for r, share in zip(L.group_members[grp], L.group_member_share[grp], strict=True):
            per[(int(r), k)] = per.get((int(r), k), 0.0) + float(s * hours[t] * share)
    comp = d.workload_compute if len(d.workload_compute) else np.zeros(len(d.workloads), bool)
    hours = float(d.slice_weight_h.sum())
    mw = sum(x for (_r, k), x in per.items() if comp[k]) / hours  # compute: MW-IT, not tokens
    per = {key: x for key, x in per.items() if not comp[key[1]]}
    total = tokens_per_day(d, sum(per.values()))
    all_demand = tokens_per_day(d, float((d.demand[:, ~comp] * d.slice_weight_h).sum()))
    items = [(f"{d.regions[r]}/{d.workloads[k]}", tokens_per_day(d, x))
             for (r, k), x in per.items()]
    kind = "shiftable" if daily else "time-fixed"
    share = f" ({total / all_demand:.2%} of all demand)" if all_demand > 0 else ""
    extra = f" and {num(mw)} MW-IT of compute (training)" if mw > 0 else ""
    return (f"demand must give: {num(total)} tokens/day{extra} of {kind} demand cannot be "
            f"served{share}, by region/class: {top(items, num) if items else '-'}")


def _describe_daily(ctx: BuildContext, v: np.ndarray, res) -> str:
    return _describe(ctx, v, res, daily=True)


ROWS = {
    "c_demand_balance": Soft(_weight_fixed, _describe),
    "c_demand_daily": Soft(_weight_daily, _describe_daily),
}
