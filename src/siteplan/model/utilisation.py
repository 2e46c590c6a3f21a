"""Family 5, utilisation floor: no idle white elephants.

    sum_t w_t sum_{k,h} q[s,k,h,t]/thr[h,k] >= u_min x 8760 x sum_h cap[s,h]     (MWh)
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.capacity import busy_terms
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, per_unit, top
from siteplan.model.siting import cap_of_site, caps_of_site

NAME = "utilisation"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    u_min = d.policy.utilisation_min
    rows = []
    if u_min > 0:
        hours = float(d.slice_weight_h.sum())
        for s in range(len(d.sites)):
            coefs, vs = [], []
            for j in caps_of_site(ctx)[s]:
                h = L.site_hw[j][1]
                for t in range(L.n_t):
                    c, v = busy_terms(ctx, s, h, t)
                    coefs += [ci * d.slice_weight_h[t] for ci in c]
                    vs += v
                coefs.append(-u_min * hours)
                vs.append(m.v_cap_mw[j])
            rows.append(lin(coefs, vs) >= 0)
    indexed_constraint(m, "c_utilisation_floor", rows)


def applies(d: ModelData) -> bool:
    return d.policy.utilisation_min > 0


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return per_unit(n, 1.0 / (sc.hours * sc.need_mw))


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    cap = cap_of_site(ctx, res)
    hours = float(d.slice_weight_h.sum())
    u = d.policy.utilisation_min
    items, worst = [], 0.0
    for s, x in enumerate(v):
        if x <= 0:
            continue
        pts = float(x) / (hours * cap[s]) if cap[s] > 0 else u
        worst = max(worst, pts)
        items.append((d.sites[s], pts * 100))
    return (f"utilisation floor must give: policy.utilisation_min {u:.0%} must fall by up to "
            f"{worst * 100:.3g} percentage points (to {max(u - worst, 0):.1%}) at: "
            f"{top(items, lambda x: f'-{x:.3g} pts')}")


ROWS = {"c_utilisation_floor": Soft(_weight, _describe)}
