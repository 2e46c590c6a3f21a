"""Family 8c, single-sourcing: each region's class is served from one location (one site).

    x[a,t] <= demand[g,t] z[a]   (fixed)     y[a,d] <= mean_d demand[g] z[a]   (shiftable)
    sum_{a in g} z[a] = 1   (<= 1 when unserved demand is allowed)             z binary
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.demand import daily_mean
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard, Soft, num, tokens_per_day, top

NAME = "single-sourcing"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    on = d.policy.single_sourcing
    n_a, T, D = len(L.route_group), L.n_t, L.n_d  # one group per region when on
    m.v_assign = pyo.Var(range(n_a if on else 0), domain=pyo.Binary)
    link, choose, keys = [], [], []
    if on:
        dem = L.group_demand
        mean = daily_mean(d, L, dem)
        x, y, z = m.v_serve_mtok_h, m.v_serve_daily_mtok_h, m.v_assign
        for a in range(n_a):
            g, j = L.route_group[a], L.route_pos[a]
            if L.route_shiftable[a]:
                for day in range(D):
                    link.append(lin([1.0, -float(mean[g, day])], [y[j * D + day], z[a]]) <= 0)
                    keys.append((a, day, True))
            else:
                for t in range(T):
                    link.append(lin([1.0, -float(dem[g, t])], [x[j * T + t], z[a]]) <= 0)
                    keys.append((a, t, False))
        allow = d.policy.unserved_cost_per_mtok is not None
        for arcs in L.routes_of_group:
            if len(arcs) == 0:
                continue
            expr = lin([1.0] * len(arcs), [z[a] for a in arcs])
            choose.append(expr <= 1 if allow else expr == 1)
    indexed_constraint(m, "c_single_source_link", link)
    indexed_constraint(m, "c_single_source_choose", choose)
    ctx.handles[NAME] = keys  # (route, slice or day, daily) of each link row


def applies(d: ModelData) -> bool:
    return bool(d.policy.single_sourcing)


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    w, hours = ctx.data.slice_weight_h, ctx.layout.day_hours
    return np.array([(hours[t] if daily else w[t]) / sc.annual_mtok
                     for _a, t, daily in ctx.handle(NAME)])


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d, L = ctx.data, ctx.layout
    per: dict[tuple[int, int, int], float] = {}
    for (a, t, daily), s in zip(ctx.handle(NAME), v, strict=True):
        if s <= 0:
            continue
        grp = int(L.route_group[a])
        r = int(L.group_members[grp][0])
        key = (r, int(L.group_workload[grp]), int(L.route_location[a]))
        hours = L.day_hours[t] if daily else d.slice_weight_h[t]
        per[key] = per.get(key, 0.0) + float(s * hours)
    items = [(f"{d.regions[r]}/{d.workloads[k]} from {d.locations[loc]}",
              tokens_per_day(d, x)) for (r, k, loc), x in per.items()]
    total = tokens_per_day(d, sum(per.values()))
    return (f"single-sourcing must give: {num(total)} tokens/day must come from a second "
            f"location: {top(items, num)} tokens/day")


ROWS = {
    "c_single_source_link": Soft(_weight, _describe),
    "c_single_source_choose": Hard("each region and class picks one location (or none, "
                                   "where unserved demand is allowed)"),
}
