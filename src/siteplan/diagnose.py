"""Pre-solve checks that name the cause of an infeasible plan in planning terms.

Each check is cheap and exact for what it tests (a necessary condition for feasibility, so a
cause reported here is certain); when all pass and HiGHS still reports infeasibility, the
elastic re-solve (:mod:`siteplan.elastic`) says which constraints must give.

Notation: "reachable" locations of a region's class are those within the class's latency
limit that have a site option left after the policy exclusions; "need" is IT MW busy at the
best throughput any hardware has for the class (a lower bound on what any plan needs).
"""

from __future__ import annotations

import re

import numpy as np

from siteplan.inputs.derive import ModelData

REL_TOL = 1e-9


def _exceeds(need: float, have: float) -> bool:
    """``need`` is above ``have`` by more than ``REL_TOL`` of the larger (no absolute floor:
    the units, MW or Mtok, must not decide it)."""
    need, have = float(need), float(have)
    return need - have > REL_TOL * max(abs(need), abs(have))


MAX_NAMED = 5


def presolve_causes(d: ModelData) -> list[str]:
    """Reasons the scenario cannot be feasible (empty list: none found)."""
    causes: list[str] = []
    must_serve = d.policy.unserved_cost_per_mtok is None
    if must_serve:
        causes += _unreachable_demand(d)
        causes += _capacity_shortfall(d)
        if not causes:  # the finer checks assume every (region, class) can be served
            causes += _capacity_within_reach(d)
            causes += _single_sourcing(d)
            causes += _site_share(d)
            causes += _share_caps(d)
            causes += _carbon_cap(d)
    causes += _n_minus_1(d)
    causes += _utilisation_floor(d, must_serve)
    causes += _green_unreachable(d)
    return causes


# --- helpers ---------------------------------------------------------------------------------
def _names(items, n: int = MAX_NAMED) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def _mw(x: float) -> str:
    return f"{x / 1000:,.3g} GW" if x >= 10_000 else f"{x:,.4g} MW"


def _openable(d: ModelData) -> np.ndarray:
    """(L,) locations with at least one site option left."""
    out = np.zeros(len(d.locations), bool)
    out[np.unique(d.site_location)] = True
    return out


def _location_max_mw(d: ModelData) -> np.ndarray:
    """(L,) max IT MW if the location opens (0 where no option is left)."""
    cap = np.zeros(len(d.locations))
    for s, loc in enumerate(d.site_location):
        cap[loc] = max(cap[loc], float(d.site_max_mw[s]))
    return cap


def _reach(d: ModelData) -> np.ndarray:
    """(R, K, L) True where region r's class k may be served at location l (an arc exists)."""
    reach = np.zeros((len(d.regions), len(d.workloads), len(d.locations)), bool)
    reach[d.arc_region, d.arc_workload, d.arc_location] = True
    return reach


def _need_mw(d: ModelData) -> np.ndarray:
    """(R, K, T) IT MW busy at the best throughput; shiftable classes flat over their day."""
    best = d.thr.max(axis=0)  # (K,) Mtok/h per MW-IT
    dem = d.demand.copy()
    for day in range(len(d.days)):
        ts = d.slice_day == day
        w = d.slice_weight_h[ts]
        flat = (dem[:, :, ts] * w).sum(axis=2) / w.sum()
        for k in np.flatnonzero(d.workload_shiftable):
            dem[:, k, ts] = flat[:, k][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(best[None, :, None] > 0, dem / np.where(best > 0, best, 1)[None, :, None],
                        0.0)


# --- reachability and capacity ---------------------------------------------------------------
def _unreachable_demand(d: ModelData) -> list[str]:
    """One line per cause (with the regions and classes it affects), not one per pair."""
    out = []
    has_demand = d.demand.sum(axis=2) > 0
    served = np.zeros_like(has_demand)
    served[d.arc_region, d.arc_workload] = True
    for r, k in zip(*np.nonzero(has_demand & ~served), strict=True):
        limit = d.workload_latency_ms[k]
        if not np.any(d.thr[:, k] > 0):
            why = "no hardware can serve it (no positive tokens_per_s in throughput.csv)"
        elif len(d.sites) == 0:
            why = "every site option is excluded by policy" + _exclusion_summary(d)
        elif np.isfinite(limit):
            why = _why_out_of_reach(d, r, k, limit)
        else:
            why = "no site option can serve it"
        out.append((d.regions[r], d.workloads[k], why))
    return group_pairs(out)


_NEAREST = re.compile(r" ?\(nearest allowed: (?P<ms>[0-9.]+) ms\)")


def group_pairs(items: list[tuple[str, str, str]]) -> list[str]:
    """(region, class, why) triples -> one line per distinct why, naming how many regions and
    classes it affects. A region's own distance ("nearest allowed: X ms") becomes a range."""
    groups: dict[str, list[tuple[str, str, float | None]]] = {}
    for region, cls, why in items:
        m = _NEAREST.search(why)
        key = _NEAREST.sub("", why)
        groups.setdefault(key, []).append((region, cls, float(m["ms"]) if m else None))
    out = []
    for why, pairs in groups.items():
        ms = [p[2] for p in pairs if p[2] is not None]
        if ms:
            lo, hi = min(ms), max(ms)
            why += (f" (nearest allowed: {lo:.1f} ms)" if lo == hi else
                    f" (nearest allowed: {lo:.1f} to {hi:.1f} ms)")
        regions = list(dict.fromkeys(p[0] for p in pairs))
        classes = list(dict.fromkeys(p[1] for p in pairs))
        if len(pairs) == 1:
            who = f"region {regions[0]}, class {classes[0]}"
        elif len(classes) == 1:
            who = f"class {classes[0]} in {len(regions)} regions ({_names(regions)})"
        elif len(regions) == 1:
            who = f"region {regions[0]}, {len(classes)} classes ({_names(classes)})"
        else:
            who = (f"{len(pairs)} region-class pairs: {len(regions)} regions "
                   f"({_names(regions)}) x {len(classes)} classes ({_names(classes)})")
        out.append(f"{who}: {why}")
    return out


def _exclusion_summary(d: ModelData) -> str:
    ex = d.excluded
    if ex is None or ex.empty:
        return ""
    reasons = sorted(set(ex["reason"]))
    return f" ({_names(reasons, 3)})"


def _why_out_of_reach(d: ModelData, r: int, k: int, limit: float) -> str:
    """No site option within the latency limit: were there locations, excluded by policy?"""
    lat = d.latency_ms[r]
    within = np.flatnonzero(lat <= limit + 1e-9)
    open_ok = _openable(d)
    nearest = float(np.min(lat[d.site_location])) if len(d.sites) else float("nan")
    src = d.workload_latency_from[k] if len(d.workload_latency_from) > k else "latency_ms"
    floor = d.network_overhead_ms
    if len(within) == 0 and limit < floor and float(np.min(d.latency_ms)) >= floor - 1e-9:
        return (f"latency_ms {limit:g} ms set by {src} is below {floor:g} ms, the round trip "
                f"of any route before distance (network.overhead_ms); expected latency_ms >= "
                f"{floor:g} (nearest allowed: {nearest:.1f} ms)")
    base = (f"no site option within {limit:g} ms, the limit set by {src} "
            f"(nearest allowed: {nearest:.1f} ms)")
    ex = d.excluded
    if ex is None or ex.empty or len(within) == 0:
        return base
    lines = []
    for loc in within:
        name = d.locations[loc]
        if open_ok[loc]:
            continue
        rows = ex[ex["location"] == name]
        if rows.empty:
            continue
        lines.append(_excluded_location_text(d, loc, rows))
    if not lines:
        return base
    return (f"every location within {limit:g} ms is excluded: " + "; ".join(lines)
            + f" (nearest allowed: {nearest:.1f} ms)")


def _excluded_location_text(d: ModelData, loc: int, rows) -> str:
    name = d.locations[loc]
    reasons = list(rows["reason"])
    if all(str(x).startswith("PUE") for x in reasons):
        zone = d.location_zone[loc]
        cap = d.policy.pue_cap.get(zone)
        best = float(rows["pue"].min())
        return (f"PUE cap {cap:g} ({zone}) excludes every cooling option at {name} "
                f"(best PUE there {best:.3g})")
    if any("exclude_locations" in str(x) for x in reasons):
        return f"{name} is excluded by policy.exclude_locations"
    if any("exclude_zones" in str(x) for x in reasons):
        return f"{name} is in zone {d.location_zone[loc]}, excluded by policy.exclude_zones"
    return f"{name}: " + "; ".join(sorted(set(map(str, reasons))))


def _capacity_shortfall(d: ModelData) -> list[str]:
    """Peak IT MW needed at the best throughput vs what all open-able locations can hold."""
    if len(d.sites) == 0 or np.any(d.thr.max(axis=0) <= 0):
        return []
    need = float(_need_mw(d).sum(axis=(0, 1)).max()) / d.policy.utilisation_max
    cap = float(_location_max_mw(d).sum())
    if _exceeds(need, cap):
        return [
            f"capacity of all open-able sites is {_mw(cap)} IT (max_mw), demand needs "
            f"{_mw(need)} at the utilisation ceiling {d.policy.utilisation_max:g}"
        ]
    return []


def _capacity_within_reach(d: ModelData) -> list[str]:
    """Hall's condition on latency: demand that can only reach a set S must fit in S.

    For every set S that is the reachable set of some (region, class), all (region, class)
    pairs whose reachable set lies within S must fit, in every slice, in the max_mw of S at
    the utilisation ceiling. S = all locations is the total check (done before).
    """
    if len(d.sites) == 0:
        return []
    reach = _reach(d)
    need = _need_mw(d)  # (R, K, T)
    cap = _location_max_mw(d) * d.policy.utilisation_max
    pairs = [(r, k) for r, k in zip(*np.nonzero(reach.any(axis=2)), strict=True)]
    n_open = int(_openable(d).sum())
    seen, out = set(), []
    for r, k in pairs:
        s_mask = reach[r, k]
        key = tuple(np.flatnonzero(s_mask))
        if key in seen or len(key) == n_open:
            continue
        seen.add(key)
        inside = [(r2, k2) for r2, k2 in pairs if not np.any(reach[r2, k2] & ~s_mask)]
        total = sum(need[r2, k2] for r2, k2 in inside)  # (T,)
        t = int(np.argmax(total))
        limit = float(cap[s_mask].sum())
        if _exceeds(total[t], limit):
            classes = sorted({d.workloads[k2] for _, k2 in inside})
            regions = sorted({d.regions[r2] for r2, _ in inside})
            locs = [d.locations[i] for i in key]
            lat = ", ".join(f"{d.workloads[k2]} {d.workload_latency_ms[k2]:g} ms"
                            for k2 in sorted({k2 for _, k2 in inside})
                            if np.isfinite(d.workload_latency_ms[k2]))
            u = d.policy.utilisation_max
            out.append(
                f"{'/'.join(classes)} demand of regions {_names(regions)} can only reach "
                f"{_names(locs)} (latency limit {lat or 'none'}): in slice {d.slices[t]} it "
                f"needs {_mw(total[t] / u)} IT installed ({_mw(total[t])} busy at the "
                f"utilisation ceiling {u:g}), but max_mw there is {_mw(limit / u)}"
            )
    return out


def _single_sourcing(d: ModelData) -> list[str]:
    """Under single-sourcing a region's class must fit in one reachable location."""
    if not d.policy.single_sourcing or len(d.sites) == 0:
        return []
    reach = _reach(d)
    need = _need_mw(d).max(axis=2) / d.policy.utilisation_max  # (R, K)
    cap = _location_max_mw(d)
    out = []
    share = d.policy.max_site_share
    annual = (d.demand * d.slice_weight_h).sum(axis=2)  # (R, K) Mtok/yr
    national = annual.sum(axis=0)
    for r, k in zip(*np.nonzero(reach.any(axis=2)), strict=True):
        locs = np.flatnonzero(reach[r, k])
        best = int(locs[np.argmax(cap[locs])])
        if _exceeds(need[r, k], cap[best]):
            out.append(
                f"single-sourcing: region {d.regions[r]}, class {d.workloads[k]} needs "
                f"{_mw(need[r, k])} IT at one location (utilisation ceiling "
                f"{d.policy.utilisation_max:g}), but the largest it can reach is "
                f"{d.locations[best]} with max_mw {_mw(cap[best])}"
            )
        elif share is not None and national[k] > 0 and annual[r, k] > share * national[k] * (
                1 + REL_TOL):
            out.append(
                f"single-sourcing: region {d.regions[r]} holds {annual[r, k] / national[k]:.1%} "
                f"of national {d.workloads[k]} demand, all at one site, but "
                f"policy.max_site_share is {share:.0%}"
            )
    return out


def _site_share(d: ModelData) -> list[str]:
    """max_site_share: the demand that can only reach S must fit in |S| x share x national."""
    share = d.policy.max_site_share
    if share is None or len(d.sites) == 0:
        return []
    reach = _reach(d)
    annual = (d.demand * d.slice_weight_h).sum(axis=2)  # (R, K)
    out = []
    for k in range(len(d.workloads)):
        national = float(annual[:, k].sum())
        if national <= 0 or not np.any(d.thr[:, k] > 0):
            continue
        regions = np.flatnonzero(reach[:, k].any(axis=1))
        all_locs = np.flatnonzero(reach[regions, k].any(axis=0))
        if len(all_locs) * share < 1 - REL_TOL:
            out.append(
                f"policy.max_site_share {share:.0%} x {len(all_locs)} locations that can serve "
                f"{d.workloads[k]} ({_names(d.locations[i] for i in all_locs)}) = "
                f"{len(all_locs) * share:.0%} < 100% of {d.workloads[k]} demand"
            )
            continue
        seen = set()
        for r in regions:
            s_mask = reach[r, k]
            key = tuple(np.flatnonzero(s_mask))
            if key in seen or len(key) == len(all_locs):
                continue
            seen.add(key)
            inside = [r2 for r2 in regions if not np.any(reach[r2, k] & ~s_mask)]
            held = float(annual[inside, k].sum()) / national
            if held > len(key) * share * (1 + REL_TOL) + 1e-12:
                out.append(
                    f"policy.max_site_share {share:.0%}: regions "
                    f"{_names(d.regions[i] for i in inside)} hold {held:.1%} of national "
                    f"{d.workloads[k]} demand but can only reach {len(key)} location(s) "
                    f"({_names(d.locations[i] for i in key)}), at most "
                    f"{len(key) * share:.0%} together"
                )
    return out


def _share_caps(d: ModelData) -> list[str]:
    """policy.max_share: the places of a level that can hold capacity must cover 100 %."""
    from siteplan.model.shares import LEVELS, place_of_location

    ms = d.policy.max_share
    if ms is None:
        return []
    able = sorted({int(d.site_location[s]) for s in range(len(d.sites)) if d.site_max_mw[s] > 0})
    out = []
    for level in LEVELS:
        share = getattr(ms, level)
        if share is None:
            continue
        places = sorted({str(p) for p in place_of_location(d, level)[able]})
        if len(places) * share < 1 - REL_TOL:
            out.append(f"policy.max_share.{level} {share:.0%} x {len(places)} places that can "
                       f"hold capacity ({_names(places)}) = {len(places) * share:.0%} < 100% "
                       "of national MW-IT")
    return out


def _n_minus_1(d: ModelData) -> list[str]:
    """policy.n_minus_1: every region with protected demand needs two locations in reach."""
    from siteplan.model.n_minus_1 import protected

    if d.policy.n_minus_1 is None:
        return []
    reach = _reach(d)
    out = []
    for k in protected(d):
        has = d.demand[:, k, :].max(axis=1) > 0
        alone = [r for r in np.flatnonzero(has) if reach[r, k].sum() == 1]
        if alone:
            pairs = [f"{d.regions[r]} ({d.locations[int(np.flatnonzero(reach[r, k])[0])]})"
                     for r in alone]
            src = (d.workload_latency_from[k] if len(d.workload_latency_from) > k
                   else "workloads.csv latency_ms")
            out.append(f"policy.n_minus_1: {d.workloads[k]} demand of {_names(pairs)} can "
                       f"reach only one location within {d.workload_latency_ms[k]:g} ms "
                       f"(set by {src}), so losing it leaves nothing; the rule needs two "
                       "locations in reach of every region")
    return out


# --- utilisation floor -----------------------------------------------------------------------
def _utilisation_floor(d: ModelData, must_serve: bool) -> list[str]:
    """Existing capacity is forced open; its floor must be reachable with all the work in reach.

    Busy MWh at a site is at most the work that can reach its location, processed on the
    least efficient hardware that can serve it (an upper bound on busy hours).
    """
    u_min = d.policy.utilisation_min
    if u_min <= 0:
        return []
    hours = float(d.slice_weight_h.sum())
    reach = _reach(d)
    thr = np.where(d.thr > 0, d.thr, np.inf).min(axis=0)  # (K,) worst positive throughput
    annual = (d.demand * d.slice_weight_h).sum(axis=2)  # (R, K) Mtok/yr
    with np.errstate(divide="ignore", invalid="ignore"):
        busy_k = np.where(np.isfinite(thr), annual / thr, 0.0)  # (R, K) MWh-IT at most
    out = []
    forced = np.flatnonzero(d.site_existing_mw > 0)
    for s in forced:
        loc = d.site_location[s]
        floor_mw = max(float(d.site_existing_mw[s]), float(d.site_min_mw[s]))
        needed = u_min * hours * floor_mw
        possible = float(busy_k[reach[:, :, loc]].sum())
        if _exceeds(needed, possible):
            out.append(
                f"utilisation floor {u_min:.0%} at {d.sites[s]} ({d.locations[loc]}): its "
                f"{_mw(floor_mw)} IT of existing capacity must be busy {needed:,.4g} MWh a year, "
                f"but all the demand that can reach {d.locations[loc]} keeps it busy at most "
                f"{possible:,.4g} MWh ({possible / (hours * floor_mw):.1%})"
            )
    if len(forced) > 1 and not out:
        locs = np.unique(d.site_location[forced])
        needed = sum(u_min * hours * max(float(d.site_existing_mw[s]), float(d.site_min_mw[s]))
                     for s in forced)
        possible = float(busy_k[reach[:, :, locs].any(axis=2)].sum())
        if _exceeds(needed, possible):
            out.append(
                f"utilisation floor {u_min:.0%}: the existing capacity at "
                f"{_names(d.sites[s] for s in forced)} must be busy {needed:,.4g} MWh a year, "
                f"but all the demand that can reach them keeps them busy at most "
                f"{possible:,.4g} MWh"
            )
    return out


# --- carbon and green ------------------------------------------------------------------------
def carbon_lower_bound(d: ModelData) -> float:
    """tCO2/yr no plan serving all demand can go below (a proven lower bound).

    Every Mtok is processed at the best throughput, at the reachable location and slice with
    the lowest PUE x grid emission factor; a slice where a PPA at the location produces
    counts as zero-carbon (PPA capacity limits ignored); idle power and unused capacity are
    ignored; shiftable work goes to the cleanest slice of its day.
    """
    if len(d.sites) == 0:
        return 0.0
    reach = _reach(d)
    pue = np.full(len(d.locations), np.inf)
    for s, loc in enumerate(d.site_location):
        pue[loc] = min(pue[loc], float(d.site_pue[s]))
    ef = d.location_ef.copy()
    for p, loc in enumerate(d.ppa_location):
        ef[loc, d.ppa_cf[p] > 0] = 0.0
    intensity = pue[:, None] * ef  # (L, T) tCO2 per MWh-IT
    best = d.thr.max(axis=0)
    total = 0.0
    for r, k in zip(*np.nonzero(reach.any(axis=2)), strict=True):
        if best[k] <= 0:
            continue
        e = intensity[reach[r, k]].min(axis=0)  # (T,)
        mwh = d.demand[r, k] / best[k] * d.slice_weight_h  # (T,) MWh-IT busy
        if d.workload_shiftable[k]:
            for day in range(len(d.days)):
                ts = d.slice_day == day
                total += float(mwh[ts].sum() * e[ts].min())
        else:
            total += float((mwh * e).sum())
    return total


def _carbon_cap(d: ModelData) -> list[str]:
    cap = d.policy.carbon_cap_t
    if cap is None:
        return []
    bound = carbon_lower_bound(d)
    if bound > cap * (1 + 1e-6) + 1e-6:
        return [
            f"carbon cap {cap:,.4g} tCO2 is below the cleanest possible plan: serving the "
            f"demand emits at least {bound:,.4g} tCO2 a year (cleanest reachable grid and "
            "slice, best hardware, lowest PUE, PPA output counted as zero-carbon)"
        ]
    return []


def _green_unreachable(d: ModelData) -> list[str]:
    """Upper bound on the portfolio green share: the greenest (site, slice) anywhere.

    A slice where a PPA at the site produces, or its region offers curtailed energy, counts as
    fully green (capacity limits ignored); with storage, so does every slice of such a day.
    The bound is safe: a target above it is certainly unreachable.
    """
    target = d.policy.min_green_share
    if target <= 0 or len(d.sites) == 0:
        return []
    locs = np.unique(d.site_location)
    green = d.location_green[locs].copy()
    row = {loc: i for i, loc in enumerate(locs)}
    for p, loc in enumerate(d.ppa_location):
        green[row[loc], d.ppa_cf[p] > 0] = 1.0
    if d.curtail_surplus_mw.size:
        green[d.curtail_surplus_mw[d.location_region[locs]] > 0] = 1.0
    if len(d.storage):
        for day in range(len(d.days)):
            ts = d.slice_day == day
            green[:, ts] = green[:, ts].max(axis=1, keepdims=True)
    cert = d.policy.certificates.max_share if d.policy.certificates else 0.0
    best = min(1.0, float(green.max()) + cert)
    if target > best + 1e-9:
        return [
            f"green share {target:.0%} unreachable: the most green the sites can buy is "
            f"{best:.0%}"
        ]
    return []
