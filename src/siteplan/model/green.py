"""Family 7, green share: renewable energy bought covers a share G of facility energy.

Portfolio:  sum_{l,t} w_t (green[l,t] grid[l,t] + ppa[l,t]) + sum_l gec[l]
              >= G sum_{l,t} w_t (grid[l,t] + ppa[l,t])         (MWh; grid + ppa = pue x it)
Per site (policy.min_site_green_share): the same inequality at each location (its open site).
Certificates (policy.certificates): gec[l] MWh at a price, gec[l] <= max_share x energy[l].
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.power import energy_terms


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    pol = d.policy
    locs = [int(v) for v in L.active_locations]
    cert = pol.certificates
    m.v_gec_mwh = pyo.Var(range(len(locs) if cert else 0), domain=pyo.NonNegativeReals)
    gec = list(m.v_gec_mwh.values())

    portfolio = []
    if pol.min_green_share > 0:
        coefs, vs = [], []
        for loc in locs:
            c, v = energy_terms(ctx, loc, pol.min_green_share, green_weighted=True)
            coefs += c
            vs += v
        portfolio.append(lin(coefs + [1.0] * len(gec), vs + gec) >= 0)
    indexed_constraint(m, "c_green_share", portfolio)

    per_site = []
    if pol.min_site_green_share > 0:
        for i, loc in enumerate(locs):
            c, v = energy_terms(ctx, loc, pol.min_site_green_share, green_weighted=True)
            extra = [m.v_gec_mwh[i]] if cert else []
            per_site.append(lin(c + [1.0] * len(extra), v + extra) >= 0)
    indexed_constraint(m, "c_site_green_share", per_site)

    cap = []
    if cert:  # certificates cover a location's own consumption, up to max_share of it
        for i, loc in enumerate(locs):
            c, v = energy_terms(ctx, loc, cert.max_share, green_weighted=False)
            cap.append(lin([-ci for ci in c] + [1.0], v + [gec[i]]) <= 0)
        for i, loc in enumerate(locs):
            ctx.costs.add("certificates", [cert.price_per_mwh], [gec[i]],
                          sites=L.sites_of_location[loc])
    indexed_constraint(m, "c_certificate_cap", cap)
