"""Flag regional averages that rest on a degenerate split between sites.

When several sites produce a class at the same marginal cost, which region the solver sends
to which of them is arbitrary (any other split costs the same), yet the regions' average
costs depend on it. A region's class is flagged when:

- at least two locations that serve the class are within its reach (latency arcs), and
- each is at the margin for it: mu[l,k] + net[r,l] <= lambda[r,k] (relative tolerance
  ``REL_TOL``), where lambda[r,k] is the region's marginal cost (dual of its demand rows,
  currency/Mtok) and mu[l,k] = min over the regions l serves of lambda - net (the location's
  marginal production cost of the class), and
- their delivered average costs (class cost per Mtok at the site + network) differ.

Without duals (a run that returned none), locations are taken to be at the margin when their
network cost to the region is the lowest among those serving the class.
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.layout import Layout

REL_TOL = 1e-6  # marginal costs within this relative difference count as equal


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e-12)


def degenerate_splits(d: ModelData, L: Layout, rr: np.ndarray, rs: np.ndarray, rk: np.ndarray,
                      rv: np.ndarray, cpm_k: np.ndarray,
                      marginal_rk: np.ndarray) -> np.ndarray:
    """(R, K) True where region r's class k average rests on a degenerate split.

    Allocation rows (region, site, class, Mtok/yr): ``rr, rs, rk, rv``;
    ``cpm_k`` (S, K) site cost per Mtok by class; ``marginal_rk`` (R, K) currency/Mtok.
    """
    n_r, n_k = len(d.regions), len(d.workloads)
    out = np.zeros((n_r, n_k), bool)
    net = {(int(r), int(loc), int(k)): float(c) for r, loc, k, c in
           zip(d.arc_region, d.arc_location, d.arc_workload, d.arc_cost_per_mtok, strict=True)}
    loc_of = d.site_location
    # each serving location's marginal production cost (mu) and delivered average per class
    mu: dict[tuple[int, int], float] = {}
    avg: dict[tuple[int, int], float] = {}
    for r, s, k, v in zip(rr, rs, rk, rv, strict=True):
        if v <= 0:
            continue
        loc = int(loc_of[s])
        lam = marginal_rk[r, k]
        if np.isfinite(lam):
            x = float(lam) - net.get((int(r), loc, int(k)), 0.0)
            mu[(loc, int(k))] = min(mu.get((loc, int(k)), np.inf), x)
        avg[(loc, int(k))] = float(cpm_k[s, k])
    for r, k in sorted(set(zip(rr.tolist(), rk.tolist(), strict=True))):
        lam = marginal_rk[r, k]
        reach = [(loc, net[(r, loc, k)]) for (loc, kk) in avg
                 if kk == k and (r, loc, k) in net]
        if len(reach) < 2:
            continue
        if np.isfinite(lam) and all((loc, k) in mu for loc, _c in reach):
            margin = [(loc, c) for loc, c in reach
                      if mu[(loc, k)] + c <= lam or _close(mu[(loc, k)] + c, float(lam))]
        else:
            best = min(c for _loc, c in reach)
            margin = [(loc, c) for loc, c in reach if _close(c, best)]
        delivered = [avg[(loc, k)] + c for loc, c in margin]
        if len(margin) >= 2 and not all(_close(x, delivered[0]) for x in delivered):
            out[r, k] = True
    return out
