"""Family 2, routing: what arrives at a site for a class is processed there on some hardware.

    sum_{r} x[r,s,k,t] = sum_h q[s,k,h,t]          (Mtok/h, per site, class, slice)
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    T = L.n_t
    m.v_process_mtok_h = pyo.Var(range(len(L.proc_site) * T), domain=pyo.NonNegativeReals)
    x, q = m.v_serve_mtok_h, m.v_process_mtok_h
    rows = []
    for key, arcs in L.arcs_of_sk.items():
        procs = L.procs_of_sk.get(key, [])
        for t in range(T):
            vs = [x[a * T + t] for a in arcs] + [q[p * T + t] for p in procs]
            rows.append(lin([1.0] * len(arcs) + [-1.0] * len(procs), vs) == 0)
    indexed_constraint(m, "c_routing", rows)
