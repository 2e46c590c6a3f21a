"""Family 6, power: facility power = PUE x IT power, met by grid and clean supply.

Balanced per location l (at most one option opens there, so this is exact):
    it[s,t] = sum_h ((1 - idle_h) busy[s,h,t] + idle_h cap[s,h])               (MW-IT)
    grid[l,t] + clean[l,t] = sum_{s at l} pue[s] it[s,t]                       (MW)
    clean[l,t] = sum_{p at l} ppa[p,t] + (terms other families register with add_supply:
                 curtailed energy bought, storage discharge - charge)
    ppa[p,t] <= cf[p,t] ppa_mw[p];   sum_{p of region r, tech g} ppa_mw[p] <= max_mw[r,g]
    (a region's cap is shared by all its locations)
``add`` makes the grid and PPA variables; ``add_balance`` writes the balance (once every supply
is registered) and the PPA output limits, in that order.

Costs: electricity w_t price[l,t] grid[l,t]; ppa cost[p] ppa_mw[p] + w_t wheel[p] ppa[p,t]
(the grid charges a wheeled contract pays on the energy delivered).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.capacity import busy_terms
from siteplan.model.costs import add_cost
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def it_terms(m, d: ModelData, L: Layout, s: int, t: int):
    """(coefs, vars) of IT power (MW) at site s in slice t."""
    coefs, vs = [], []
    for j in m._caps_of_site[s]:
        h = L.site_hw[j][1]
        idle = d.hw_idle_share[h]
        c, v = busy_terms(m, d, L, s, h, t)
        coefs += [ci * (1.0 - idle) for ci in c]
        vs += v
        if idle > 0:
            coefs.append(idle)
            vs.append(m.v_cap_mw[j])
    return coefs, vs


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    T, n_p = L.n_t, len(d.ppa_location)
    locs = L.active_locations
    m._grid_pos = {int(loc): i for i, loc in enumerate(locs)}
    m.v_grid_mw = pyo.Var(range(len(locs) * T), domain=pyo.NonNegativeReals)
    ub = {p: (None if np.isinf(d.ppa_max_mw[p]) else float(d.ppa_max_mw[p])) for p in range(n_p)}
    m.v_ppa_mw = pyo.Var(range(n_p), domain=pyo.NonNegativeReals, bounds=lambda _m, p: (0, ub[p]))
    m.v_ppa_use_mw = pyo.Var(range(n_p * T), domain=pyo.NonNegativeReals)
    grid = m.v_grid_mw
    cost = (d.location_price[locs] * d.slice_weight_h[None, :]).ravel()
    add_cost(m, "electricity", lin(cost, list(grid.values())))
    add_cost(m, "ppa", lin(d.ppa_cost_per_mw, list(m.v_ppa_mw.values())))
    wheel = (d.ppa_wheeling_per_mwh[:, None] * d.slice_weight_h[None, :]).ravel()
    if n_p and wheel.any():
        add_cost(m, "ppa", lin(wheel, list(m.v_ppa_use_mw.values())))
    shared = []
    for members in _ppa_groups(d):
        if len(members) > 1 and not np.isinf(d.ppa_max_mw[members[0]]):
            vs = [m.v_ppa_mw[p] for p in members]
            shared.append(lin([1.0] * len(vs), vs) <= float(d.ppa_max_mw[members[0]]))
    indexed_constraint(m, "c_ppa_region_cap", shared)


def _ppa_groups(d: ModelData) -> list[list[int]]:
    """PPA options grouped by (region, tech): the options that share one regional cap."""
    groups: dict[tuple[int, str], list[int]] = {}
    for p, (loc, tech) in enumerate(zip(d.ppa_location, d.ppa_tech, strict=True)):
        groups.setdefault((int(d.location_region[loc]), tech), []).append(p)
    return list(groups.values())


def add_supply(m, loc: int, t: int, coef: float, var) -> None:
    """Register ``coef x var`` (MW) as clean supply at location ``loc`` in slice ``t``."""
    m.__dict__.setdefault("_clean_supply", {}).setdefault((loc, t), []).append((coef, var))


def clean_terms(m, L: Layout, loc: int, t: int):
    """(coefs, vars) of clean supply (MW) at location ``loc`` in slice ``t``: PPA output used
    and every registered term."""
    ppas = L.ppas_of_location.get(loc, [])
    extra = m.__dict__.get("_clean_supply", {}).get((loc, t), [])
    return ([1.0] * len(ppas) + [c for c, _v in extra],
            [m.v_ppa_use_mw[p * L.n_t + t] for p in ppas] + [v for _c, v in extra])


def add_balance(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    T = L.n_t
    balance = []
    for i, loc in enumerate(L.active_locations):
        for t in range(T):
            c, v = clean_terms(m, L, int(loc), t)
            coefs, vs = [1.0, *c], [m.v_grid_mw[i * T + t], *v]
            for s in L.sites_of_location[int(loc)]:
                c, v = it_terms(m, d, L, s, t)
                coefs += [-d.site_pue[s] * ci for ci in c]
                vs += v
            balance.append(lin(coefs, vs) == 0)
    indexed_constraint(m, "c_power_balance", balance)
    use, output = m.v_ppa_use_mw, []
    for p in range(len(d.ppa_location)):
        for t in range(T):
            output.append(lin([1.0, -d.ppa_cf[p, t]], [use[p * T + t], m.v_ppa_mw[p]]) <= 0)
    indexed_constraint(m, "c_ppa_output", output)


def energy_terms(m, d: ModelData, L: Layout, loc: int, share: float, green_weighted: bool):
    """(coefs, vars) of sum_t w_t (coef_grid grid + coef_clean clean) at location ``loc``.

    With ``green_weighted``: coef_grid = green[l,t] - share, coef_clean = 1 - share (green
    surplus); otherwise the facility energy (MWh) times ``share``.
    """
    coefs, vs = [], []
    for t in range(L.n_t):
        c, v = slice_energy_terms(m, d, L, loc, t, share, green_weighted)
        coefs += [d.slice_weight_h[t] * ci for ci in c]
        vs += v
    return coefs, vs


def slice_energy_terms(m, d: ModelData, L: Layout, loc: int, t: int, share: float,
                       green_weighted: bool):
    """(coefs, vars) of one slice's term of :func:`energy_terms` (MW, not weighted)."""
    cg = (d.location_green[loc, t] - share) if green_weighted else share
    cc = (1.0 - share) if green_weighted else share
    c, v = clean_terms(m, L, loc, t)
    return [cg, *(cc * ci for ci in c)], [m.v_grid_mw[m._grid_pos[loc] * L.n_t + t], *v]
