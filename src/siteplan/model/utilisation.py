"""Family 5, utilisation floor: no idle white elephants.

    sum_t w_t sum_{k,h} q[s,k,h,t]/thr[h,k] >= u_min x 8760 x sum_h cap[s,h]     (MWh)
"""

from __future__ import annotations

from siteplan.model.capacity import busy_terms
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.siting import caps_of_site


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
