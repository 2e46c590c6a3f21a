"""Turn a solved model into tidy tables: allocation, sites, regions, and the summary.

Everything is read back in bulk as arrays (``SolveResult.values``); the cost breakdown is the
value of the registered cost terms, so it adds up to the objective by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siteplan.inputs.derive import TOKENS_PER_MTOK, ModelData
from siteplan.model.costs import COST_TERMS
from siteplan.model.demand import group_demand
from siteplan.model.objective import OBJECTIVE_SCALE
from siteplan.solve import SolveResult

EPS_MTOK_H = 1e-7  # flows below this (Mtok/h) are solver noise, not allocations


def extract(m: pyo.ConcreteModel, d: ModelData, res: SolveResult) -> dict:
    """Tables (DataFrames) and headline figures from a solved model."""
    L = m._layout
    T, w = L.n_t, d.slice_weight_h
    days_per_year = float(w.sum()) / 24.0
    n_a, n_s = len(d.arc_region), len(d.sites)

    x = res.values(m.v_serve_mtok_h).reshape(n_a, T)
    q = res.values(m.v_process_mtok_h).reshape(len(L.proc_site), T)
    cap = res.values(m.v_cap_mw)
    opened = np.round(res.values(m.v_open), 6)
    grid = res.values(m.v_grid_mw).reshape(n_s, T)
    ppa_mw = res.values(m.v_ppa_mw)
    ppa_use = res.values(m.v_ppa_use_mw).reshape(len(d.ppa_site), T)
    gec = res.values(m.v_gec_mwh) if len(m.v_gec_mwh) else np.zeros(n_s)
    n_g = len(L.group_region)
    unserved = (res.values(m.v_unserved_mtok_h).reshape(n_g, T)
                if len(m.v_unserved_mtok_h) else np.zeros((n_g, T)))
    x = np.where(x > EPS_MTOK_H, x, 0.0)

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
    ppa_site_use = np.zeros((n_s, T))
    np.add.at(ppa_site_use, d.ppa_site, ppa_use)
    energy = ((grid + ppa_site_use) * w).sum(axis=1)  # facility MWh/yr
    green_mwh = ((d.site_green * grid + ppa_site_use) * w).sum(axis=1) + gec
    it_mwh = (it * w).sum(axis=1)
    busy_mwh = (busy.sum(axis=1) * w).sum(axis=1)
    mw_total = cap_sh.sum(axis=1)
    site_mtok = np.zeros(n_s)
    np.add.at(site_mtok, d.arc_site, (x * w).sum(axis=1))
    emissions = ((d.site_ef * grid) * w).sum(axis=1)
    pol = d.policy
    cost = {
        "fixed": d.site_fixed_cost * opened,
        "hardware": cap_sh @ d.hw_capex_per_mw,
        "facility": d.site_facility_cost_per_mw * mw_total,
        "electricity": (d.site_price * grid * w).sum(axis=1),
        "ppa": np.bincount(d.ppa_site, weights=d.ppa_cost_per_mw * ppa_mw, minlength=n_s),
        "certificates": gec * (pol.certificates.price_per_mwh if pol.certificates else 0.0),
        "carbon": emissions * pol.carbon_price_per_t,
    }
    site_cost = sum(cost.values())
    site_cpm = np.divide(site_cost, site_mtok, out=np.zeros(n_s), where=site_mtok > 0)
    loc = np.array(d.locations, dtype=object)[d.site_location]
    sites = pd.DataFrame({
        "site": d.sites,
        "location": loc,
        "region": [d.regions[r] for r in d.location_region[d.site_location]],
        "zone": d.location_zone[d.site_location],
        "cooling": d.site_cooling,
        "open": opened.astype(int) if d.solver.integer_sites else opened,
        "pue": d.site_pue,
        **{f"mw_it_{h}": cap_sh[:, i] for i, h in enumerate(d.hardware)},
        "mw_it_total": mw_total,
        "utilisation": np.divide(busy_mwh, mw_total * w.sum(), out=np.zeros(n_s),
                                 where=mw_total > 0),
        "tokens_per_day": site_mtok * TOKENS_PER_MTOK / days_per_year,
        "it_mwh": it_mwh,
        "energy_mwh": energy,
        "grid_mwh": (grid * w).sum(axis=1),
        "ppa_mwh": (ppa_site_use * w).sum(axis=1),
        "ppa_mw": np.bincount(d.ppa_site, weights=ppa_mw, minlength=n_s),
        "green_share": np.divide(green_mwh, energy, out=np.zeros(n_s), where=energy > 0),
        "tco2": emissions,
        "water_m3": it_mwh * d.site_wue_l_per_kwh,  # L/kWh x MWh = m3
        **{f"cost_{k}": v for k, v in cost.items()},
        "cost_total": site_cost,
        "cost_per_mtok": site_cpm,
    })

    # --- per arc (allocation) ---------------------------------------------------------------
    arc_mtok = (x * w).sum(axis=1)
    dem_g = group_demand(d, L)
    dem_g_mtok = (dem_g * w).sum(axis=1)
    arc_share = arc_mtok / np.maximum(dem_g_mtok[L.arc_group], 1e-300)
    arc_cpm = site_cpm[d.arc_site] + d.arc_cost_per_mtok
    keep = arc_mtok > EPS_MTOK_H
    allocation = pd.DataFrame({
        "region": [d.regions[r] for r in d.arc_region[keep]],
        "site": [d.sites[s] for s in d.arc_site[keep]],
        "location": loc[d.arc_site[keep]],
        "workload": [d.workloads[k] for k in d.arc_workload[keep]],
        "tokens_per_day": arc_mtok[keep] * TOKENS_PER_MTOK / days_per_year,
        "share": arc_share[keep],
        "latency_ms": d.arc_latency_ms[keep],
        "network_cost_per_mtok": d.arc_cost_per_mtok[keep],
        "cost_per_mtok": arc_cpm[keep],
    })

    # --- per region ---------------------------------------------------------------------
    n_r = len(d.regions)
    dem_r = np.bincount(L.group_region, weights=dem_g_mtok, minlength=n_r)
    uns_r = np.bincount(L.group_region, weights=(unserved * w).sum(axis=1), minlength=n_r)
    served_r = np.bincount(d.arc_region, weights=arc_mtok, minlength=n_r)
    cost_r = np.bincount(d.arc_region, weights=arc_mtok * arc_cpm, minlength=n_r)
    lat_r = np.bincount(d.arc_region, weights=arc_mtok * d.arc_latency_ms, minlength=n_r)
    west = d.location_zone[d.site_location[d.arc_site]] == "west"
    west_r = np.bincount(d.arc_region, weights=arc_mtok * west, minlength=n_r)
    marginal = _marginal_cost(m, d, res, dem_g, n_r)
    regions = pd.DataFrame({
        "region": d.regions,
        "name": d.region_name,
        "zone": d.region_zone,
        "demand_tokens_per_day": dem_r * TOKENS_PER_MTOK / days_per_year,
        "served_tokens_per_day": served_r * TOKENS_PER_MTOK / days_per_year,
        "unserved_tokens_per_day": uns_r * TOKENS_PER_MTOK / days_per_year,
        "avg_cost_per_mtok": _ratio(cost_r, served_r),
        "marginal_cost_per_mtok": marginal,
        "mean_latency_ms": _ratio(lat_r, served_r),
        "west_share": _ratio(west_r, served_r),
    })

    # --- summary ------------------------------------------------------------------------
    breakdown = {t: float(pyo.value(m.e_cost[t])) for t in COST_TERMS}
    total = float(sum(breakdown.values()))
    served_total = float(arc_mtok.sum())
    energy_total = float(energy.sum())
    summary = {
        "objective": total,
        "cost_breakdown": breakdown,
        "unallocated_site_cost": float(site_cost[site_mtok <= 0].sum()),
        "demand_tokens_per_day": float(dem_r.sum() * TOKENS_PER_MTOK / days_per_year),
        "served_tokens_per_day": served_total * TOKENS_PER_MTOK / days_per_year,
        "unserved_tokens_per_day": float(uns_r.sum() * TOKENS_PER_MTOK / days_per_year),
        "energy_twh": energy_total / 1e6,
        "it_energy_twh": float(it_mwh.sum()) / 1e6,
        "green_share": float(green_mwh.sum() / energy_total) if energy_total > 0 else 0.0,
        "tco2": float(emissions.sum()),
        "tokens_per_kwh": served_total * TOKENS_PER_MTOK / (energy_total * 1e3)
        if energy_total > 0 else 0.0,
        "avg_cost_per_mtok": (total - breakdown["unserved"]) / served_total
        if served_total > 0 else 0.0,
        "west_share": float(west_r.sum() / served_total) if served_total > 0 else 0.0,
        "sites_open": int((opened > 0.5).sum()),
        "mw_it_total": float(mw_total.sum()),
        "water_m3": float(sites["water_m3"].sum()),
        "options_excluded": int(len(d.excluded)),
    }
    return {"allocation": allocation, "sites": sites, "regions": regions, "summary": summary}


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0)


def _marginal_cost(m, d: ModelData, res: SolveResult, dem_g: np.ndarray, n_r: int) -> np.ndarray:
    """Demand-weighted dual of the demand balance per region, currency per Mtok.

    Time-fixed rows are in Mtok/h, so their dual per Mtok is dual / w_t; the daily rows of
    shiftable classes are in Mtok already. Duals come from the LP with integers fixed.
    """
    L, w = m._layout, d.slice_weight_h
    fixed = res.duals(m.c_demand_balance)
    daily = res.duals(m.c_demand_daily)
    if fixed is None or daily is None:
        return np.full(n_r, np.nan)
    num = np.zeros(n_r)
    den = np.zeros(n_r)
    for (g, t), lam in zip(m._demand_balance_keys, fixed, strict=True):
        r = L.group_region[g]
        num[r] += lam / OBJECTIVE_SCALE * dem_g[g, t]  # (lam / w_t) x (w_t x demand)
        den[r] += w[t] * dem_g[g, t]
    for (g, day), lam in zip(m._demand_daily_keys, daily, strict=True):
        r = L.group_region[g]
        mask = d.slice_day == day
        vol = float((w[mask] * dem_g[g, mask]).sum())
        num[r] += lam / OBJECTIVE_SCALE * vol
        den[r] += vol
    return _ratio(num, den)
