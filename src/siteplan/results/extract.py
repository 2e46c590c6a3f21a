"""Turn a solved model into tidy tables: allocation, sites, regions, and the summary.

Everything is read back in bulk as arrays (``SolveResult.values``). Every cost, the breakdown
by term and each option's costs, is the value of the cost ledger's entries (model/costs.py),
so they add up to the objective by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siteplan.inputs.derive import TOKENS_PER_MTOK
from siteplan.model.connection import step_minus_hull, tier_of
from siteplan.model.context import BuildContext
from siteplan.model.costs import COST_TERMS
from siteplan.model.demand import daily_mean
from siteplan.model.families import FAMILIES
from siteplan.model.n_minus_1 import cover, protected
from siteplan.model.shares import place_of_location
from siteplan.results.attribution import attribute
from siteplan.results.chips import chip_summary
from siteplan.results.degenerate import degenerate_splits
from siteplan.results.margin import margin_results
from siteplan.results.synergy import flexible_work, site_hours
from siteplan.results.zones import zone_shares
from siteplan.solve import SolveResult

EPS_SHARE = 1e-12  # a route below this share of all routed work is solver noise, not a flow
# sites.csv cost_* columns: the terms an option can own (network and unserved belong to none)
SITE_COST_TERMS = tuple(t for t in COST_TERMS if t not in ("network", "unserved"))


def extract(ctx: BuildContext, res: SolveResult, cost_weight: float = 1.0) -> dict:
    """Tables (DataFrames) and headline figures from a solved model (or one pathway year).

    A pathway year passes its objective weight (duals are per weighted currency).
    """
    d, L = ctx.data, ctx.layout
    T, w = L.n_t, d.slice_weight_h
    days_per_year = float(w.sum()) / 24.0
    hours_per_year = float(w.sum())
    n_q, n_s = len(L.route_group), len(d.sites)

    sup: dict[str, np.ndarray] = {}  # every family's read-back, by name (model/family.py)
    for family in FAMILIES:
        sup.update(family.read(ctx, res))
    x, y = sup["serve_mtok_h"], sup["serve_daily_mtok_h"]
    q, cap, opened = sup["process_mtok_h"], sup["cap_mw"], sup["open"]
    grid_l, ppa_mw, ppa_use = sup["grid_mw"], sup["ppa_mw"], sup["ppa_use_mw"]
    gec_l, uns_g = sup["gec_mwh"], sup["unserved_mtok"]
    route_mtok = np.zeros(n_q)  # Mtok/yr per route
    fq, sq = np.flatnonzero(~L.route_shiftable), np.flatnonzero(L.route_shiftable)
    route_mtok[fq] = (x[L.route_pos[fq]] * w).sum(axis=1)
    route_mtok[sq] = (y[L.route_pos[sq]] * L.day_hours).sum(axis=1)
    # relative: a fixed floor in Mtok would drop real flows when tokens are counted in Gtok
    route_mtok = np.where(route_mtok > EPS_SHARE * np.abs(route_mtok).sum(), route_mtok, 0.0)

    # --- per site -----------------------------------------------------------------------
    busy = np.zeros((n_s, len(d.hardware), T))  # MW-IT busy
    for p in range(len(L.proc_site)):
        s, k, h = L.proc_site[p], L.proc_workload[p], L.proc_hardware[p]
        busy[s, h] += q[p] / d.thr[h, k]
    cap_sh = np.zeros((n_s, len(d.hardware)))
    for j, (s, h) in enumerate(L.site_hw):
        cap_sh[s, h] = cap[j]
    idle = d.hw_idle_share[None, :, None]
    it = ((1 - idle) * busy + idle * cap_sh[:, :, None]).sum(axis=1)  # (S, T) MW-IT
    # a location's grid, PPA and certificates belong to its open option; split by facility
    # power if a relaxed (LP) run leaves several options partly open
    fac = d.site_pue[:, None] * it  # (S, T) MW
    fac_l = np.zeros((len(d.locations), T))
    np.add.at(fac_l, d.site_location, fac)
    share_t = np.divide(fac, fac_l[d.site_location], out=np.zeros_like(fac),
                        where=fac_l[d.site_location] > 0)
    e_s = (fac * w).sum(axis=1)
    e_l = np.bincount(d.site_location, weights=e_s, minlength=len(d.locations))
    share_y = np.divide(e_s, e_l[d.site_location], out=np.zeros(n_s),
                        where=e_l[d.site_location] > 0)
    ppa_l_use = np.zeros((len(d.locations), T))
    np.add.at(ppa_l_use, d.ppa_location, ppa_use)
    grid = grid_l[d.site_location] * share_t
    ppa_site_use = ppa_l_use[d.site_location] * share_t
    clean_l = ppa_l_use + sup["curtail_mw"] + sup["discharge_mw"] - sup["charge_mw"]
    clean = clean_l[d.site_location] * share_t  # clean supply to the site's load (MW)
    curt = sup["curtail_mw"][d.site_location] * share_t
    ppa_mw_l = np.bincount(d.ppa_location, weights=ppa_mw, minlength=len(d.locations))
    direct = d.ppa_direct if len(d.ppa_direct) else np.zeros(len(d.ppa_location), bool)
    direct_mw_l = np.bincount(d.ppa_location, weights=ppa_mw * direct, minlength=len(d.locations))
    gec = gec_l[d.site_location] * share_y
    green = d.location_green[d.site_location]
    ef = d.location_ef[d.site_location]
    energy = ((grid + clean) * w).sum(axis=1)  # facility MWh/yr
    hourly_clean = green * grid + clean  # MW; never above the load
    green_mwh = (hourly_clean * w).sum(axis=1) + gec
    it_mwh = (it * w).sum(axis=1)
    busy_mwh = (busy.sum(axis=1) * w).sum(axis=1)
    mw_total = cap_sh.sum(axis=1)
    proc_mtok = (q * w).sum(axis=1)  # Mtok/yr per process triple
    site_mtok = np.bincount(L.proc_site, weights=proc_mtok, minlength=n_s)
    emissions = ((ef * grid) * w).sum(axis=1)
    pol = d.policy
    entry_values = ctx.costs.values(res.value_list)
    breakdown = ctx.costs.breakdown(entry_values)
    cost = ctx.costs.by_site(entry_values, e_s)  # location costs split by facility energy
    cost = {t: cost[t] for t in SITE_COST_TERMS}
    site_cost = sum(cost.values())
    n_k, n_r = len(d.workloads), len(d.regions)
    # compute classes (demand in MW-IT of a reference hardware) are not tokens: their flows
    # are MWh-IT per year where a token class's are Mtok per year
    comp = d.workload_compute if len(d.workload_compute) else np.zeros(n_k, bool)
    site_k = np.zeros((n_s, n_k))  # Mtok/yr (compute classes: MWh-IT/yr) of each class
    np.add.at(site_k, (L.proc_site, L.proc_workload), proc_mtok)
    term_k, energy_k = attribute(d, L, q, cap_sh, grid, cost)  # per term (S, K) currency/yr
    site_cost_k = sum(term_k.values())
    site_cpm_k = np.divide(site_cost_k, site_k, out=np.zeros((n_s, n_k)), where=site_k > 0)
    site_tok = site_k[:, ~comp].sum(axis=1)  # Mtok/yr of the token classes
    site_cpm = np.divide(site_cost_k[:, ~comp].sum(axis=1), site_tok, out=np.zeros(n_s),
                         where=site_tok > 0)
    loc = np.array(d.locations, dtype=object)[d.site_location]
    sites = pd.DataFrame({
        "site": d.sites,
        "location": loc,
        "region": [d.regions[r] for r in d.location_region[d.site_location]],
        "zone": d.location_zone[d.site_location],
        "cooling": d.site_cooling,
        **_site_types(d),
        "open": opened.astype(int) if d.solver.integer_sites else opened,
        "pue": d.site_pue,
        **{f"mw_it_{h}": cap_sh[:, i] for i, h in enumerate(d.hardware)},
        **{f"units_{h}": cap_sh[:, i] * 1000.0 / d.hw_kw_per_unit[i]
           for i, h in enumerate(d.hardware)},
        **_whole_units(d, sup),
        "mw_it_total": mw_total,
        "grid_tier_kv": [tier_of(d.connection_tiers, float(mw * pue)) for mw, pue
                         in zip(mw_total, d.site_pue, strict=True)],
        "utilisation_planned": np.where(mw_total > 0, pol.utilisation_max, 0.0),
        "utilisation_realised": np.divide(busy_mwh, mw_total * w.sum(), out=np.zeros(n_s),
                                          where=mw_total > 0),
        "tokens_per_day": site_tok * TOKENS_PER_MTOK / days_per_year,
        "compute_mw_it": site_k[:, comp].sum(axis=1) / hours_per_year,
        "it_mwh": it_mwh,
        "energy_mwh": energy,
        "grid_mwh": (grid * w).sum(axis=1),
        "ppa_mwh": (ppa_site_use * w).sum(axis=1),
        "ppa_mw": ppa_mw_l[d.site_location] * share_y,
        "ppa_direct_mw": direct_mw_l[d.site_location] * share_y,
        "curtailment_mwh": (curt * w).sum(axis=1),
        "storage_mwh": sup["storage_mwh"][d.site_location] * share_y,
        "storage_mw": sup["storage_mw"][d.site_location] * share_y,
        "green_share": np.divide(green_mwh, energy, out=np.zeros(n_s), where=energy > 0),
        "tco2": emissions,
        "water_m3": it_mwh * d.site_wue_l_per_kwh,  # L/kWh x MWh = m3
        **{f"cost_{k}": v for k, v in cost.items()},
        "cost_total": site_cost,
        "cost_per_mtok": site_cpm,
    })
    n1 = _n_minus_1(ctx, sites, sup["n1_held_mtok_h"])

    # --- hourly profiles and flexible work ---------------------------------------------
    flex = flexible_work(ctx, y, q)
    hours = site_hours(d, opened, it, grid, ppa_site_use, sup, share_t, flex["flex"],
                       flex["shape"])
    load_mwh = float((fac * w).sum())
    matched = float((np.minimum(hourly_clean, fac) * w).sum())
    scores = hours.loc[hours["load_mw"] > 1e-9, "clean_score"]
    shiftable = flex["shiftable_mtok"]

    # --- allocation: a route's flow goes to its group's members by demand share, and to
    # the option(s) at the location that process that class
    loc_k = np.zeros((len(d.locations), n_k))
    np.add.at(loc_k, (d.site_location, slice(None)), site_k)
    dem_rk = (d.demand * w).sum(axis=2)  # (R, K) Mtok/yr (compute classes: MWh-IT/yr)
    uns_rk = np.zeros((n_r, n_k))
    for g, (mem, share) in enumerate(zip(L.group_members, L.group_member_share, strict=True)):
        k = L.group_workload[g]
        np.add.at(uns_rk, (mem, k), uns_g[g] * share)
    dem_r = dem_rk[:, ~comp].sum(axis=1)
    uns_r = uns_rk[:, ~comp].sum(axis=1)
    rows = []  # (region, site, workload, route, Mtok/yr)
    for q in np.flatnonzero(route_mtok > 0):
        g, loc = L.route_group[q], L.route_location[q]
        k = L.group_workload[g]
        at = L.sites_of_location[int(loc)]
        split = site_k[at, k] / loc_k[loc, k] if loc_k[loc, k] > 0 else np.zeros(len(at))
        for r, share in zip(L.group_members[g], L.group_member_share[g], strict=True):
            for s_i, f in zip(at, split, strict=True):
                if f > 1e-9:
                    rows.append((r, s_i, k, q, route_mtok[q] * share * f))
    arr = np.array(rows, dtype=float).reshape(-1, 5)
    rr, rs, rk, rq = (arr[:, i].astype(int) for i in range(4))
    rv = arr[:, 4]
    rl = d.site_location[rs]
    r_net = L.route_cost_per_mtok[rq]
    r_cpm = site_cpm_k[rs, rk] + r_net
    r_lat = d.latency_ms[rr, rl]
    rc = comp[rk]  # rows of compute classes
    allocation = pd.DataFrame({
        "region": [d.regions[r] for r in rr],
        "site": [d.sites[s] for s in rs],
        "location": [d.locations[lc] for lc in rl],
        "workload": [d.workloads[k] for k in rk],
        "tokens_per_day": np.where(rc, 0.0, rv * TOKENS_PER_MTOK / days_per_year),
        "mw_it": np.where(rc, rv / hours_per_year, 0.0),
        "share": rv / np.maximum(dem_rk[rr, rk], 1e-300),
        "latency_ms": r_lat,
        "network_cost_per_mtok": np.where(rc, np.nan, r_net),
        "cost_per_mtok": np.where(rc, np.nan, r_cpm),
        "cost_per_mw_year": np.where(rc, r_cpm * hours_per_year, np.nan),
    })

    # --- per region ---------------------------------------------------------------------
    tv = np.where(rc, 0.0, rv)  # token rows' Mtok/yr
    served_r = np.bincount(rr, weights=tv, minlength=n_r)
    cost_r = np.bincount(rr, weights=tv * r_cpm, minlength=n_r)
    lat_r = np.bincount(rr, weights=tv * r_lat, minlength=n_r)
    zone_cols, zone_summary = zone_shares(d, rl, rr, tv, served_r)
    total = float(sum(breakdown.values()))
    margin_cols, margin_summary = margin_results(
        ctx, sup["foregone_mtok"], rr, rk, rv, r_cpm, total - breakdown["unserved"],
        breakdown["unserved"], days_per_year)
    marginal_rk = _marginal_cost(ctx, res, n_r) / cost_weight  # (R, K)
    has = np.isfinite(marginal_rk) & ~comp[None, :]
    tok_dem = np.where(comp[None, :], 0.0, dem_rk)
    marginal = _ratio(np.where(has, marginal_rk * tok_dem, 0.0).sum(axis=1),
                      np.where(has, tok_dem, 0.0).sum(axis=1))
    served_rk = np.zeros((n_r, n_k))
    cost_rk = np.zeros((n_r, n_k))
    np.add.at(served_rk, (rr, rk), rv)
    np.add.at(cost_rk, (rr, rk), rv * r_cpm)
    avg_rk = np.divide(cost_rk, served_rk, out=np.full((n_r, n_k), np.nan),
                       where=served_rk > 0)
    degenerate = degenerate_splits(d, L, rr, rs, rk, rv, site_cpm_k, marginal_rk)
    regions = pd.DataFrame({
        "region": d.regions,
        "name": d.region_name,
        "zone": d.region_zone,
        "demand_tokens_per_day": dem_r * TOKENS_PER_MTOK / days_per_year,
        "served_tokens_per_day": served_r * TOKENS_PER_MTOK / days_per_year,
        "unserved_tokens_per_day": uns_r * TOKENS_PER_MTOK / days_per_year,
        "avg_cost_per_mtok": _ratio(cost_r, served_r),
        "marginal_cost_per_mtok": marginal,
        **{_per_unit("avg", k, comp[i]): avg_rk[:, i] * (hours_per_year if comp[i] else 1.0)
           for i, k in enumerate(d.workloads)},
        **{_per_unit("marginal", k, comp[i]):
           marginal_rk[:, i] * (hours_per_year if comp[i] else 1.0)
           for i, k in enumerate(d.workloads)},
        "degenerate_split": degenerate.any(axis=1).astype(int),
        "mean_latency_ms": _ratio(lat_r, served_r),
        **zone_cols,
        **({"compute_mw_it": served_rk[:, comp].sum(axis=1) / hours_per_year,
            "compute_cost": cost_rk[:, comp].sum(axis=1)} if comp.any() else {}),
        **margin_cols,
    })

    # --- summary ------------------------------------------------------------------------
    served_total = float(tv.sum())
    energy_total = float(energy.sum())
    token_energy = energy_total - float((energy * energy_k[:, comp].sum(axis=1)).sum())
    compute_cost = float(cost_rk[:, comp].sum())
    compute_mwh = float(served_rk[:, comp].sum())
    summary = {
        "objective": total,
        "cost_breakdown": breakdown,
        "cost_by_workload": _cost_by_workload(d, ctx.costs.by_workload(entry_values, n_k),
                                              term_k),
        "unallocated_site_cost": float(site_cost[site_mtok <= 0].sum()),
        "demand_tokens_per_day": float(dem_r.sum() * TOKENS_PER_MTOK / days_per_year),
        "served_tokens_per_day": served_total * TOKENS_PER_MTOK / days_per_year,
        "unserved_tokens_per_day": float(uns_r.sum() * TOKENS_PER_MTOK / days_per_year),
        "energy_twh": energy_total / 1e6,
        "it_energy_twh": float(it_mwh.sum()) / 1e6,
        "green_share": float(green_mwh.sum() / energy_total) if energy_total > 0 else 0.0,
        "tco2": float(emissions.sum()),
        "tokens_per_kwh": served_total * TOKENS_PER_MTOK / (token_energy * 1e3)
        if token_energy > 0 else 0.0,
        "avg_cost_per_mtok": (total - breakdown["unserved"] - compute_cost) / served_total
        if served_total > 0 else 0.0,
        **({"compute_demand_mw_it": float(dem_rk[:, comp].sum()) / hours_per_year,
            "compute_served_mw_it": compute_mwh / hours_per_year,
            "compute_unserved_mw_it": float(uns_rk[:, comp].sum()) / hours_per_year,
            "avg_cost_per_mw_year_compute": compute_cost / compute_mwh * hours_per_year
            if compute_mwh > 0 else 0.0} if comp.any() else {}),
        **zone_summary,
        "sites_open": int((opened > 0.5).sum()),
        **({"connection_step_extra": sum(step_minus_hull(d.connection_tiers, float(mw * pue))
                                         for mw, pue in zip(mw_total, d.site_pue, strict=True))}
           if len(d.connection_tiers) else {}),
        "mw_it_total": float(mw_total.sum()),
        **{f"site_type_mw_it_{k}": float(mw_total[sites["site_type"] == k].sum())
           for k in dict.fromkeys(sites.get("site_type", [])) if k},
        "utilisation_planned": pol.utilisation_max,
        "utilisation_realised": float(busy_mwh.sum() / (mw_total.sum() * w.sum()))
        if mw_total.sum() > 0 else 0.0,
        "water_m3": float(sites["water_m3"].sum()),
        "options_excluded": int(len(d.excluded)),
        "green_accounting": pol.green_accounting,
        "clean_score_hourly": matched / load_mwh if load_mwh > 0 else 0.0,
        "clean_score_min_slice": float(scores.min()) if len(scores) else 0.0,
        "curtailment_absorbed_mwh": float((sup["curtail_mw"] * w).sum()),
        "storage_mwh": float(sup["storage_mwh"].sum()),
        "storage_mw": float(sup["storage_mw"].sum()),
        "ppa_direct_mw": float(sites["ppa_direct_mw"].sum()),
        "storage_discharged_mwh": float((sup["discharge_mw"] * w).sum()),
        "shiftable_tokens_per_day": float(site_k[:, d.workload_shiftable & ~comp].sum())
        * TOKENS_PER_MTOK / days_per_year,
        "shifted_in_time_share": flex["shifted_in_time_mtok"] / shiftable if shiftable else 0.0,
        "moved_between_sites_share": flex["moved_between_sites_mtok"] / shiftable
        if shiftable else 0.0,
        **n1,
        **chip_summary(ctx, res, sup["chip_units"], cost_weight),
        **margin_summary,
    }
    return {"allocation": allocation, "sites": sites, "regions": regions, "summary": summary,
            "site_hours": hours}


def _n_minus_1(ctx: BuildContext, sites: pd.DataFrame, held: np.ndarray) -> dict:
    """sites.csv ``n1_cover`` (in place) and the summary's N-1 figures: the share of the
    protected classes' peak demand the other sites can still carry if one is lost."""
    d = ctx.data
    if not protected(d):
        sites["n1_cover"] = np.nan
        return {}
    lost = cover(d, held)
    by_loc = {name: c for level, name, c in lost if level == "location"}
    is_open = sites["mw_it_total"].to_numpy() > 1e-6
    c = sites["location"].map(by_loc).astype(float).to_numpy()
    sites["n1_cover"] = np.where(is_open & np.isfinite(c), c, np.nan)
    # only losses of something open count (losing an empty location takes nothing)
    open_locs = sorted({d.locations.index(loc) for loc in sites.loc[is_open, "location"]})
    open_names = {d.locations[i] for i in open_locs}
    grid = {str(g) for g in place_of_location(d, "grid_region")[open_locs]}
    counted = [(lv, n, c) for lv, n, c in lost if (lv == "location" and n in open_names)
               or (lv == "grid region" and n in grid)]
    if not counted:
        return {}
    level, name, worst = min(counted, key=lambda x: x[2])
    rule = d.policy.n_minus_1
    return {"n1_protected": ", ".join(d.workloads[k] for k in protected(d)),
            "n1_share": rule.share if rule is not None else None,
            "n1_min_cover": min(worst, 1e6), "n1_worst_loss": f"{level} {name}"}


def _cost_by_workload(d, own: dict[str, np.ndarray], term_k: dict[str, np.ndarray]) -> dict:
    """Currency/yr per term and class: the site terms as attributed (results/attribution.py;
    sites that served nothing left out), network and unserved as registered; and ``total``."""
    terms: dict[str, np.ndarray] = {}
    for term in COST_TERMS:
        v = term_k[term].sum(axis=0) if term in term_k else own.get(term)
        if v is not None and np.any(v != 0):
            terms[term] = v
    terms["total"] = sum(terms.values()) if terms else np.zeros(len(d.workloads))
    return {term: dict(zip(d.workloads, map(float, v), strict=True))
            for term, v in terms.items()}


def _per_unit(kind: str, workload: str, compute: bool) -> str:
    """regions.csv column of a class's average or marginal cost: per Mtok for a token class,
    per MW-year of its reference hardware for a compute class."""
    return f"{kind}_cost_per_{'mw_year' if compute else 'mtok'}_{workload}"


def _site_types(d) -> dict[str, np.ndarray]:
    """sites.csv ``site_type`` (the location's kind) where the dataset names kinds."""
    if not any(d.location_kind):
        return {}
    return {"site_type": np.asarray(d.location_kind, dtype=object)[d.site_location]}


def _whole_units(d, sup: dict) -> dict[str, np.ndarray]:
    """sites.csv ``modules`` and ``systems_<hw>`` where the data counts whole units."""
    out = {}
    if np.isfinite(sup["modules"]).any():
        out["modules"] = sup["modules"]
    for i, h in enumerate(d.hardware):
        if np.isfinite(sup["systems"][:, i]).any():
            out[f"systems_{h}"] = sup["systems"][:, i]
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0)


def _marginal_cost(ctx: BuildContext, res: SolveResult, n_r: int) -> np.ndarray:
    """(R, K) demand-weighted dual of the demand balance per region and class, currency per
    Mtok (NaN where there are no duals or no demand).

    Time-fixed rows are rates in slice t (w_t hours), so dual / w_t is per Mtok; daily rows of
    shiftable classes are the day's mean rate (W_d hours), so dual / W_d is per Mtok. A group's
    dual is each member region's. Duals come from the LP with the integer decisions fixed.
    """
    m, d, L = ctx.block, ctx.data, ctx.layout
    w, keys = d.slice_weight_h, ctx.handle("demand")
    n_k = len(d.workloads)
    fixed = res.duals(m.c_demand_balance)
    daily = res.duals(m.c_demand_daily)
    if fixed is None or daily is None:
        return np.full((n_r, n_k), np.nan)
    num = np.zeros((n_r, n_k))
    den = np.zeros((n_r, n_k))
    mean = daily_mean(d, L, L.group_demand)
    for (g, t), lam in zip(keys.balance_keys, fixed, strict=True):
        mem, share = L.group_members[g], L.group_member_share[g]
        k = L.group_workload[g]
        dem = L.group_demand[g, t] * share  # each member's Mtok/h in slice t
        np.add.at(num, (mem, k), lam * dem)  # (lam / w_t) x (w_t x demand)
        np.add.at(den, (mem, k), w[t] * dem)
    for (g, day), lam in zip(keys.daily_keys, daily, strict=True):
        mem, share = L.group_members[g], L.group_member_share[g]
        k = L.group_workload[g]
        dem = mean[g, day] * share
        np.add.at(num, (mem, k), lam * dem)  # (lam / W_d) x (W_d x mean)
        np.add.at(den, (mem, k), L.day_hours[day] * dem)
    return np.divide(num, den, out=np.full((n_r, n_k), np.nan), where=den > 0)
