"""Family 6, power: facility power = PUE x IT power, met by grid and clean supply.

Balanced per location l (at most one option opens there, so this is exact):
    it[s,t] = sum_h ((1 - idle_h) busy[s,h,t] + idle_h cap[s,h])               (MW-IT)
    grid[l,t] + clean[l,t] = sum_{s at l} pue[s] it[s,t]                       (MW)
    clean[l,t] = sum_{p at l} ppa[p,t] + (terms other families register in ctx.clean:
                 curtailed energy bought, storage discharge - charge)
    ppa[p,t] <= cf[p,t] ppa_mw[p];   ppa_mw[p] <= max_mw[p]
``add`` makes the grid and PPA variables; ``add_balance`` writes the balance (once every supply
is registered) and the PPA output limits, in that order.

Costs: electricity w_t price[l,t] grid[l,t]; ppa cost[p] ppa_mw[p].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.model.capacity import busy_terms
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.siting import caps_of_site


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
    ctx.handles["power"] = PowerHandles({int(loc): i for i, loc in enumerate(locs)})
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


def clean_terms(ctx: BuildContext, loc: int, t: int):
    """(coefs, vars) of clean supply (MW) at location ``loc`` in slice ``t``: PPA output used
    and every term registered in ``ctx.clean``."""
    L = ctx.layout
    ppas = L.ppas_of_location.get(loc, [])
    extra = ctx.clean.terms(loc, t)
    return ([1.0] * len(ppas) + [c for c, _v in extra],
            [ctx.block.v_ppa_use_mw[p * L.n_t + t] for p in ppas] + [v for _c, v in extra])


def add_balance(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    T = L.n_t
    balance = []
    for i, loc in enumerate(L.active_locations):
        for t in range(T):
            c, v = clean_terms(ctx, int(loc), t)
            coefs, vs = [1.0, *c], [m.v_grid_mw[i * T + t], *v]
            for s in L.sites_of_location[int(loc)]:
                c, v = it_terms(ctx, s, t)
                coefs += [-d.site_pue[s] * ci for ci in c]
                vs += v
            balance.append(lin(coefs, vs) == 0)
    indexed_constraint(m, "c_power_balance", balance)
    use, output = m.v_ppa_use_mw, []
    for p in range(len(d.ppa_location)):
        for t in range(T):
            output.append(lin([1.0, -d.ppa_cf[p, t]], [use[p * T + t], m.v_ppa_mw[p]]) <= 0)
    indexed_constraint(m, "c_ppa_output", output)


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
    pos = ctx.handle("power").grid_pos[loc]
    return [cg, *(cc * ci for ci in c)], [ctx.block.v_grid_mw[pos * ctx.layout.n_t + t], *v]
