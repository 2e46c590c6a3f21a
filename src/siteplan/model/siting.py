"""Family 4, build: which options open and how many MW-IT of each hardware they hold.

    min_mw[s] open[s] <= sum_h cap[s,h] <= max_mw[s] open[s]
    sum_{s at location l} open[s] <= 1
    existing_mw[s] > 0  =>  open[s] = 1 and sum_h cap[s,h] >= existing_mw[s]

Costs: fixed[s] open[s]; (capex_hw[h] + facility[s]) cap[s,h].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin


@dataclass(frozen=True)
class SitingHandles:
    caps_of_site: list[list[int]]  # positions of each option's capacity variables (site_hw)


def caps_of_site(ctx: BuildContext) -> list[list[int]]:
    """Positions in ``layout.site_hw`` (capacity variables) of each site option."""
    return ctx.handle("siting").caps_of_site


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    n_s = len(d.sites)
    domain = pyo.Binary if d.solver.integer_sites else pyo.UnitInterval
    m.v_open = pyo.Var(range(n_s), domain=domain)
    m.v_cap_mw = pyo.Var(range(len(L.site_hw)), domain=pyo.NonNegativeReals)
    caps: list[list[int]] = [[] for _ in range(n_s)]
    for j, (s, _h) in enumerate(L.site_hw):
        caps[s].append(j)
    ctx.handles["siting"] = SitingHandles(caps)

    upper, lower = [], []
    for s in range(n_s):
        cap_vars = [m.v_cap_mw[j] for j in caps[s]]
        ones = [1.0] * len(cap_vars)
        upper.append(lin([*ones, -d.site_max_mw[s]], [*cap_vars, m.v_open[s]]) <= 0)
        if d.site_existing_mw[s] > 0:  # already built: open, and at least what stands
            m.v_open[s].fix(1)
            floor = max(d.site_min_mw[s], d.site_existing_mw[s])
            lower.append(lin(ones, cap_vars) >= floor)
        elif d.site_min_mw[s] > 0:
            lower.append(lin([*ones, -d.site_min_mw[s]], [*cap_vars, m.v_open[s]]) >= 0)
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
    if ctx.pathway:  # capital is paid by the vintages that stand (vintage.py)
        return
    hw = [float(d.hw_capex_per_mw[h]) for _s, h in L.site_hw]
    for s in range(n_s):
        ctx.costs.add("hardware", [hw[j] for j in caps[s]], [m.v_cap_mw[j] for j in caps[s]],
                      sites=[s])
    for s in range(n_s):
        ctx.costs.add("facility", [d.site_facility_cost_per_mw[s]] * len(caps[s]),
                      [m.v_cap_mw[j] for j in caps[s]], sites=[s])
