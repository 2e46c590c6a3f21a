"""Family 4, build: which options open and how many MW-IT of each hardware they hold.

    min_mw[s] open[s] <= sum_h cap[s,h] <= max_mw[s] open[s]
    sum_{s at location l} open[s] <= 1
    existing_mw[s] > 0  =>  open[s] = 1 and sum_h cap[s,h] >= existing_mw[s]

Costs: fixed[s] open[s]; (capex_hw[h] + facility[s]) cap[s,h]; connection[s] cap[s,h] (grid
connection per MW of site power x PUE); opex (opex_site[s] + opex_hw[h]) cap[s,h].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard, Soft, num, per_unit, top

NAME = "build"


@dataclass(frozen=True)
class SitingHandles:
    caps_of_site: list[list[int]]  # positions of each option's capacity variables (site_hw)
    floor_sites: list[int]  # the option of each c_build_min row


def caps_of_site(ctx: BuildContext) -> list[list[int]]:
    """Positions in ``layout.site_hw`` (capacity variables) of each site option."""
    return ctx.handle(NAME).caps_of_site


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    n_s = len(d.sites)
    domain = pyo.Binary if d.solver.integer_sites else pyo.UnitInterval
    m.v_open = pyo.Var(range(n_s), domain=domain)
    m.v_cap_mw = pyo.Var(range(len(L.site_hw)), domain=pyo.NonNegativeReals)
    caps: list[list[int]] = [[] for _ in range(n_s)]
    for j, (s, _h) in enumerate(L.site_hw):
        caps[s].append(j)

    upper, lower, floor_sites = [], [], []
    for s in range(n_s):
        cap_vars = [m.v_cap_mw[j] for j in caps[s]]
        ones = [1.0] * len(cap_vars)
        upper.append(lin([*ones, -d.site_max_mw[s]], [*cap_vars, m.v_open[s]]) <= 0)
        if d.site_existing_mw[s] > 0:  # already built: open, and at least what stands
            m.v_open[s].fix(1)
            floor = max(d.site_min_mw[s], d.site_existing_mw[s])
            lower.append(lin(ones, cap_vars) >= floor)
            floor_sites.append(s)
        elif d.site_min_mw[s] > 0:
            lower.append(lin([*ones, -d.site_min_mw[s]], [*cap_vars, m.v_open[s]]) >= 0)
            floor_sites.append(s)
    ctx.handles[NAME] = SitingHandles(caps, floor_sites)
    indexed_constraint(m, "c_build_max", upper)
    indexed_constraint(m, "c_build_min", lower)

    one = []
    for loc in np.unique(d.site_location):
        members = np.flatnonzero(d.site_location == loc)
        if len(members) > 1:
            one.append(lin([1.0] * len(members), [m.v_open[s] for s in members]) <= 1)
    indexed_constraint(m, "c_one_option_per_location", one)

    for s in range(n_s):
        ctx.costs.add("fixed", [d.site_fixed_cost[s]], [m.v_open[s]], sites=[s])
    # operation and grid connection are paid per MW-IT standing, in every year
    connection = d.site_connection_per_mw
    opex = np.array([d.site_opex_per_mw[s] + d.hw_opex_per_mw[h] for s, h in L.site_hw])
    if connection.any():  # registered only where some option has them: the model of a
        for s in range(n_s):  # dataset without them is the same as before
            ctx.costs.add("connection", [connection[s]] * len(caps[s]),
                          [m.v_cap_mw[j] for j in caps[s]], sites=[s])
    if opex.any():
        for s in range(n_s):
            ctx.costs.add("opex", [opex[j] for j in caps[s]], [m.v_cap_mw[j] for j in caps[s]],
                          sites=[s])
    if ctx.pathway:  # capital is paid by the vintages that stand (vintage.py)
        return
    hw = [float(d.hw_capex_per_mw[h]) for _s, h in L.site_hw]
    for s in range(n_s):
        ctx.costs.add("hardware", [hw[j] for j in caps[s]], [m.v_cap_mw[j] for j in caps[s]],
                      sites=[s])
    for s in range(n_s):
        ctx.costs.add("facility", [d.site_facility_cost_per_mw[s]] * len(caps[s]),
                      [m.v_cap_mw[j] for j in caps[s]], sites=[s])


def applies(d: ModelData) -> bool:
    return True


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``cap_mw`` (site_hw,) MW-IT; ``open`` (S,) rounded to 1e-6."""
    m = ctx.block
    return {"cap_mw": res.values(m.v_cap_mw), "open": np.round(res.values(m.v_open), 6)}


def cap_of_site(ctx: BuildContext, res) -> np.ndarray:
    """(S,) MW-IT of each option in ``res``."""
    caps = res.values(ctx.block.v_cap_mw)
    return np.array([float(caps[cols].sum()) if cols else 0.0 for cols in caps_of_site(ctx)])


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return per_unit(n, 1.0 / sc.need_mw)


def _describe_max(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    per: dict[int, float] = {}
    for s, x in enumerate(v):
        if x > 0:
            loc = int(d.site_location[s])
            per[loc] = per.get(loc, 0.0) + float(x)
    items = [(f"{d.locations[loc]} (max_mw {d.site_max_mw[d.site_location == loc].max():g})",
              x) for loc, x in per.items()]
    return (f"capacity must give: locations need {num(sum(per.values()))} MW IT beyond their "
            f"max_mw: {top(items, lambda x: f'+{num(x)} MW')}")


def _describe_min(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    items = []
    for s, x in zip(ctx.handle(NAME).floor_sites, v, strict=True):
        floor = max(d.site_existing_mw[s], d.site_min_mw[s])
        what = "existing_mw" if d.site_existing_mw[s] > 0 else "min_mw"
        items.append((f"{d.sites[s]} ({what} {floor:g})", float(x)))
    return (f"capacity floors must give: existing or minimum capacity must fall by "
            f"{num(float(v.sum()))} MW IT: {top(items, lambda x: f'-{num(x)} MW')}")


ROWS = {
    "c_build_max": Soft(_weight, _describe_max),
    "c_build_min": Soft(_weight, _describe_min),
    "c_one_option_per_location": Hard("at most one option per location: the model's layout "
                                      "balances power per location"),
}
