"""Pre-solve checks that name the cause of an infeasible plan in planning terms.

Each check is cheap and exact for what it tests (a necessary condition for feasibility);
when all pass and HiGHS still reports infeasibility, the solver's verdict is reported.
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData

TOKENS_PER_MTOK = 1e6


def presolve_causes(d: ModelData) -> list[str]:
    """Reasons the scenario cannot be feasible (empty list: none found)."""
    causes: list[str] = []
    must_serve = d.policy.unserved_cost_per_mtok is None
    if must_serve:
        causes += _unreachable_demand(d)
        causes += _capacity_shortfall(d)
    causes += _green_unreachable(d)
    return causes


def _unreachable_demand(d: ModelData) -> list[str]:
    out = []
    has_demand = d.demand.sum(axis=2) > 0
    served = np.zeros_like(has_demand)
    served[d.arc_region, d.arc_workload] = True
    for r, k in zip(*np.nonzero(has_demand & ~served), strict=True):
        limit = d.workload_latency_ms[k]
        if not np.any(d.thr[:, k] > 0):
            why = "no hardware can serve it (throughput.csv)"
        elif len(d.sites) == 0:
            why = "every site option is excluded by policy"
        elif np.isfinite(limit):
            nearest = float(np.min(d.latency_ms[r, d.site_location]))
            why = f"no site option within {limit:g} ms (nearest allowed: {nearest:.1f} ms)"
        else:
            why = "no site option can serve it"
        out.append(f"region {d.regions[r]}, class {d.workloads[k]}: {why}")
    return out


def _capacity_shortfall(d: ModelData) -> list[str]:
    """Peak IT MW needed at the best throughput vs what all open-able locations can hold."""
    if len(d.sites) == 0:
        return []
    best = d.thr.max(axis=0)  # (K,) Mtok/h per MW-IT
    if np.any(best <= 0):
        return []
    # the slice with the largest need; shiftable classes can at best run flat over their day
    dem = d.demand.sum(axis=0)  # (K, T)
    flat = np.zeros_like(dem)
    for day in range(len(d.days)):
        ts = d.slice_day == day
        w = d.slice_weight_h[ts]
        flat[:, ts] = ((dem[:, ts] * w).sum(axis=1) / w.sum())[:, None]
    need_k = np.where(d.workload_shiftable[:, None], flat, dem) / best[:, None]
    need = float(need_k.sum(axis=0).max()) / d.policy.utilisation_max
    cap = 0.0
    for loc in np.unique(d.site_location):
        cap += float(d.site_max_mw[d.site_location == loc].max())
    if need > cap * (1 + 1e-9):
        return [
            f"capacity of all open-able sites is {cap / 1000:.3g} GW IT, demand needs "
            f"{need / 1000:.3g} GW at the utilisation ceiling {d.policy.utilisation_max:g}"
        ]
    return []


def _green_unreachable(d: ModelData) -> list[str]:
    """Upper bound on the portfolio green share: the greenest (site, slice) anywhere.

    A slice where a PPA at the site produces counts as fully green (capacity limits ignored),
    so the bound is safe: a target above it is certainly unreachable.
    """
    target = d.policy.min_green_share
    if target <= 0 or len(d.sites) == 0:
        return []
    green = d.location_green[np.unique(d.site_location)].copy()
    row = {loc: i for i, loc in enumerate(np.unique(d.site_location))}
    for p, loc in enumerate(d.ppa_location):
        green[row[loc], d.ppa_cf[p] > 0] = 1.0
    cert = d.policy.certificates.max_share if d.policy.certificates else 0.0
    best = min(1.0, float(green.max()) + cert)
    if target > best + 1e-9:
        return [
            f"green share {target:.0%} unreachable: the most green the sites can buy is "
            f"{best:.0%}"
        ]
    return []
