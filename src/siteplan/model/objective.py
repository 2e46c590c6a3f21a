"""The objective: total annual cost (sum of the ledger's cost terms), or emissions.

The objective is in the input's units (currency/yr); the solver boundary scales the whole
model from its own magnitudes (siteplan.scaling), so no fixed factor is applied here.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.pathway import PathwayData
from siteplan.model.context import BuildContext

EMISSIONS_TIEBREAK = 1e-6  # cost weight (per currency) when minimising tCO2


def add(m: pyo.ConcreteModel, ctx: BuildContext) -> None:
    """One year: ``e_cost[term]``, ``e_total_cost`` (currency/yr) and the objective."""
    ctx.costs.attach(m)
    if ctx.data.objective == "emissions":
        m.obj = pyo.Objective(
            expr=(m.e_emissions_t * 1e3 + EMISSIONS_TIEBREAK * m.e_total_cost),
            sense=pyo.minimize,
        )
    else:
        m.obj = pyo.Objective(expr=m.e_total_cost, sense=pyo.minimize)


def add_pathway(m: pyo.ConcreteModel, P: PathwayData, years: list[BuildContext]) -> None:
    """Net present cost: sum_y weight_y x annual cost_y (inputs/pathway.py); or the tCO2 of
    the horizon (each year's emissions x the calendar years it stands for)."""
    blocks = [ctx.block for ctx in years]
    for ctx in years:
        ctx.costs.attach(ctx.block)
    m.e_npc = pyo.Expression(expr=sum(float(w) * b.e_total_cost
                                      for w, b in zip(P.weight, blocks, strict=True)))
    if P.data[0].objective == "emissions":
        tco2 = sum(float(n) * b.e_emissions_t for n, b in zip(P.span_years, blocks, strict=True))
        m.obj = pyo.Objective(expr=(tco2 * 1e3 + EMISSIONS_TIEBREAK * m.e_npc),
                              sense=pyo.minimize)
    else:
        m.obj = pyo.Objective(expr=m.e_npc, sense=pyo.minimize)
