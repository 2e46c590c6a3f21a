"""Family 8a, carbon: grid emissions, their price, and an optional annual cap.

    e_emissions_t = sum_{l,t} w_t ef[l,t] grid[l,t]        (tCO2/yr)
    e_emissions_t <= carbon_cap_t                           (if policy.carbon_cap_t)
Costs: carbon carbon_price x e_emissions_t.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.costs import add_cost
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    coefs = (d.location_ef[m._layout.active_locations] * d.slice_weight_h[None, :]).ravel()
    m.e_emissions_t = pyo.Expression(expr=lin(coefs, list(m.v_grid_mw.values())))
    rows = []
    if d.policy.carbon_cap_t is not None:
        rows.append(m.e_emissions_t <= d.policy.carbon_cap_t)
    indexed_constraint(m, "c_carbon_cap", rows)
    if d.policy.carbon_price_per_t > 0:
        add_cost(m, "carbon", d.policy.carbon_price_per_t * m.e_emissions_t)
