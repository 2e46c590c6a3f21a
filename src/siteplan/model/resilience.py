"""Family 8b, resilience: no site serves more than a share of one class's national demand.

    sum_t w_t sum_{a at (s,k)} x[a,t] <= max_site_share x sum_t w_t sum_r demand[r,k,t]   (Mtok)
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    share = d.policy.max_site_share
    rows = []
    if share is not None:
        T, w, x = L.n_t, d.slice_weight_h, m.v_serve_mtok_h
        annual = (d.demand * w[None, None, :]).sum(axis=(0, 2))  # (K,) Mtok/yr
        for (_s, k), arcs in L.arcs_of_sk.items():
            coefs = [w[t] for a in arcs for t in range(T)]
            vs = [x[a * T + t] for a in arcs for t in range(T)]
            rows.append(lin(coefs, vs) <= share * float(annual[k]))
    indexed_constraint(m, "c_site_share", rows)
