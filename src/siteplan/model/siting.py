"""Family 4, build: which options open and how many MW-IT of each hardware they hold.

    min_mw[s] open[s] <= sum_h cap[s,h] <= max_mw[s] open[s]
    sum_{s at location l} open[s] <= 1
    existing_mw[s] > 0  =>  open[s] = 1 and sum_h cap[s,h] >= existing_mw[s]

Costs: fixed[s] open[s]; (capex_hw[h] + facility[s]) cap[s,h]; connection[s] cap[s,h] (grid
connection per MW of site power x PUE); opex (opex_site[s] + opex_hw[h]) cap[s,h].
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.costs import add_cost
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    n_s = len(d.sites)
    domain = pyo.Binary if d.solver.integer_sites else pyo.UnitInterval
    m.v_open = pyo.Var(range(n_s), domain=domain)
    m.v_cap_mw = pyo.Var(range(len(L.site_hw)), domain=pyo.NonNegativeReals)
    caps_of_site: list[list[int]] = [[] for _ in range(n_s)]
    for j, (s, _h) in enumerate(L.site_hw):
        caps_of_site[s].append(j)
    m._caps_of_site = caps_of_site

    upper, lower = [], []
    for s in range(n_s):
        cap_vars = [m.v_cap_mw[j] for j in caps_of_site[s]]
        ones = [1.0] * len(cap_vars)
        upper.append(lin([*ones, -d.site_max_mw[s]], [*cap_vars, m.v_open[s]]) <= 0)
        if d.site_existing_mw[s] > 0:  # already built: open, and at least what stands
            m.v_open[s].fix(1)
            floor = max(d.site_min_mw[s], d.site_existing_mw[s])
            lower.append(lin(ones, cap_vars) >= floor)
        elif d.site_min_mw[s] > 0:
            lower.append(lin([*ones, -d.site_min_mw[s]], [*cap_vars, m.v_open[s]]) >= 0)
    indexed_constraint(m, "c_build_max", upper)
    indexed_constraint(m, "c_build_min", lower)

    one = []
    for loc in np.unique(d.site_location):
        members = np.flatnonzero(d.site_location == loc)
        if len(members) > 1:
            one.append(lin([1.0] * len(members), [m.v_open[s] for s in members]) <= 1)
    indexed_constraint(m, "c_one_option_per_location", one)

    add_cost(m, "fixed", lin(d.site_fixed_cost, [m.v_open[s] for s in range(n_s)]))
    hw = np.array([h for _s, h in L.site_hw], dtype=int)
    st = np.array([s for s, _h in L.site_hw], dtype=int)
    cap_vars = list(m.v_cap_mw.values())
    add_cost(m, "hardware", lin(d.hw_capex_per_mw[hw] if len(hw) else [], cap_vars))
    add_cost(m, "facility", lin(d.site_facility_cost_per_mw[st] if len(st) else [], cap_vars))
    connection = d.site_connection_per_mw[st] if len(st) else np.zeros(0)
    if connection.any():
        add_cost(m, "connection", lin(connection, cap_vars))
    opex = d.site_opex_per_mw[st] + d.hw_opex_per_mw[hw] if len(st) else np.zeros(0)
    if opex.any():
        add_cost(m, "opex", lin(opex, cap_vars))
