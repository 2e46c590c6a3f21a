"""Family 1, demand: every region's class demand is served or reported unserved.

Groups g are (region, class) pairs, merged where routing options are identical (layout.py).
Time-fixed classes, per group g and slice t (x: rate on route q per slice, Mtok/h):
    sum_{q in g} x[q,t] + unserved[g,t] = demand[g,t]
Shiftable classes, per group g and day d (y: the day's mean rate handed to a location, Mtok/h;
the site schedules it within the day, see routing):
    sum_{q in g} y[q,d] + unserved_daily[g,d] = mean_{t in d} demand[g,t]

Costs: network net_cost[q] x (per Mtok moved); unserved voll x unserved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


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
    allow = d.policy.unserved_cost_per_mtok is not None
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
    ctx.handles["demand"] = DemandHandles(fixed_keys, daily_keys)

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
    if allow:
        voll = d.policy.unserved_cost_per_mtok
        for shiftable, var, n in ((False, u, T), (True, ud, D)):
            hours = L.day_hours if shiftable else w
            for g in np.flatnonzero(L.group_shiftable == shiftable):
                gp = L.group_pos[g]
                ctx.costs.add("unserved", hours * voll, [var[gp * n + i] for i in range(n)],
                              workload=int(L.group_workload[g]))
