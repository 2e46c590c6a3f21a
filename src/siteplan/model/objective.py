"""The objective: total annual cost (sum of the ledger's cost terms), or emissions.

The objective is in the input's units (currency/yr); the solver boundary scales the whole
model from its own magnitudes (siteplan.scaling), so no fixed factor is applied here.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.inputs.pathway import PathwayData
from siteplan.model.context import BuildContext

EMISSIONS_TIEBREAK = 1e-6  # when minimising tCO2: a MWh's cost counts this share of its kgCO2


def tiebreak(d: ModelData) -> float:
    """Weight (kgCO2 per currency) of the cost beside the emissions: ``EMISSIONS_TIEBREAK`` x
    the mean emission factor (kgCO2/MWh) over the mean energy price (currency/MWh), so a
    MWh's cost weighs the same share of its emissions whatever the unit of money (a fixed
    weight per currency unit would rank costs above tCO2 in small money units). Without a
    positive price (or factor) the mean is taken as 1 per MWh (1 kgCO2/MWh)."""
    def mean_positive(v: np.ndarray) -> float:
        v = np.asarray(v, dtype=float)
        v = v[np.isfinite(v) & (v > 0)]
        return float(v.mean()) if len(v) else 1.0

    return EMISSIONS_TIEBREAK * mean_positive(d.location_ef * 1e3) / mean_positive(
        d.location_price)


def add(m: pyo.ConcreteModel, ctx: BuildContext) -> None:
    """One year: ``e_cost[term]``, ``e_total_cost`` (currency/yr) and the objective."""
    ctx.costs.attach(m)
    if ctx.data.objective == "emissions":
        m.obj = pyo.Objective(
            expr=(m.e_emissions_t * 1e3 + tiebreak(ctx.data) * m.e_total_cost),
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
        m.obj = pyo.Objective(expr=(tco2 * 1e3 + tiebreak(P.data[0]) * m.e_npc),
                              sense=pyo.minimize)
    else:
        m.obj = pyo.Objective(expr=m.e_npc, sense=pyo.minimize)
