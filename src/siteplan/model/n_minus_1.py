"""Family 8f, N-1: lose any one location (or grid region) and the rest still carries a set
share of each protected class's peak demand, within the class's latency reach.

Protected classes (``policy.n_minus_1.classes``; by default every class with a latency limit
that is not shiftable). For a protected class k:
    P[r]      = max_t demand[r,k,t]                  region r's peak rate (Mtok/h)
    reach(r)  = locations within k's latency limit of r (the routes of demand.py)
Capacity held for k at location l (MW-IT of each hardware, one split for every failure):
    sum_k x[l,h,k] <= u_max x sum_{s at l} cap[s,h]                        (c_n1_reserve)
    C[l,k] = sum_h thr[h,k] x[l,h,k]                                       (Mtok/h)
Losing the locations F, the survivors can carry share x P[r] for every region r exactly when,
for every set U of locations (Hall's condition on the bipartite region-location graph),
    sum_{l in U, l not in F} C[l,k] >= share x sum_{r: reach(r) within U} P[r]
Only unions of reach sets can bind; they are enumerated (22 for China's interactive class),
and a row is written only where U meets F (otherwise it is implied by a row where it does):
    v_union[U,k] <= sum_{l in U} C[l,k]                                    (c_n1_union)
    v_union[U,k] - sum_{l in U and F} C[l,k] >= share x P(U)               (c_n_minus_1)
With integer siting (and solver.strong_links), cuts valid for every integer plan: what a
location holds is bounded by what it could ever deliver, and every Hall set U with demand
opens two locations (lose one, one is left)                                     (c_n1_link)
    C[l,k] <= share x sum_{r: l in reach(r)} P[r] x open[l];   sum_{l in U} open[l] >= 2
With more than MAX_UNIONS unions only the reach sets themselves and the whole set are rows
(necessary conditions, not sufficient). In a failure the survivors' other work (batch,
training: not protected) is assumed deferred; their capacity counts at the utilisation
ceiling. With one protected class x is the whole capacity at the ceiling (nothing to split).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard, Soft, num, top
from siteplan.model.shares import place_of_location

NAME = "n-1"
MAX_UNIONS = 256


@dataclass(frozen=True)
class Reach:
    """One protected class: its Hall sets and the peak demand inside each."""

    k: int
    locations: np.ndarray  # locations that can serve the class somewhere
    unions: list[frozenset[int]]  # location sets of the rows
    peak: np.ndarray  # (U,) Mtok/h: peak of the regions whose reach lies within each set
    exact: bool  # False: too many unions, only the reach sets are rows


def protected(d: ModelData) -> list[int]:
    """Indices of the protected classes."""
    rule = d.policy.n_minus_1
    if rule is not None and rule.classes is not None:
        return [d.workloads.index(k) for k in rule.classes]
    return [k for k in range(len(d.workloads))
            if np.isfinite(d.workload_latency_ms[k]) and not d.workload_shiftable[k]
            and d.thr[:, k].max(initial=0.0) > 0]


def reach(d: ModelData, k: int) -> Reach:
    """Reach sets of class k's regions, their unions and the peak demand within each."""
    peak_r = d.demand[:, k, :].max(axis=1) if d.demand.size else np.zeros(len(d.regions))
    sets: dict[frozenset[int], float] = {}
    for r in range(len(d.regions)):
        locs = d.arc_location[(d.arc_region == r) & (d.arc_workload == k)]
        if len(locs) and peak_r[r] > 0:
            key = frozenset(int(v) for v in locs)
            sets[key] = sets.get(key, 0.0) + float(peak_r[r])
    unions, frontier, exact = set(sets), set(sets), True
    while frontier:
        frontier = {u | s for u in frontier for s in sets} - unions
        unions |= frontier
        if len(unions) > MAX_UNIONS:
            everything = frozenset().union(*sets)
            unions, exact = {*sets, everything}, False
            break
    ordered = sorted(unions, key=lambda u: (len(u), sorted(u)))
    peak = np.array([sum(p for s, p in sets.items() if s <= u) for u in ordered])
    every = np.array(sorted(frozenset().union(*sets)), dtype=int) if sets else np.zeros(0, int)
    return Reach(k, every, ordered, peak, exact)


def reach_peak(d: ModelData, k: int, loc: int) -> float:
    """Mtok/h: the summed peak of class k over the regions location ``loc`` reaches."""
    regions = d.arc_region[(d.arc_location == loc) & (d.arc_workload == k)]
    return float(d.demand[regions, k, :].max(axis=1).sum()) if len(regions) else 0.0


def failures(d: ModelData) -> list[tuple[str, str, frozenset[int]]]:
    """(level, id, locations lost) of each failure: every location with an option, and with
    ``policy.n_minus_1.grid_region`` every grid region with one."""
    active = sorted({int(v) for v in d.site_location})
    out = [("location", d.locations[loc], frozenset([loc])) for loc in active]
    rule = d.policy.n_minus_1
    if rule is not None and rule.grid_region:
        grid = place_of_location(d, "grid_region")
        for g in sorted({grid[loc] for loc in active}):
            out.append(("grid region", str(g),
                        frozenset(loc for loc in active if grid[loc] == g)))
    return out


def applies(d: ModelData) -> bool:
    return d.policy.n_minus_1 is not None and bool(protected(d))


@dataclass(frozen=True)
class Handles:
    reaches: list[Reach]
    reserve: dict[tuple[int, int, int], int]  # (location, hardware, class) -> x position
    rows: list[tuple[int, int, int]]  # (failure, reach position, union) of each N-1 row
    failures: list[tuple[str, str, frozenset[int]]]


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    on = applies(d)
    share, u_max = (d.policy.n_minus_1.share if on else 0.0), d.policy.utilisation_max
    reaches = [reach(d, k) for k in protected(d)] if on else []
    fails = failures(d) if on else []
    # x[l,h,k]: MW-IT held for class k (only where hardware h serves k)
    reserve: dict[tuple[int, int, int], int] = {}
    for rc in reaches:
        for loc in rc.locations:
            for h in np.flatnonzero(d.thr[:, rc.k] > 0):
                reserve[(int(loc), int(h), rc.k)] = len(reserve)
    m.v_n1_reserve_mw = pyo.Var(range(len(reserve)), domain=pyo.NonNegativeReals)
    x = m.v_n1_reserve_mw
    cap_cols: dict[tuple[int, int], list[int]] = {}
    for j, (s, h) in enumerate(L.site_hw):
        cap_cols.setdefault((int(d.site_location[s]), h), []).append(j)
    by_lh: dict[tuple[int, int], list[int]] = {}
    for (loc, h, _k), i in reserve.items():
        by_lh.setdefault((loc, h), []).append(i)
    rows = []
    for (loc, h), xs in by_lh.items():
        cols = cap_cols.get((loc, h), [])
        rows.append(lin([1.0] * len(xs) + [-u_max] * len(cols),
                        [x[i] for i in xs] + [m.v_cap_mw[j] for j in cols]) <= 0)
    indexed_constraint(m, "c_n1_reserve", rows)

    def held(rc: Reach, locs) -> tuple[list[float], list]:
        """(coefs, vars) of C[l,k] summed over ``locs`` (Mtok/h)."""
        coefs, vs = [], []
        for loc in locs:
            for h in np.flatnonzero(d.thr[:, rc.k] > 0):
                coefs.append(float(d.thr[h, rc.k]))
                vs.append(x[reserve[(int(loc), int(h), rc.k)]])
        return coefs, vs

    union_pos = [(a, u) for a, rc in enumerate(reaches) for u in range(len(rc.unions))]
    m.v_n1_union_mtok_h = pyo.Var(range(len(union_pos)), domain=pyo.NonNegativeReals)
    pos = {key: i for i, key in enumerate(union_pos)}
    rows = []
    for (a, u), i in pos.items():
        coefs, vs = held(reaches[a], sorted(reaches[a].unions[u]))
        rows.append(lin([1.0, *(-c for c in coefs)], [m.v_n1_union_mtok_h[i], *vs]) <= 0)
    indexed_constraint(m, "c_n1_union", rows)

    rows, keys = [], []
    for f, (_level, _id, lost) in enumerate(fails):
        for a, rc in enumerate(reaches):
            for u, (U, peak) in enumerate(zip(rc.unions, rc.peak, strict=True)):
                hit = U & lost
                if not hit or peak <= 0:
                    continue
                coefs, vs = held(rc, sorted(hit))
                rows.append(lin([1.0, *(-c for c in coefs)],
                                [m.v_n1_union_mtok_h[pos[(a, u)]], *vs]) >= share * peak)
                keys.append((f, a, u))
    indexed_constraint(m, "c_n_minus_1", rows)

    # the cut: capacity held for k at l never needs to exceed share x the peak of the regions
    # l reaches (no flow out of l could use more), so C[l,k] <= that x open[l]; valid for
    # every integer plan, it stops the relaxation from holding standby capacity at a sliver
    # of a location's fixed cost (as linking.py does for served work)
    rows = []
    if on and d.solver.integer_sites and d.solver.strong_links:
        for rc in reaches:
            for loc in rc.locations:
                reached = share * reach_peak(d, rc.k, int(loc))
                coefs, vs = held(rc, [loc])
                opens = [m.v_open[s] for s in L.sites_of_location.get(int(loc), [])]
                if opens and reached > 0:
                    rows.append(lin([*coefs, *([-reached] * len(opens))], [*vs, *opens]) <= 0)
    # and every reach set with demand needs two open locations (lose one, one is left)
    if on and d.solver.integer_sites and d.solver.strong_links:
        for rc in reaches:
            for U, peak in zip(rc.unions, rc.peak, strict=True):
                opens = [m.v_open[s] for loc in sorted(U)
                         for s in L.sites_of_location.get(loc, [])]
                if peak > 0 and len(U) >= 2:
                    rows.append(lin([1.0] * len(opens), opens) >= 2)
    indexed_constraint(m, "c_n1_link", rows)
    ctx.handles[NAME] = Handles(reaches, reserve, keys, fails)


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``n1_held_mtok_h`` (L, K): what each location can carry of each class at the ceiling
    (Mtok/h). All its capacity for each class, except with several protected classes under
    the rule: then the model's split x (the rule guarantees the cover of that split)."""
    d, L = ctx.data, ctx.layout
    held = np.zeros((len(d.locations), len(d.workloads)))
    if applies(d) and len(protected(d)) > 1:
        h = ctx.handle(NAME)
        xv = res.values(ctx.block.v_n1_reserve_mw)
        for (loc, hw, k), i in h.reserve.items():
            held[loc, k] += d.thr[hw, k] * xv[i]
        return {"n1_held_mtok_h": held}
    cap = res.values(ctx.block.v_cap_mw)
    for j, (s, hw) in enumerate(L.site_hw):
        held[d.site_location[s]] += d.thr[hw] * d.policy.utilisation_max * cap[j]
    return {"n1_held_mtok_h": held}


def cover(d: ModelData, held: np.ndarray) -> list[tuple[str, str, float]]:
    """(level, id, covered share) for each failure: the least share of protected peak demand
    the survivors can carry over every Hall set (1 or more: all of it)."""
    reaches = [reach(d, k) for k in protected(d)]
    out = []
    for level, name, lost in failures(d):
        worst = np.inf
        for rc in reaches:
            for U, peak in zip(rc.unions, rc.peak, strict=True):
                if peak > 0 and U & lost:
                    left = sum(held[loc, rc.k] for loc in U - lost)
                    worst = min(worst, left / peak)
        out.append((level, name, float(worst)))
    return out


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    h = ctx.handle(NAME)
    return np.array([1.0 / max(float(h.reaches[a].peak[u]), 1e-9) for _f, a, u in h.rows])


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d, h = ctx.data, ctx.handle(NAME)
    short: dict[str, float] = {}
    for (f, a, u), s in zip(h.rows, v, strict=True):
        if s > 0:
            level, name, _lost = h.failures[f]
            rc = h.reaches[a]
            pts = float(s) / float(rc.peak[u]) * 100  # of the peak within the set
            label = f"{level} {name} ({d.workloads[rc.k]})"
            short[label] = max(short.get(label, 0.0), pts)
    share = d.policy.n_minus_1.share
    return (f"N-1 must give: policy.n_minus_1.share {share:.0%} of the protected peak cannot "
            f"be kept within the latency limits after losing: "
            f"{top(list(short.items()), lambda x: f'-{num(x)} pts')} (allow more locations "
            "in reach, raise their max_mw, or lower the share)")


ROWS = {
    "c_n1_reserve": Hard("capacity held for protected classes is capacity built"),
    "c_n1_union": Hard("bookkeeping: capacity held within a set of locations"),
    "c_n_minus_1": Soft(_weight, _describe),
    "c_n1_link": Hard("a cut valid for every integer plan (held capacity beyond the peak it "
                      "could serve is useless); moves the relaxation bound only"),
}
