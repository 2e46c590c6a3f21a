"""Family 3, capacity: work on each hardware fits within installed MW at the utilisation ceiling.

    busy[s,h,t] = sum_k q[s,k,h,t] / thr[h,k]      (MW-IT busy)
    busy[s,h,t] <= u_max x cap[s,h]
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, num, top

NAME = "capacity"
ROW_EXTRA = 2.0  # elastic: prefer "location needs more MW" over "work beyond the ceiling"


def busy_terms(ctx: BuildContext, s: int, h: int, t: int):
    """(coefs, vars) of busy MW-IT of hardware h at site s in slice t.

    The coefficients (1 / thr) and process positions of each (site, hardware) are computed
    once per year and reused for every slice and every family that asks.
    """
    d, L = ctx.data, ctx.layout
    cache = ctx.cache.setdefault("busy", {})
    entry = cache.get((s, h))
    if entry is None:
        procs = L.procs_of_sh.get((s, h), np.zeros(0, int))
        coefs = tuple(1.0 / d.thr[h, L.proc_workload[p]] for p in procs)
        entry = cache[(s, h)] = (coefs, procs * L.n_t)
    q = ctx.cache.get("process_vars")
    if q is None:
        q = ctx.cache["process_vars"] = list(ctx.block.v_process_mtok_h.values())
    coefs, base = entry
    return coefs, [q[i + t] for i in base]


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    u_max = d.policy.utilisation_max
    rows, keys = [], []
    for j, (s, h) in enumerate(L.site_hw):
        if (s, h) not in L.procs_of_sh:
            continue
        for t in range(L.n_t):
            coefs, vs = busy_terms(ctx, s, h, t)
            rows.append(lin([*coefs, -u_max], [*vs, m.v_cap_mw[j]]) <= 0)
            keys.append((s, h, t))
    indexed_constraint(m, "c_capacity", rows)
    ctx.handles[NAME] = keys  # (site, hardware, slice) of each row


def applies(d: ModelData) -> bool:
    return True


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def site_slice_weight(ctx: BuildContext, sc, name: str) -> np.ndarray:
    """Elastic weight of family ``name``'s (site, hardware, slice) rows: the slice's hours
    over the year's need (1 MW short in every hour weighs as much as 1 MW of need)."""
    w = ctx.data.slice_weight_h
    return np.array([ROW_EXTRA * w[t] / (sc.hours * sc.need_mw)
                     for _s, _h, t in ctx.handle(name)])


def extra_mw_by_site(ctx: BuildContext, name: str, v: np.ndarray) -> list[tuple[str, float]]:
    """(site, MW-IT more) of family ``name``'s elastic values ``v`` on (site, hardware, slice)
    rows: the largest over its rows, over the utilisation ceiling."""
    d = ctx.data
    per: dict[int, float] = {}
    for (s, _h, _t), x in zip(ctx.handle(name), v, strict=True):
        per[s] = max(per.get(s, 0.0), float(x) / d.policy.utilisation_max)
    return [(d.sites[s], x) for s, x in per.items()]


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return site_slice_weight(ctx, sc, NAME)


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    items = extra_mw_by_site(ctx, NAME, v)
    return (f"capacity must give: sites need more IT capacity than the utilisation ceiling "
            f"{d.policy.utilisation_max:g} allows, at the peak: "
            f"{top(items, lambda x: f'+{num(x)} MW')}")


ROWS = {"c_capacity": Soft(_weight, _describe)}
