"""Family 11, hourly matching (24/7 clean energy): ``policy.green_accounting: hourly``.

In every slice t, at every location l (its open site), clean supply covers a share H of load:
    green[l,t] grid[l,t] + clean[l,t] >= H (grid[l,t] + clean[l,t])          (MW)
clean = PPA output used + curtailed energy bought + storage discharge - charge (power.py).
Summed over slices and locations with weights w_t this implies the annual share H, so hourly
matching at H is never weaker than the annual portfolio share at H.
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, num, top
from siteplan.model.power import slice_energy_terms

NAME = "hourly matching"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    rows = []
    if d.policy.green_accounting == "hourly":
        share = d.policy.hourly_clean_share
        for loc in L.active_locations:
            for t in range(L.n_t):
                c, v = slice_energy_terms(ctx, int(loc), t, share, green_weighted=True)
                rows.append(lin(c, v) >= 0)
    indexed_constraint(m, "c_hourly_clean", rows)


def applies(d: ModelData) -> bool:
    return d.policy.green_accounting == "hourly"


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    """MW short per (location, slice): weighed by the slice's hours."""
    w = ctx.data.slice_weight_h
    return np.tile(w, max(n // ctx.layout.n_t, 1))[:n] / sc.energy_mwh


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d, L = ctx.data, ctx.layout
    short = v.reshape(-1, L.n_t)  # (locations, slices) MW of clean supply missing
    locs = [int(x) for x in L.active_locations]
    items = [(d.locations[loc], float((row * d.slice_weight_h).sum()))
             for loc, row in zip(locs, short, strict=True)]
    i, t = np.unravel_index(int(np.argmax(short)), short.shape)
    return (f"hourly matching must give: policy.hourly_clean_share "
            f"{d.policy.hourly_clean_share:.0%} leaves {num(float(sum(x for _n, x in items)))} "
            f"MWh a year of clean supply missing (worst: {d.locations[locs[i]]} in slice "
            f"{d.slices[t]}, {num(float(short[i, t]))} MW short) at: "
            f"{top(items, lambda x: f'{num(x)} MWh')}; lower the share, or allow "
            "synergy.storage or synergy.absorb_curtailment")


ROWS = {"c_hourly_clean": Soft(_weight, _describe)}
