"""Family 8a, carbon: grid emissions, their price, and an optional annual cap.

    e_emissions_t = sum_{l,t} w_t ef[l,t] grid[l,t]        (tCO2/yr)
    e_emissions_t <= carbon_cap_t                           (if policy.carbon_cap_t)
Costs: carbon carbon_price x e_emissions_t.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, num, per_unit

NAME = "carbon"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    locs = L.active_locations
    coefs = (d.location_ef[locs] * d.slice_weight_h[None, :]).ravel()
    m.e_emissions_t = pyo.Expression(expr=lin(coefs, list(m.v_grid_mw.values())))
    rows = []
    if d.policy.carbon_cap_t is not None:
        rows.append(m.e_emissions_t <= d.policy.carbon_cap_t)
    indexed_constraint(m, "c_carbon_cap", rows)
    price, T, grid = d.policy.carbon_price_per_t, L.n_t, m.v_grid_mw
    if price > 0:
        for i, loc in enumerate(locs):
            ctx.costs.add("carbon", price * coefs[i * T:(i + 1) * T],
                          [grid[i * T + t] for t in range(T)], sites=L.sites_of_location[int(loc)])


def applies(d: ModelData) -> bool:
    return d.policy.carbon_cap_t is not None or d.policy.carbon_price_per_t > 0


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return per_unit(n, 1.0 / sc.tco2)


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    cap = ctx.data.policy.carbon_cap_t or 0.0
    x = float(v.sum())
    return (f"carbon cap must give: policy.carbon_cap_t {num(cap)} tCO2 must rise by {num(x)} "
            f"tCO2 (to {num(cap + x)} tCO2)")


ROWS = {"c_carbon_cap": Soft(_weight, _describe)}
