"""Family 3, capacity: work on each hardware fits within installed MW at the utilisation ceiling.

    busy[s,h,t] = sum_k q[s,k,h,t] / thr[h,k]      (MW-IT busy)
    busy[s,h,t] <= u_max x cap[s,h]
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def busy_terms(m, d: ModelData, L: Layout, s: int, h: int, t: int):
    """(coefs, vars) of busy MW-IT of hardware h at site s in slice t.

    The coefficients (1 / thr) and process positions of each (site, hardware) are computed
    once per model and reused for every slice and every family that asks.
    """
    cache = m.__dict__.setdefault("_busy_cache", {})
    entry = cache.get((s, h))
    if entry is None:
        procs = L.procs_of_sh.get((s, h), np.zeros(0, int))
        coefs = tuple(1.0 / d.thr[h, L.proc_workload[p]] for p in procs)
        entry = cache[(s, h)] = (coefs, procs * L.n_t)
    q = m.__dict__.get("_q_list")
    if q is None:
        q = m.__dict__["_q_list"] = list(m.v_process_mtok_h.values())
    coefs, base = entry
    return coefs, [q[i + t] for i in base]


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
