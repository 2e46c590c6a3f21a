"""Family 1, demand: every region's class demand is served or reported unserved.

Time-fixed classes, per group g=(r,k) and slice t:
    sum_{a in g} x[a,t] + unserved[g,t] = demand[g,t]                        (Mtok/h)
Shiftable classes, per group g and day d:
    sum_{t in d} w_t (sum_a x[a,t] + unserved[g,t]) = sum_{t in d} w_t demand[g,t]   (Mtok)
    sum_a x[a,t] <= peak_factor_k x mean_d(demand[g,.])                       (Mtok/h)

Costs: network w_t net_cost[a] x[a,t]; unserved voll w_t unserved[g,t].
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.costs import add_cost
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def group_demand(d: ModelData, L: Layout) -> np.ndarray:
    """(G, T) demand of each group in Mtok/h."""
    return d.demand[L.group_region, L.group_workload, :]


def day_mean(d: ModelData, rate: np.ndarray) -> np.ndarray:
    """Weighted mean of a (..., T) rate over each slice's day, broadcast back to (..., T)."""
    w = d.slice_weight_h
    out = np.zeros_like(rate, dtype=float)
    for day in range(len(d.days)):
        mask = d.slice_day == day
        mean = (rate[..., mask] * w[mask]).sum(axis=-1) / w[mask].sum()
        out[..., mask] = mean[..., None]
    return out


def peak_rate(d: ModelData, L: Layout) -> np.ndarray:
    """(G, T) the most a group may receive in a slice (demand, or peak x day mean if shiftable)."""
    dem = group_demand(d, L)
    shift = d.workload_shiftable[L.group_workload]
    peak = d.workload_peak_factor[L.group_workload][:, None] * day_mean(d, dem)
    return np.where(shift[:, None], peak, dem)


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    T, w = L.n_t, d.slice_weight_h
    n_a, n_g = len(d.arc_region), len(L.group_region)
    m.v_serve_mtok_h = pyo.Var(range(n_a * T), domain=pyo.NonNegativeReals)
    allow_unserved = d.policy.unserved_cost_per_mtok is not None
    m.v_unserved_mtok_h = pyo.Var(range(n_g * T if allow_unserved else 0),
                                  domain=pyo.NonNegativeReals)
    x, u = m.v_serve_mtok_h, m.v_unserved_mtok_h
    dem = group_demand(d, L)
    fixed_rows, fixed_keys, daily_rows, daily_keys, peak_rows = [], [], [], [], []
    peak = peak_rate(d, L)
    for g in range(n_g):
        arcs = L.arcs_of_group[g]
        if d.workload_shiftable[L.group_workload[g]]:
            for day in range(len(d.days)):
                ts = np.flatnonzero(d.slice_day == day)
                coefs = [w[t] for t in ts for _a in arcs]
                vs = [x[a * T + t] for t in ts for a in arcs]
                if allow_unserved:
                    coefs += [w[t] for t in ts]
                    vs += [u[g * T + t] for t in ts]
                daily_rows.append(lin(coefs, vs) == float((w[ts] * dem[g, ts]).sum()))
                daily_keys.append((g, day))
            for t in range(T):
                if len(arcs):
                    peak_rows.append(lin([1.0] * len(arcs), [x[a * T + t] for a in arcs])
                                     <= float(peak[g, t]))
        else:
            for t in range(T):
                coefs = [1.0] * len(arcs)
                vs = [x[a * T + t] for a in arcs]
                if allow_unserved:
                    coefs.append(1.0)
                    vs.append(u[g * T + t])
                fixed_rows.append(lin(coefs, vs) == float(dem[g, t]))
                fixed_keys.append((g, t))
    indexed_constraint(m, "c_demand_balance", fixed_rows)
    indexed_constraint(m, "c_demand_daily", daily_rows)
    indexed_constraint(m, "c_demand_peak", peak_rows)
    m._demand_balance_keys = fixed_keys
    m._demand_daily_keys = daily_keys

    net = np.repeat(d.arc_cost_per_mtok, T) * np.tile(w, n_a)
    nz = np.flatnonzero(net)
    add_cost(m, "network", lin(net[nz], [x[i] for i in nz]))
    if allow_unserved:
        voll = d.policy.unserved_cost_per_mtok * np.tile(w, n_g)
        add_cost(m, "unserved", lin(voll, list(u.values())))
