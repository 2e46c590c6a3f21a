"""Family 9, curtailment absorption: sites buy their region's renewable surplus.

With ``synergy.absorb_curtailment``, every location l in a region r with a surplus profile
(curtailment.csv) may take curtailed energy, shared by the region's locations:
    sum_{l in r} curt[l,t] <= surplus[r,t]                                  (MW)
curt[l,t] is clean supply in the power balance (zero emissions, counts as green).
Costs: curtailment w_t price[r,t] curt[l,t].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard

NAME = "curtailment"


@dataclass(frozen=True)
class CurtailmentHandles:
    locations: list[int]  # locations with a curtailment variable, in variable order


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, w = L.n_t, d.slice_weight_h
    on = d.synergy.absorb_curtailment
    surplus = d.curtail_surplus_mw
    locs = [int(v) for v in L.active_locations
            if on and surplus[d.location_region[v]].max() > 0]
    ctx.handles[NAME] = CurtailmentHandles(locs)
    m.v_curtail_mw = pyo.Var(range(len(locs) * T), domain=pyo.NonNegativeReals)
    cu = m.v_curtail_mw
    by_region: dict[int, list[int]] = {}
    for i, loc in enumerate(locs):
        by_region.setdefault(int(d.location_region[loc]), []).append(i)
        for t in range(T):
            ctx.clean.add(loc, t, 1.0, cu[i * T + t])
    rows = []
    for r, members in by_region.items():
        for t in range(T):
            vs = [cu[i * T + t] for i in members]
            rows.append(lin([1.0] * len(vs), vs) <= float(surplus[r, t]))
    indexed_constraint(m, "c_curtailment_available", rows)
    for i, loc in enumerate(locs):
        price = d.curtail_price[d.location_region[loc]] * w
        ctx.costs.add("curtailment", price, [cu[i * T + t] for t in range(T)],
                      sites=L.sites_of_location[loc])


def applies(d: ModelData) -> bool:
    return bool(d.synergy.absorb_curtailment) and bool(d.curtail_surplus_mw.max(initial=0) > 0)


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``curtail_mw`` (all locations, T): curtailed energy bought."""
    out = np.zeros((len(ctx.data.locations), ctx.layout.n_t))
    locs = ctx.handle(NAME).locations
    if locs:
        out[locs] = res.values(ctx.block.v_curtail_mw).reshape(len(locs), -1)
    return {"curtail_mw": out}


ROWS = {"c_curtailment_available": Hard("the region's surplus is what there is")}
