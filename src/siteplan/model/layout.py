"""Sparse index structures shared by the constraint families (pure numpy, no Pyomo).

Two exact reductions happen here, before any variable exists:
- routing goes to locations, not site options: at most one option per location opens;
- hardware only where the option's cooling can hold its racks (``ModelData.site_hw_ok``:
  hardware.csv ``rack_kw`` <= cooling.csv ``max_rack_kw``): no capacity variable otherwise;
- demand groups: regions whose class k has the same latency-eligible locations at the same
  network costs (to 12 significant digits) and, under objective margin, the same value
  tiers are interchangeable for routing, so they share
  one balance row and one route per location (their demand profiles are the class's
  profile, so each member's share of the group is constant and the plan disaggregates
  exactly by demand share). With
  ``single_sourcing`` every region is its own group.

Variables are indexed by flat integers so Pyomo never hashes tuples:
- routes q = (group, location); time-fixed routes carry a rate per slice, ``x[i * T + t]``;
  shiftable routes carry the day's mean rate, ``y[j * D + d]`` (scheduled at the site);
- process triples p = (site, workload, hardware) with thr > 0: ``v_process[p * T + t]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siteplan.inputs.derive import ModelData


@dataclass(frozen=True)
class Layout:
    n_t: int
    n_d: int
    day_slices: list[np.ndarray]  # slices of each day
    day_hours: np.ndarray  # (D,) hours of the year each day stands for
    # demand groups (G)
    group_workload: np.ndarray
    group_members: list[np.ndarray]  # regions in each group
    group_member_share: list[np.ndarray]  # each member's share of the group's demand
    group_demand: np.ndarray  # (G, T) Mtok/h
    group_shiftable: np.ndarray
    group_pos: np.ndarray  # position among fixed or among shiftable groups
    # routes (Q) = (group, location)
    route_group: np.ndarray
    route_location: np.ndarray
    route_cost_per_mtok: np.ndarray
    route_shiftable: np.ndarray
    route_pos: np.ndarray  # position among fixed (x) or shiftable (y) routes
    n_fixed_routes: int
    n_shift_routes: int
    routes_of_group: list[np.ndarray]
    routes_of_lk: dict[tuple[int, int], np.ndarray]  # (location, workload) -> routes
    # processing and capacity
    proc_site: np.ndarray
    proc_workload: np.ndarray
    proc_hardware: np.ndarray
    procs_of_lk: dict[tuple[int, int], np.ndarray]  # (location, workload) -> procs
    procs_of_sh: dict[tuple[int, int], np.ndarray]  # (site, hardware) -> procs
    site_hw: list[tuple[int, int]]  # (site, hardware) pairs with a capacity variable
    # power
    active_locations: np.ndarray  # locations with at least one site option
    sites_of_location: dict[int, np.ndarray]
    ppas_of_location: dict[int, np.ndarray]


def group_rows(keys: np.ndarray) -> dict:
    """Map each distinct row of ``keys`` (n, m) to the sorted positions where it occurs."""
    out: dict = {}
    if len(keys) == 0:
        return out
    order = np.lexsort(keys.T[::-1])
    sk = keys[order]
    cut = np.flatnonzero(np.any(sk[1:] != sk[:-1], axis=1)) + 1
    for chunk in np.split(order, cut):
        out[tuple(int(v) for v in keys[chunk[0]])] = np.sort(chunk)
    return out


def _positions(flag: np.ndarray) -> np.ndarray:
    """Running position of each element among those with the same flag value."""
    pos = np.zeros(len(flag), int)
    pos[~flag] = np.arange(int((~flag).sum()))
    pos[flag] = np.arange(int(flag.sum()))
    return pos


def same_cost_key(cost: np.ndarray, digits: int = 12) -> np.ndarray:
    """Costs rounded to ``digits`` significant digits: equal keys mean equal costs to a
    relative 1e-12 whatever the unit of money (an absolute rounding would merge regions
    whose costs differ by percents when money is counted in millions)."""
    cost = np.asarray(cost, dtype=float)
    mag = np.floor(np.log10(np.abs(cost), out=np.zeros_like(cost), where=cost != 0))
    return np.round(cost / 10.0 ** mag, digits - 1) * 10.0 ** mag


def _demand_groups(d: ModelData):
    """Group (region, workload) pairs with identical routing options; see module docstring."""
    has_demand = d.demand.sum(axis=2) > 0  # (R, K)
    arcs_by_rk = group_rows(np.column_stack([d.arc_region, d.arc_workload]))
    empty = np.zeros(0, int)
    groups: dict[tuple, list[int]] = {}
    options: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
    for k in range(len(d.workloads)):
        for r in np.flatnonzero(has_demand[:, k]):
            arcs = arcs_by_rk.get((int(r), k), empty)
            locs = d.arc_location[arcs]
            cost = d.arc_cost_per_mtok[arcs]
            key = (k, tuple(locs.tolist()), tuple(same_cost_key(cost).tolist()))
            if d.objective == "margin":  # a group's regions share one set of value tiers
                key = (*key, tuple(d.value_share[r, k].tolist()),
                       tuple(d.value_price[r, k].tolist()))
            if d.policy.single_sourcing:
                key = (*key, int(r))
            groups.setdefault(key, []).append(int(r))
            options[key] = (locs, cost)
    return groups, options


def make_layout(d: ModelData) -> Layout:
    n_t, n_d = d.n_slices, len(d.days)
    day_slices = [np.flatnonzero(d.slice_day == day) for day in range(n_d)]
    day_hours = np.array([d.slice_weight_h[ts].sum() for ts in day_slices])

    groups, options = _demand_groups(d)
    g_work, g_members, g_share, g_dem = [], [], [], []
    r_group, r_loc, r_cost = [], [], []
    for g, (key, members) in enumerate(groups.items()):
        k = key[0]
        mem = np.array(members, dtype=int)
        dem = d.demand[mem, k, :]  # (M, T)
        annual = (dem * d.slice_weight_h).sum(axis=1)
        g_work.append(k)
        g_members.append(mem)
        g_share.append(annual / annual.sum())
        g_dem.append(dem.sum(axis=0))
        locs, cost = options[key]
        r_group += [g] * len(locs)
        r_loc += locs.tolist()
        r_cost += cost.tolist()
    group_workload = np.array(g_work, dtype=int)
    group_shiftable = d.workload_shiftable[group_workload] if g_work else np.zeros(0, bool)
    route_group = np.array(r_group, dtype=int)
    route_location = np.array(r_loc, dtype=int)
    route_workload = group_workload[route_group] if r_group else np.zeros(0, int)
    route_shiftable = group_shiftable[route_group] if r_group else np.zeros(0, bool)
    routes_of_group = [np.zeros(0, int) for _ in g_work]
    for key, rows in group_rows(route_group[:, None]).items():
        routes_of_group[key[0]] = rows
    routes_of_lk = group_rows(np.column_stack([route_location, route_workload]))

    fits = d.site_hw_ok if d.site_hw_ok is not None else np.ones((len(d.sites),
                                                                      len(d.hardware)), bool)
    ps, pk, ph = [], [], []
    for (loc, k) in sorted(routes_of_lk):
        for s in np.flatnonzero(d.site_location == loc):
            for h in np.flatnonzero((d.thr[:, k] > 0) & fits[s]):
                ps.append(int(s))
                pk.append(k)
                ph.append(int(h))
    proc_site, proc_workload, proc_hardware = (np.array(v, dtype=int) for v in (ps, pk, ph))
    proc_loc = d.site_location[proc_site] if ps else np.zeros(0, int)
    procs_of_lk = group_rows(np.column_stack([proc_loc, proc_workload])) if ps else {}
    procs_of_sh = group_rows(np.column_stack([proc_site, proc_hardware])) if ps else {}
    useful_hw = np.flatnonzero(d.thr.max(axis=1) > 0)
    site_hw = [(s, int(h)) for s in range(len(d.sites)) for h in useful_hw if fits[s, h]]
    sites_of_location = {k[0]: v for k, v in group_rows(d.site_location[:, None]).items()}
    ppas_of_location = {k[0]: v for k, v in group_rows(d.ppa_location[:, None]).items()}
    return Layout(
        n_t=n_t, n_d=n_d, day_slices=day_slices, day_hours=day_hours,
        group_workload=group_workload, group_members=g_members, group_member_share=g_share,
        group_demand=np.array(g_dem).reshape(len(g_work), n_t),
        group_shiftable=group_shiftable, group_pos=_positions(group_shiftable),
        route_group=route_group, route_location=route_location,
        route_cost_per_mtok=np.array(r_cost, dtype=float), route_shiftable=route_shiftable,
        route_pos=_positions(route_shiftable),
        n_fixed_routes=int((~route_shiftable).sum()), n_shift_routes=int(route_shiftable.sum()),
        routes_of_group=routes_of_group, routes_of_lk=routes_of_lk,
        proc_site=proc_site, proc_workload=proc_workload, proc_hardware=proc_hardware,
        procs_of_lk=procs_of_lk, procs_of_sh=procs_of_sh, site_hw=site_hw,
        active_locations=np.array(sorted(sites_of_location), dtype=int),
        sites_of_location=sites_of_location, ppas_of_location=ppas_of_location,
    )
