"""Family 12, vintages: a pathway's years share what is built, which stays until it retires.

Per (site, hardware) pair j, site s, and modelled years v <= y (calendar years):
    cap[j,y] = sum_{v: y - v < life_h} build[j,v] + existing[j,y]                 (MW-IT)
    sum_h cap[(s,h),y] <= sum_{v: y - v < life_fac} fac_build[s,v] + existing_fac[s]   (MW-IT)
    open[s,y] >= open[s,y-1]                        (an opened option stays open)
    build[j,v] = 0 if hardware h is first bought after v, or v's policy excludes option s
    fac_build[s,v] = 0 if v's policy excludes option s

Costs of year y (annualised within the horizon: each vintage pays its annuity in every year it
stands, so a build late in the horizon pays only for the years it serves there):
    hardware  sum_j capex_hw[h] sum_{v standing at y} build[j,v]
    facility  sum_s facility[s] sum_{v standing at y} fac_build[s,v]
Existing capacity is sunk: it carries no capital cost.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import stands
from siteplan.inputs.pathway import PathwayData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard
from siteplan.model.siting import caps_of_site

NAME = "vintages"
ROWS = {  # on the pathway model, linking its years (not a per-year family)
    "c_vintage_capacity": Hard("capacity is what was built and still stands"),
    "c_facility_capacity": Hard("hardware stands in buildings that stand"),
    "c_stay_open": Hard("an opened option stays open"),
}


def standing(years: list[int], life: float) -> np.ndarray:
    """(Y, Y) 0/1: capacity built in modelled year v still stands in modelled year y."""
    ys = np.array(years, dtype=float)
    return stands(ys[:, None] - ys[None, :], life).astype(float)


def add(m: pyo.ConcreteModel, P: PathwayData, years: list[BuildContext]) -> None:
    """Link the years' blocks (each built by ``add_year``); their capital costs are the
    standing vintages'."""
    Y = len(P.years)
    blocks = [ctx.block for ctx in years]
    d0, L0 = years[0].data, years[0].layout
    site_hw, n_s = L0.site_hw, len(d0.sites)
    J = len(site_hw)
    m.v_build_mw = pyo.Var(range(J * Y), domain=pyo.NonNegativeReals)
    m.v_fac_build_mw = pyo.Var(range(n_s * Y), domain=pyo.NonNegativeReals)
    build, fac = m.v_build_mw, m.v_fac_build_mw
    for v, ctx in enumerate(years):
        ok = ctx.data.site_buildable
        for j, (s, h) in enumerate(site_hw):
            if d0.hw_first_year[h] > P.years[v] or not ok[s]:
                build[j * Y + v].fix(0)
        for s in np.flatnonzero(~ok):
            fac[s * Y + v].fix(0)

    exist = np.zeros((J, Y))
    exist_fac = d0.site_existing_mw.astype(float).copy()  # facility MW standing
    j_of = {sh: j for j, sh in enumerate(site_hw)}
    for s, h, mw, by in zip(P.existing_site, P.existing_hw, P.existing_mw,
                            P.existing_build_year, strict=True):
        exist_fac[s] += mw
        j = j_of.get((int(s), int(h)))
        for y, year in enumerate(P.years):
            if j is not None and stands(year - by, d0.hw_lifetime_years[h]):
                exist[j, y] += mw
    hw_stand = {h: standing(P.years, d0.hw_lifetime_years[h]) for _s, h in site_hw}
    fac_stand = standing(P.years, P.facility_lifetime_years)

    cap_rows, fac_rows, open_rows = [], [], []
    for y, (b, ctx) in enumerate(zip(blocks, years, strict=True)):
        caps = caps_of_site(ctx)
        for j, (_s, h) in enumerate(site_hw):
            vs = [v for v in range(Y) if hw_stand[h][y, v]]
            cap_rows.append(lin([1.0] + [-1.0] * len(vs),
                                [b.v_cap_mw[j]] + [build[j * Y + v] for v in vs]) == exist[j, y])
        fv = [v for v in range(Y) if fac_stand[y, v]]
        for s in range(n_s):
            cap_vars = [b.v_cap_mw[j] for j in caps[s]]
            fac_rows.append(lin([1.0] * len(cap_vars) + [-1.0] * len(fv),
                                cap_vars + [fac[s * Y + v] for v in fv]) <= exist_fac[s])
            if exist[caps[s], y].sum() > 0:
                b.v_open[s].fix(1)
        if y > 0:
            prev = blocks[y - 1]
            for s in range(n_s):
                if not (b.v_open[s].fixed and prev.v_open[s].fixed):
                    open_rows.append(lin([1.0, -1.0], [b.v_open[s], prev.v_open[s]]) >= 0)
    indexed_constraint(m, "c_vintage_capacity", cap_rows)
    indexed_constraint(m, "c_facility_capacity", fac_rows)
    indexed_constraint(m, "c_stay_open", open_rows)

    hw_cost = np.array([d0.hw_capex_per_mw[h] for _s, h in site_hw])
    for y, ctx in enumerate(years):  # each option's standing vintages, in site_hw order
        caps = caps_of_site(ctx)
        for s in range(n_s):
            pairs = [(j, v) for j in caps[s] for v in range(Y) if hw_stand[site_hw[j][1]][y, v]]
            ctx.costs.add("hardware", [hw_cost[j] for j, _v in pairs],
                          [build[j * Y + v] for j, v in pairs], sites=[s])
        fv = [v for v in range(Y) if fac_stand[y, v]]
        fc = ctx.data.site_facility_cost_per_mw
        for s in range(n_s):
            ctx.costs.add("facility", [fc[s]] * len(fv), [fac[s * Y + v] for v in fv],
                          sites=[s])
