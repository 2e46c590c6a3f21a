"""Family 14, water: cooling water withdrawn in a province stays within its cap.

With ``policy.water_cap_m3`` (province id -> m3/yr), for every capped province r:
    sum_{s at locations in r} wue[s] sum_t w_t it[s,t] <= cap[r]                 (m3/yr)
it[s,t] is IT power (MW, power.py), wue[s] the option's cooling water use (L/kWh of IT
energy, cooling.csv): MWh x L/kWh = m3. The row is stated in thousand m3 to keep it scaled.
A cap steers work towards dry cooling (air, liquid) or towards other provinces.
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, top
from siteplan.model.power import it_terms

NAME = "water"
ROW_UNIT_M3 = 1e3  # rows in thousand m3


def applies(d: ModelData) -> bool:
    return bool(d.policy.water_cap_m3)


def _capped_regions(d: ModelData) -> list[int]:
    """Regions with a cap, in regions.csv order."""
    caps = d.policy.water_cap_m3
    return [r for r, region in enumerate(d.regions) if region in caps]


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    rows, regions = [], []
    for r in _capped_regions(d):
        coefs, vs = [], []
        for loc in L.active_locations:
            if d.location_region[loc] != r:
                continue
            for s in L.sites_of_location[int(loc)]:
                for t in range(L.n_t):
                    c, v = it_terms(ctx, s, t)
                    k = d.site_wue_l_per_kwh[s] * d.slice_weight_h[t] / ROW_UNIT_M3
                    coefs += [k * ci for ci in c]
                    vs += v
        rows.append(lin(coefs, vs) <= d.policy.water_cap_m3[d.regions[r]] / ROW_UNIT_M3)
        regions.append(r)
    indexed_constraint(m, "c_water_cap", rows)
    ctx.handles[NAME] = regions  # the region of each row


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}  # water use is reported per site from IT energy (results: water_m3)


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    """Per province row (thousand m3): 1 / the whole scenario's water at the wettest cooling."""
    wue = float(ctx.data.site_wue_l_per_kwh.max(initial=0.0)) or 1.0
    return np.full(n, ROW_UNIT_M3 / (sc.energy_mwh * wue))


def _m3(x: float) -> str:
    return f"{x:,.0f} m3"


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    caps = d.policy.water_cap_m3
    items = [(f"{d.regions[r]} (cap {_m3(caps[d.regions[r]])})", float(x) * ROW_UNIT_M3)
             for r, x in zip(ctx.handle(NAME), v, strict=True)]
    total = float(v.sum()) * ROW_UNIT_M3
    return (f"water cap must give: policy.water_cap_m3 must rise by {_m3(total)} a year in "
            f"all: {top(items, lambda x: '+' + _m3(x))}")


ROWS = {"c_water_cap": Soft(_weight, _describe)}
