"""Family 7, green share: renewable energy bought covers a share G of facility energy.

Portfolio:  sum_{s,t} w_t (green[s,t] grid[s,t] + ppa[s,t]) + sum_s gec[s]
              >= G sum_{s,t} w_t (grid[s,t] + ppa[s,t])          (MWh; grid + ppa = pue x it)
Per site (policy.min_site_green_share): the same inequality for each site.
Certificates (policy.certificates): gec[s] MWh at a price, sum_s gec[s] <= max_share x energy.
"""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.costs import add_cost
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout
from siteplan.model.power import energy_terms


def add(m: pyo.ConcreteModel, d: ModelData, L: Layout) -> None:
    pol = d.policy
    n_s = len(d.sites)
    cert = pol.certificates
    m.v_gec_mwh = pyo.Var(range(n_s if cert else 0), domain=pyo.NonNegativeReals)
    gec = list(m.v_gec_mwh.values())

    portfolio = []
    if pol.min_green_share > 0:
        coefs, vs = [], []
        for s in range(n_s):
            c, v = energy_terms(m, d, L, s, pol.min_green_share, green_weighted=True)
            coefs += c
            vs += v
        portfolio.append(lin(coefs + [1.0] * len(gec), vs + gec) >= 0)
    indexed_constraint(m, "c_green_share", portfolio)

    per_site = []
    if pol.min_site_green_share > 0:
        for s in range(n_s):
            c, v = energy_terms(m, d, L, s, pol.min_site_green_share, green_weighted=True)
            extra = [m.v_gec_mwh[s]] if cert else []
            per_site.append(lin(c + [1.0] * len(extra), v + extra) >= 0)
    indexed_constraint(m, "c_site_green_share", per_site)

    cap = []
    if cert:
        coefs, vs = [], []
        for s in range(n_s):
            c, v = energy_terms(m, d, L, s, cert.max_share, green_weighted=False)
            coefs += [-ci for ci in c]
            vs += v
        cap.append(lin(coefs + [1.0] * n_s, vs + gec) <= 0)
        add_cost(m, "certificates", lin([cert.price_per_mwh] * n_s, gec))
    indexed_constraint(m, "c_certificate_cap", cap)
