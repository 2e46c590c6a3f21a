"""Family 8c, single-sourcing: each region's class is served from one location (one site).

    x[a,t] <= demand[g,t] z[a]   (fixed)     y[a,d] <= mean_d demand[g] z[a]   (shiftable)
    sum_{a in g} z[a] = 1   (<= 1 when unserved demand is allowed)             z binary
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.model.context import BuildContext
from siteplan.model.demand import daily_mean
from siteplan.model.expr import indexed_constraint, lin


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    on = d.policy.single_sourcing
    n_a, T, D = len(L.route_group), L.n_t, L.n_d  # one group per region when on
    m.v_assign = pyo.Var(range(n_a if on else 0), domain=pyo.Binary)
    link, choose = [], []
    if on:
        dem = L.group_demand
        mean = daily_mean(d, L, dem)
        x, y, z = m.v_serve_mtok_h, m.v_serve_daily_mtok_h, m.v_assign
        for a in range(n_a):
            g, j = L.route_group[a], L.route_pos[a]
            if L.route_shiftable[a]:
                for day in range(D):
                    link.append(lin([1.0, -float(mean[g, day])], [y[j * D + day], z[a]]) <= 0)
            else:
                for t in range(T):
                    link.append(lin([1.0, -float(dem[g, t])], [x[j * T + t], z[a]]) <= 0)
        allow = d.policy.unserved_cost_per_mtok is not None
        for arcs in L.routes_of_group:
            if len(arcs) == 0:
                continue
            expr = lin([1.0] * len(arcs), [z[a] for a in arcs])
            choose.append(expr <= 1 if allow else expr == 1)
    indexed_constraint(m, "c_single_source_link", link)
    indexed_constraint(m, "c_single_source_choose", choose)
