"""Revenue and margin of a plan under objective ``margin`` (model/value.py).

Per region r and class k (Mtok/yr, currency/yr):
    revenue[r,k] = sum_i price[r,k,i] x (share[r,k,i] x demand[r,k] - foregone[r,k,i])
    cost[r,k]    = sum of its allocation rows' tokens x delivered cost per Mtok
    margin       = revenue - cost
The plan's margin is its revenue less its whole cost (the objective without the revenue
foregone), so unallocated site cost counts against it too. A compute class (demand in MW-IT
of a reference hardware, priced per MWh of it) is not tokens: per MW-year, and left out of
the margin per Mtok.
"""

from __future__ import annotations

import numpy as np

from siteplan.model.context import BuildContext

TOKENS_PER_MTOK = 1e6


def margin_results(ctx: BuildContext, foregone: np.ndarray, rr: np.ndarray, rk: np.ndarray,
                   rv: np.ndarray, r_cpm: np.ndarray, cost_total: float, foregone_value: float,
                   days_per_year: float) -> tuple[dict[str, np.ndarray], dict]:
    """(regions.csv columns, summary entries); both empty unless the objective is margin."""
    d, L = ctx.data, ctx.layout
    if d.objective != "margin":
        return {}, {}
    n_r, n_k = len(d.regions), len(d.workloads)
    dem_rk = (d.demand * d.slice_weight_h).sum(axis=2)  # (R, K) Mtok/yr
    lost = np.zeros((n_r, n_k, foregone.shape[1]))  # (R, K, N) Mtok/yr foregone
    for g, (mem, share) in enumerate(zip(L.group_members, L.group_member_share, strict=True)):
        lost[mem, L.group_workload[g], :] += share[:, None] * np.maximum(foregone[g], 0.0)
    potential = dem_rk[:, :, None] * d.value_share
    revenue = ((potential - lost) * d.value_price).sum(axis=2)  # (R, K)
    served = np.zeros((n_r, n_k))
    cost = np.zeros((n_r, n_k))
    np.add.at(served, (rr, rk), rv)
    np.add.at(cost, (rr, rk), rv * r_cpm)
    margin = revenue - cost
    comp = d.workload_compute if len(d.workload_compute) else np.zeros(n_k, bool)
    hours = float(d.slice_weight_h.sum())
    regions = {"revenue": revenue.sum(axis=1), "margin": margin.sum(axis=1),
               "margin_per_mtok": _ratio(margin[:, ~comp].sum(axis=1),
                                         served[:, ~comp].sum(axis=1))}
    for k, wl in enumerate(d.workloads):  # by class and region
        regions[f"margin_{wl}"] = margin[:, k]
        if not comp[k]:
            regions[f"margin_per_mtok_{wl}"] = _ratio(margin[:, k], served[:, k])
    by_class = {}
    for k, wl in enumerate(d.workloads):
        unserved = lost[:, k, :].sum(axis=0)  # (N,)
        tol = 1e-6 * max(float(dem_rk[:, k].sum()), 1e-300)
        left = [f"{d.value_tier[k][i]} at {_prices(d.value_price[:, k, i], lost[:, k, i], tol)}"
                for i in range(len(d.value_tier[k])) if unserved[i] > tol]
        by_class[wl] = {
            "revenue": float(revenue[:, k].sum()),
            "cost": float(cost[:, k].sum()),
            "margin": float(margin[:, k].sum()),
            "margin_per_mtok": float(_ratio(margin[:, k].sum(keepdims=True),
                                            served[:, k].sum(keepdims=True))[0]),
            "served_tokens_per_day": float(served[:, k].sum()) * TOKENS_PER_MTOK / days_per_year,
            "unserved_tokens_per_day": float(unserved.sum()) * TOKENS_PER_MTOK / days_per_year,
            "unserved_tiers": ", ".join(left),
        }
        if comp[k]:  # compute (MWh-IT of the reference hardware), not tokens
            c = by_class[wl]
            c["margin_per_mw_year"] = c.pop("margin_per_mtok") * hours
            c["served_mw_it"] = float(served[:, k].sum()) / hours
            c["unserved_mw_it"] = float(unserved.sum()) / hours
            c["served_tokens_per_day"] = c["unserved_tokens_per_day"] = 0.0
    total_revenue = float(revenue.sum())
    served_total = float(served[:, ~comp].sum())  # token classes' Mtok
    token_margin = total_revenue - cost_total - float(margin[:, comp].sum())
    summary = {
        "revenue": total_revenue,
        "revenue_foregone": foregone_value,
        "margin": total_revenue - cost_total,
        "margin_per_mtok": token_margin / served_total if served_total > 0 else 0.0,
        "margin_by_workload": by_class,
    }
    return regions, summary


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0)


def _prices(price_r: np.ndarray, lost_r: np.ndarray, tol: float) -> str:
    """The tier's price per Mtok where its demand went unserved: one figure, or the range
    over the regions (token_value.csv by region)."""
    p = price_r[lost_r > tol] if (lost_r > tol).any() else price_r
    lo, hi = float(p.min()), float(p.max())
    return f"{lo:g}/Mtok" if lo == hi else f"{lo:g}-{hi:g}/Mtok"
