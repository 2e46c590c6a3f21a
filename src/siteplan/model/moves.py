"""Family 8d, moves between sites: may shiftable work choose a different site each day?

Shiftable groups hand each day's volume to locations (y[q,d], demand.py), so by default the
work may move between sites day by day, within its latency limit. With
``synergy.move_between_sites: false``, each route's share of its group's daily volume is the
same every day (mean_d is the group's mean demand on day d, d0 its largest day):
    y[q,d] = (mean[g,d] / mean[g,d0]) y[q,d0]                  (Mtok/h, every day d != d0)
Work still shifts in time within the day at its site (routing.py).
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.demand import daily_mean
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard

NAME = "moves between sites"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    rows = []
    if not d.synergy.move_between_sites:
        D, y = L.n_d, m.v_serve_daily_mtok_h
        mean = daily_mean(d, L, L.group_demand)
        for g in np.flatnonzero(L.group_shiftable):
            routes = L.routes_of_group[g]
            if len(routes) < 2:
                continue
            d0 = int(np.argmax(mean[g]))
            scale = float(mean[g, d0])
            for q in routes:
                j = L.route_pos[q]
                for day in range(D):
                    if day != d0:
                        rows.append(lin([1.0, -float(mean[g, day]) / scale],
                                        [y[j * D + day], y[j * D + d0]]) == 0)
    indexed_constraint(m, "c_pin_site_share", rows)


def applies(d: ModelData) -> bool:
    return not d.synergy.move_between_sites


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


ROWS = {"c_pin_site_share": Hard("a route's share of its group's work is the same every day")}
