"""Family 8c, single-sourcing: each region's class is served by exactly one site.

    x[a,t] <= peak_rate[g,t] y[a]        (y binary per arc a = (r,s,k))
    sum_{a in g} y[a] = 1                 (<= 1 when unserved demand is allowed)
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.demand import peak_rate
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    on = d.policy.single_sourcing
    n_a, T = len(d.arc_region), L.n_t
    m.v_assign = pyo.Var(range(n_a if on else 0), domain=pyo.Binary)
    link, choose = [], []
    if on:
        peak = peak_rate(d, L)
        x, y = m.v_serve_mtok_h, m.v_assign
        for a in range(n_a):
            g = L.arc_group[a]
            for t in range(T):
                link.append(lin([1.0, -float(peak[g, t])], [x[a * T + t], y[a]]) <= 0)
        allow = d.policy.unserved_cost_per_mtok is not None
        for arcs in L.arcs_of_group:
            if len(arcs) == 0:
                continue
            expr = lin([1.0] * len(arcs), [y[a] for a in arcs])
            choose.append(expr <= 1 if allow else expr == 1)
    indexed_constraint(m, "c_single_source_link", link)
    indexed_constraint(m, "c_single_source_choose", choose)
