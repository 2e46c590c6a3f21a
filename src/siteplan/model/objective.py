"""The objective: total annual cost (sum of the registered cost terms), or emissions.

The model objective is scaled by ``OBJECTIVE_SCALE`` (currency -> millions) to keep HiGHS
well conditioned; results always report unscaled currency.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.costs import COST_TERMS, attach_cost_expressions
from siteplan.model.layout import Layout

OBJECTIVE_SCALE = 1e-6
EMISSIONS_TIEBREAK = 1e-6  # cost weight (per currency) when minimising tCO2


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    attach_cost_expressions(m)
    m.e_total_cost = pyo.Expression(expr=sum(m.e_cost[t] for t in COST_TERMS))
    if d.objective == "emissions":
        m.obj = pyo.Objective(
            expr=OBJECTIVE_SCALE * (m.e_emissions_t * 1e3 + EMISSIONS_TIEBREAK * m.e_total_cost),
            sense=pyo.minimize,
        )
    else:
        m.obj = pyo.Objective(expr=OBJECTIVE_SCALE * m.e_total_cost, sense=pyo.minimize)
