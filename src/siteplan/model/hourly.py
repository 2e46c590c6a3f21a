"""Family 11, hourly matching (24/7 clean energy): ``policy.green_accounting: hourly``.

In every slice t, at every location l (its open site), clean supply covers a share H of load:
    green[l,t] grid[l,t] + clean[l,t] >= H (grid[l,t] + clean[l,t])          (MW)
clean = PPA output used + curtailed energy bought + storage discharge - charge (power.py).
Summed over slices and locations with weights w_t this implies the annual share H, so hourly
matching at H is never weaker than the annual portfolio share at H.
"""

from __future__ import annotations

from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.power import slice_energy_terms


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
