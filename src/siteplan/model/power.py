"""Family 6, power: facility power = PUE x IT power, met by grid and clean supply.

Balanced per location l (at most one option opens there, so this is exact):
    it[s,t] = sum_h ((1 - idle_h) busy[s,h,t] + idle_h cap[s,h])               (MW-IT)
    grid[l,t] + clean[l,t] = sum_{s at l} pue[s] it[s,t]                       (MW)
    clean[l,t] = sum_{p at l} ppa[p,t] + (terms other families register in ctx.clean:
                 curtailed energy bought, storage discharge - charge)
    ppa[p,t] <= cf[p,t] ppa_mw[p];   sum_{p of region r, tech g} ppa_mw[p] <= max_mw[r,g]
    (a region's cap is shared by all its locations: c_ppa_region_cap; a direct-line offer,
    direct_line.csv, is a PPA of its own with its own regional cap, the energy price of the
    region's offer + a line cost per MW, and its own charge per MWh in place of wheeling)
This module makes the grid and PPA variables, their costs and the regional PPA caps; the
balance and the PPA output limits are written by family ``balance`` (balance.py), once every
clean supply is registered.

Costs: electricity w_t price[l,t] grid[l,t]; ppa cost[p] ppa_mw[p] + w_t wheel[p] ppa[p,t]
(the grid charges a wheeled contract pays on the energy delivered).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.capacity import busy_terms
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard
from siteplan.model.siting import caps_of_site

NAME = "power"


@dataclass(frozen=True)
class PowerHandles:
    grid_pos: dict[int, int]  # location -> its position among the grid variables' locations


def it_terms(ctx: BuildContext, s: int, t: int):
    """(coefs, vars) of IT power (MW) at site s in slice t."""
    m, d, L = ctx.block, ctx.data, ctx.layout
    coefs, vs = [], []
    for j in caps_of_site(ctx)[s]:
        h = L.site_hw[j][1]
        idle = d.hw_idle_share[h]
        c, v = busy_terms(ctx, s, h, t)
        coefs += [ci * (1.0 - idle) for ci in c]
        vs += v
        if idle > 0:
            coefs.append(idle)
            vs.append(m.v_cap_mw[j])
    return coefs, vs


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, n_p = L.n_t, len(d.ppa_location)
    locs = L.active_locations
    ctx.handles[NAME] = PowerHandles({int(loc): i for i, loc in enumerate(locs)})
    m.v_grid_mw = pyo.Var(range(len(locs) * T), domain=pyo.NonNegativeReals)
    ub = {p: (None if np.isinf(d.ppa_max_mw[p]) else float(d.ppa_max_mw[p])) for p in range(n_p)}
    m.v_ppa_mw = pyo.Var(range(n_p), domain=pyo.NonNegativeReals, bounds=lambda _m, p: (0, ub[p]))
    m.v_ppa_use_mw = pyo.Var(range(n_p * T), domain=pyo.NonNegativeReals)
    grid, w = m.v_grid_mw, d.slice_weight_h
    for i, loc in enumerate(locs):
        ctx.costs.add("electricity", d.location_price[loc] * w,
                      [grid[i * T + t] for t in range(T)], sites=L.sites_of_location[int(loc)])
    for p in range(n_p):
        ctx.costs.add("ppa", [d.ppa_cost_per_mw[p]], [m.v_ppa_mw[p]],
                      sites=L.sites_of_location.get(int(d.ppa_location[p]), ()))
        if d.ppa_wheeling_per_mwh[p] > 0:  # grid charges on the energy delivered
            ctx.costs.add("ppa", d.ppa_wheeling_per_mwh[p] * w,
                          [m.v_ppa_use_mw[p * T + t] for t in range(T)],
                          sites=L.sites_of_location.get(int(d.ppa_location[p]), ()))
    shared = []
    for members in _ppa_groups(d):
        if len(members) > 1 and not np.isinf(d.ppa_max_mw[members[0]]):
            vs = [m.v_ppa_mw[p] for p in members]
            shared.append(lin([1.0] * len(vs), vs) <= float(d.ppa_max_mw[members[0]]))
    indexed_constraint(m, "c_ppa_region_cap", shared)


def _ppa_groups(d: ModelData) -> list[list[int]]:
    """PPA options grouped by (region, tech): the options that share one regional cap. A
    dedicated supply (dedicated_supply.csv) is a group of its own; the direct-line options of
    a region and tech (direct_line.csv) share the region's direct-line cap."""
    groups: dict[tuple, list[int]] = {}
    ded = d.ppa_dedicated if len(d.ppa_dedicated) else np.zeros(len(d.ppa_location), bool)
    direct = d.ppa_direct if len(d.ppa_direct) else np.zeros(len(d.ppa_location), bool)
    for p, (loc, tech) in enumerate(zip(d.ppa_location, d.ppa_tech, strict=True)):
        key = (("dedicated", p) if ded[p] else
               ("direct", int(d.location_region[loc]), tech) if direct[p] else
               ("wheeled", int(d.location_region[loc]), tech))
        groups.setdefault(key, []).append(p)
    return list(groups.values())


def clean_terms(ctx: BuildContext, loc: int, t: int):
    """(coefs, vars) of clean supply (MW) at location ``loc`` in slice ``t``: PPA output used
    and every term registered in ``ctx.clean``."""
    L = ctx.layout
    ppas = L.ppas_of_location.get(loc, [])
    extra = ctx.clean.terms(loc, t)
    return ([1.0] * len(ppas) + [c for c, _v in extra],
            [ctx.block.v_ppa_use_mw[p * L.n_t + t] for p in ppas] + [v for _c, v in extra])


def energy_terms(ctx: BuildContext, loc: int, share: float, green_weighted: bool):
    """(coefs, vars) of sum_t w_t (coef_grid grid + coef_clean clean) at location ``loc``.

    With ``green_weighted``: coef_grid = green[l,t] - share, coef_clean = 1 - share (green
    surplus); otherwise the facility energy (MWh) times ``share``.
    """
    d = ctx.data
    coefs, vs = [], []
    for t in range(ctx.layout.n_t):
        c, v = slice_energy_terms(ctx, loc, t, share, green_weighted)
        coefs += [d.slice_weight_h[t] * ci for ci in c]
        vs += v
    return coefs, vs


def slice_energy_terms(ctx: BuildContext, loc: int, t: int, share: float,
                       green_weighted: bool):
    """(coefs, vars) of one slice's term of :func:`energy_terms` (MW, not weighted)."""
    d = ctx.data
    cg = (d.location_green[loc, t] - share) if green_weighted else share
    cc = (1.0 - share) if green_weighted else share
    c, v = clean_terms(ctx, loc, t)
    pos = ctx.handle(NAME).grid_pos[loc]
    return [cg, *(cc * ci for ci in c)], [ctx.block.v_grid_mw[pos * ctx.layout.n_t + t], *v]


def applies(d: ModelData) -> bool:
    return True


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``grid_mw`` (all locations, T); ``ppa_mw`` (PPAs,) contracted; ``ppa_use_mw`` (PPAs, T)."""
    m, d, L = ctx.block, ctx.data, ctx.layout
    grid = np.zeros((len(d.locations), L.n_t))
    grid[L.active_locations] = res.values(m.v_grid_mw).reshape(len(L.active_locations), L.n_t)
    return {"grid_mw": grid, "ppa_mw": res.values(m.v_ppa_mw),
            "ppa_use_mw": res.values(m.v_ppa_use_mw).reshape(len(d.ppa_location), L.n_t)}


def location_energy_mwh(ctx: BuildContext, res) -> dict[int, float]:
    """Facility MWh/yr at each active location in ``res``: grid + clean supply (PPA used and
    every term in the clean-supply ledger), which the balance makes its load."""
    w, T = ctx.data.slice_weight_h, ctx.layout.n_t
    grid = res.values(ctx.block.v_grid_mw)
    out = {}
    for loc, i in ctx.handle(NAME).grid_pos.items():
        e = float((grid[i * T:(i + 1) * T] * w).sum())
        for t in range(T):
            c, v = clean_terms(ctx, loc, t)
            if v:
                e += w[t] * float(np.dot(c, res.value_list(v)))
        out[loc] = e
    return out


ROWS: dict[str, Hard] = {  # the balance and PPA output rows are family balance's
    "c_ppa_region_cap": Hard("a province's contracted renewable capacity is what its fleet "
                             "offers (ppa.csv max_mw), shared by all its locations"),
}
