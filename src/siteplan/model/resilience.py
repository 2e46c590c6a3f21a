"""Family 8b, resilience: no location serves more than a share of one class's national demand.

    sum_t w_t sum_{p at (l,k)} q[p,t] <= max_site_share x sum_t w_t sum_r demand[r,k,t]
(both sides divided by the year's hours, i.e. stated as mean Mtok/h, to keep the row scaled)
(at most one option per location opens, so a location's share is its open site's share)
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, top

NAME = "resilience"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    share = d.policy.max_site_share
    rows = []
    if share is not None:
        T, w, q = L.n_t, d.slice_weight_h, m.v_process_mtok_h
        hours = float(w.sum())
        mean = (d.demand * w[None, None, :]).sum(axis=(0, 2)) / hours  # (K,) mean Mtok/h
        for (_loc, k), procs in L.procs_of_lk.items():
            coefs = [w[t] / hours for _p in procs for t in range(T)]
            vs = [q[p * T + t] for p in procs for t in range(T)]
            rows.append(lin(coefs, vs) <= share * float(mean[k]))
    indexed_constraint(m, "c_site_share", rows)


def applies(d: ModelData) -> bool:
    return d.policy.max_site_share is not None


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    """Per (location, class) row: 1 / the class's annual demand."""
    return np.array([1.0 / sc.class_annual[k] if sc.class_annual[k] > 0 else 1.0
                     for (_loc, k) in ctx.layout.procs_of_lk])


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d, L = ctx.data, ctx.layout
    share = d.policy.max_site_share or 0.0
    annual = (d.demand * d.slice_weight_h).sum(axis=(0, 2))
    items, worst = [], 0.0
    for (loc, k), x in zip(L.procs_of_lk, v, strict=True):
        if x <= 0 or annual[k] <= 0:
            continue
        pts = float(x) / float(annual[k])
        worst = max(worst, pts)
        items.append((f"{d.locations[loc]}/{d.workloads[k]}", pts * 100))
    return (f"site share must give: policy.max_site_share {share:.0%} must rise by up to "
            f"{worst * 100:.3g} percentage points (to {min(share + worst, 1):.1%}) at: "
            f"{top(items, lambda x: f'+{x:.3g} pts')}")


ROWS = {"c_site_share": Soft(_weight, _describe)}
