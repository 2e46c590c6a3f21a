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

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.costs import add_cost
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def daily_mean(d: ModelData, L: Layout, rate: np.ndarray) -> np.ndarray:
    """(..., D) weighted mean of a (..., T) rate over each day."""
    w = d.slice_weight_h
    return np.stack([(rate[..., ts] * w[ts]).sum(axis=-1) / L.day_hours[i]
                     for i, ts in enumerate(L.day_slices)], axis=-1)


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
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
    m._demand_balance_keys = fixed_keys
    m._demand_daily_keys = daily_keys

    fixed = np.flatnonzero(~L.route_shiftable)
    shift = np.flatnonzero(L.route_shiftable)
    coefs = np.concatenate([
        np.repeat(L.route_cost_per_mtok[fixed], T) * np.tile(w, len(fixed)),
        np.repeat(L.route_cost_per_mtok[shift], D) * np.tile(L.day_hours, len(shift)),
    ])
    vs = list(x.values()) + list(y.values())
    nz = np.flatnonzero(coefs)
    add_cost(m, "network", lin(coefs[nz], [vs[i] for i in nz]))
    if allow:
        voll = d.policy.unserved_cost_per_mtok
        add_cost(m, "unserved", lin(
            np.concatenate([np.tile(w, n_gf), np.tile(L.day_hours, n_gs)]) * voll,
            list(u.values()) + list(ud.values()),
        ))
