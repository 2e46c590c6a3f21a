"""Family 3, capacity: work on each hardware fits within installed MW at the utilisation ceiling.

    busy[s,h,t] = sum_k q[s,k,h,t] / thr[h,k]      (MW-IT busy)
    busy[s,h,t] <= u_max x cap[s,h]
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def busy_terms(m, d: ModelData, L: Layout, s: int, h: int, t: int):
    """(coefs, vars) of busy MW-IT of hardware h at site s in slice t."""
    procs = L.procs_of_sh.get((s, h), [])
    q, T = m.v_process_mtok_h, L.n_t
    coefs = [1.0 / d.thr[h, L.proc_workload[p]] for p in procs]
    return coefs, [q[p * T + t] for p in procs]


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    u_max = d.policy.utilisation_max
    rows = []
    for j, (s, h) in enumerate(L.site_hw):
        if (s, h) not in L.procs_of_sh:
            continue
        for t in range(L.n_t):
            coefs, vs = busy_terms(m, d, L, s, h, t)
            rows.append(lin([*coefs, -u_max], [*vs, m.v_cap_mw[j]]) <= 0)
    indexed_constraint(m, "c_capacity", rows)
