"""Family 8b, resilience: no location serves more than a share of one class's national demand.

    sum_t w_t sum_{p at (l,k)} q[p,t] <= max_site_share x sum_t w_t sum_r demand[r,k,t]
(both sides divided by the year's hours, i.e. stated as mean Mtok/h, to keep the row scaled)
(at most one option per location opens, so a location's share is its open site's share)
"""

from __future__ import annotations

from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin


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
