"""Computing-electricity synergy results: hourly profiles, clean scores, flexible work.

``site_hours`` is the hourly profile of every open site (``site_hours.csv``);
``flexible_work`` measures how much shiftable work moved in time and between sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.demand import daily_mean


def site_hours(d: ModelData, opened: np.ndarray, it: np.ndarray, grid: np.ndarray,
               ppa: np.ndarray, sup: dict, share_t: np.ndarray, flex: np.ndarray,
               flex_profile: np.ndarray) -> pd.DataFrame:
    """One row per open site and slice: load, grid, PPA, curtailment, storage, clean score."""
    loc = d.site_location
    curt, ch, dis = (sup[k][loc] * share_t for k in ("curtail_mw", "charge_mw", "discharge_mw"))
    soc = sup["soc_mwh"][loc] * (opened[:, None] > 0.5)
    load = d.site_pue[:, None] * it
    clean = d.location_green[loc] * grid + ppa + curt + dis - ch
    rows = np.flatnonzero(opened > 0.5)
    T = d.n_slices

    def pick(a: np.ndarray) -> np.ndarray:  # open sites' rows, site-major
        return a[rows].ravel()

    return pd.DataFrame({
        "site": np.repeat(np.array(d.sites, dtype=object)[rows], T),
        "location": np.repeat(np.array(d.locations, dtype=object)[loc[rows]], T),
        "slice": np.tile(np.array(d.slices, dtype=object), len(rows)),
        "day": np.tile(np.array(d.days, dtype=object)[d.slice_day], len(rows)),
        "weight_h": np.tile(d.slice_weight_h, len(rows)),
        "it_mw": pick(it),
        "load_mw": pick(load),
        "grid_mw": pick(grid),
        "grid_green_mw": pick(d.location_green[loc] * grid),
        "ppa_mw": pick(ppa),
        "curtailment_mw": pick(curt),
        "storage_charge_mw": pick(ch),
        "storage_discharge_mw": pick(dis),
        "storage_soc_mwh": pick(soc),
        "clean_mw": pick(clean),
        "clean_score": pick(np.divide(clean, load, out=np.zeros_like(load), where=load > 1e-9)),
        "flex_mtok_h": pick(flex),
        "flex_demand_shape_mtok_h": pick(flex_profile),
    })


def flexible_work(ctx: BuildContext, y: np.ndarray, q: np.ndarray) -> dict:
    """Shiftable work per site and slice, the same work following its demand shape, and the
    annual Mtok moved in time (within days, at the site) and between sites (day by day).

    In time: sum_t w_t max(0, q[l,k,t] - Y[l,k,d] prof[k,t]), Y the day's mean rate handed to
    (l, k) and prof the class's demand shape (daily mean 1).
    Between sites: sum_{g,d} W_d / 2 sum_q |y[q,d] - s_q Y[g,d]|, s_q the route's share of its
    group's year, Y[g,d] the group's rate served that day.
    """
    d, L = ctx.data, ctx.layout
    w = d.slice_weight_h
    T, n_s = L.n_t, len(d.sites)
    dem_k = d.demand.sum(axis=0)  # (K, T)
    mean_k = daily_mean(d, L, dem_k)[:, d.slice_day]
    prof = np.divide(dem_k, mean_k, out=np.ones_like(dem_k), where=mean_k > 0)
    flex = np.zeros((n_s, T))
    shape = np.zeros((n_s, T))
    total = in_time = 0.0
    for (loc, k), routes in L.routes_of_lk.items():
        if not d.workload_shiftable[k]:
            continue
        procs = L.procs_of_lk.get((loc, k), np.zeros(0, int))
        recv = y[L.route_pos[routes]].sum(axis=0)[d.slice_day] * prof[k]  # (T,)
        done = q[procs].sum(axis=0) if len(procs) else np.zeros(T)
        in_time += float((np.maximum(done - recv, 0.0) * w).sum())
        total += float((done * w).sum())
        site_k = np.zeros(n_s)
        np.add.at(site_k, L.proc_site[procs], (q[procs] * w).sum(axis=1))
        split = site_k / site_k.sum() if site_k.sum() > 0 else site_k
        np.add.at(flex, L.proc_site[procs], q[procs])
        shape += split[:, None] * recv[None, :]
    between = 0.0
    for g in np.flatnonzero(L.group_shiftable):
        ys = y[L.route_pos[L.routes_of_group[g]]]  # (routes, D)
        served = ys.sum(axis=0)
        year = (ys * L.day_hours).sum(axis=1)
        s = year / year.sum() if year.sum() > 0 else year
        between += float((np.abs(ys - s[:, None] * served[None, :]).sum(axis=0)
                          * L.day_hours).sum() / 2)
    return {"flex": flex, "shape": shape, "shiftable_mtok": total,
            "shifted_in_time_mtok": in_time, "moved_between_sites_mtok": between}
