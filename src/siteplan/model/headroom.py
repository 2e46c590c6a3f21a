"""Family 3b, peak headroom: latency-bound work keeps a burst reserve under the ceiling.

Time-fixed classes (``shiftable`` false in workloads.csv) must be served in the hour they
arrive, so the capacity that serves them is sized for their peak with a headroom factor
H = ``policy.peak_headroom`` (>= 1):

    H x sum_{k time-fixed} q[s,k,h,t] / thr[h,k] <= u_max x cap[s,h]     (MW-IT, every slice)

Shiftable work may fill the reserve (it yields to a burst), so family 3 (capacity) still
bounds all work by u_max x cap. With H = 1 the rows are implied by family 3 and not built.
The peak itself is kept by the time aggregation (``time.keep_peak``, inputs/derive.py).
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.capacity import busy_terms, extra_mw_by_site, site_slice_weight
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, num, top

NAME = "headroom"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    hr, u_max = d.policy.peak_headroom, d.policy.utilisation_max
    fixed = set(np.flatnonzero(~d.workload_shiftable).tolist())
    rows, keys = [], []
    for j, (s, h) in enumerate(L.site_hw if applies(d) else []):
        procs = L.procs_of_sh.get((s, h))
        if procs is None:
            continue
        mine = np.array([L.proc_workload[p] in fixed for p in procs])
        if not mine.any():
            continue
        for t in range(L.n_t):
            coefs, vs = busy_terms(ctx, s, h, t)
            cs = [hr * c for c, k in zip(coefs, mine, strict=True) if k]
            xs = [v for v, k in zip(vs, mine, strict=True) if k]
            rows.append(lin([*cs, -u_max], [*xs, m.v_cap_mw[j]]) <= 0)
            keys.append((s, h, t))
    indexed_constraint(m, "c_peak_headroom", rows)
    ctx.handles[NAME] = keys  # (site, hardware, slice) of each row


def applies(d: ModelData) -> bool:
    return d.policy.peak_headroom > 1.0 and bool((~d.workload_shiftable).any())


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return site_slice_weight(ctx, sc, NAME)


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    items = extra_mw_by_site(ctx, NAME, v)
    return (f"peak headroom must give: latency-bound work x policy.peak_headroom "
            f"{d.policy.peak_headroom:g} needs more IT capacity than the ceiling "
            f"{d.policy.utilisation_max:g} allows at: {top(items, lambda x: f'+{num(x)} MW')}")


ROWS = {"c_peak_headroom": Soft(_weight, _describe)}
