"""Family 2, routing: what a location receives for a class is processed there on some hardware.

Time-fixed classes, per (location l, class k, slice t):
    sum_{q at (l,k)} x[q,t] = sum_{p at (l,k)} q[p,t]                       (Mtok/h)
Shiftable classes, per (l, k, day d), and the scheduling limit per slice t in d:
    W_d sum_q y[q,d] = sum_{t in d} w_t sum_p q[p,t]                          (Mtok)
    sum_p q[p,t] <= peak_factor_k x sum_q y[q,d]                              (Mtok/h)
p runs over (site, hardware) at the location; at most one option per location is open.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard

NAME = "routing"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, D, w = L.n_t, L.n_d, d.slice_weight_h
    m.v_process_mtok_h = pyo.Var(range(len(L.proc_site) * T), domain=pyo.NonNegativeReals)
    x, y, q = m.v_serve_mtok_h, m.v_serve_daily_mtok_h, m.v_process_mtok_h
    rows, daily, peak = [], [], []
    for (loc, k), routes in L.routes_of_lk.items():
        procs = L.procs_of_lk.get((loc, k), [])
        pos = [L.route_pos[r] for r in routes]
        if d.workload_shiftable[k]:
            pf = float(d.workload_peak_factor[k])
            for day, ts in enumerate(L.day_slices):
                ys = [y[j * D + day] for j in pos]
                qs = [q[p * T + t] for t in ts for p in procs]
                qc = [-w[t] for t in ts for _p in procs]
                daily.append(lin([L.day_hours[day]] * len(ys) + qc, ys + qs) == 0)
                for t in ts:
                    vs = [q[p * T + t] for p in procs] + ys
                    peak.append(lin([1.0] * len(procs) + [-pf] * len(ys), vs) <= 0)
        else:
            for t in range(T):
                vs = [x[i * T + t] for i in pos] + [q[p * T + t] for p in procs]
                rows.append(lin([1.0] * len(pos) + [-1.0] * len(procs), vs) == 0)
    indexed_constraint(m, "c_routing", rows)
    indexed_constraint(m, "c_routing_daily", daily)
    indexed_constraint(m, "c_shift_peak", peak)


def applies(d: ModelData) -> bool:
    return True


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``process_mtok_h`` (P, T): work done per (site, class, hardware) triple."""
    return {"process_mtok_h": res.values(ctx.block.v_process_mtok_h).reshape(-1, ctx.layout.n_t)}


ROWS = {
    "c_routing": Hard("conservation: what a location receives is processed there"),
    "c_routing_daily": Hard("conservation of a day's shiftable work"),
    "c_shift_peak": Hard("a site's scheduling limit (the class's peak factor)"),
}
