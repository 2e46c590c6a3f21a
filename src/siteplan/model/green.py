"""Family 7, green share: renewable energy bought covers a share G of facility energy.

Portfolio:  sum_{l,t} w_t (green[l,t] grid[l,t] + ppa[l,t]) + sum_l gec[l]
              >= G sum_{l,t} w_t (grid[l,t] + ppa[l,t])         (MWh; grid + ppa = pue x it)
Per site (policy.min_site_green_share, or a location's own min_green_share in locations.csv,
the larger of the two): the same inequality at each location (its open site).
Certificates (policy.certificates): gec[l] MWh at a price, gec[l] <= max_share x energy[l].
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, num, per_unit, top
from siteplan.model.power import energy_terms, location_energy_mwh

NAME = "green"


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

    per_site, floored = [], []
    floors = site_floors(d)
    for i, loc in enumerate(locs):
        if floors[loc] > 0:
            c, v = energy_terms(ctx, loc, float(floors[loc]), green_weighted=True)
            extra = [m.v_gec_mwh[i]] if cert else []
            per_site.append(lin(c + [1.0] * len(extra), v + extra) >= 0)
            floored.append(loc)
    indexed_constraint(m, "c_site_green_share", per_site)
    ctx.handles[NAME] = floored  # the location of each c_site_green_share row

    cap = []
    if cert:  # certificates cover a location's own consumption, up to max_share of it
        for i, loc in enumerate(locs):
            c, v = energy_terms(ctx, loc, cert.max_share, green_weighted=False)
            cap.append(lin([-ci for ci in c] + [1.0], v + [gec[i]]) <= 0)
        for i, loc in enumerate(locs):
            ctx.costs.add("certificates", [cert.price_per_mwh], [gec[i]],
                          sites=L.sites_of_location[loc])
    indexed_constraint(m, "c_certificate_cap", cap)


def site_floors(d: ModelData) -> np.ndarray:
    """(L,) green share each location's energy must reach: the policy's per-site floor or the
    location's own (locations.csv min_green_share), the larger."""
    own = d.location_min_green_share if len(d.location_min_green_share) else np.zeros(
        len(d.locations))
    return np.maximum(own, d.policy.min_site_green_share)


def applies(d: ModelData) -> bool:
    p = d.policy
    return (p.min_green_share > 0 or bool((site_floors(d) > 0).any())
            or p.certificates is not None)


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``gec_mwh`` (all locations,): certificates bought."""
    out = np.zeros(len(ctx.data.locations))
    if len(ctx.block.v_gec_mwh):
        out[ctx.layout.active_locations] = res.values(ctx.block.v_gec_mwh)
    return {"gec_mwh": out}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return per_unit(n, 1.0 / sc.energy_mwh)


def _describe_share(ctx: BuildContext, v: np.ndarray, res) -> str:
    total = sum(location_energy_mwh(ctx, res).values())
    share = ctx.data.policy.min_green_share
    pts = float(v.sum()) / total if total > 0 else share
    return (f"green share must give: policy.min_green_share {share:.1%} must fall by "
            f"{pts * 100:.3g} percentage points (to {max(share - pts, 0):.1%}); "
            f"{num(float(v.sum()))} MWh a year of green energy is missing")


def _describe_site_share(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    per = location_energy_mwh(ctx, res)
    floors = site_floors(d)
    items = []
    for loc, x in zip(ctx.handle(NAME), v, strict=True):
        if x > 0:
            e = per.get(loc, 0.0)
            items.append((d.locations[loc], (float(x) / e * 100) if e > 0 else 100.0))
    shown = sorted({f"{floors[loc]:.1%}" for loc in ctx.handle(NAME)})
    return (f"site green share must give: the per-site floor {' / '.join(shown)} "
            f"(policy.min_site_green_share, or a location's min_green_share) must fall at: "
            f"{top(items, lambda x: f'-{x:.3g} pts')}")


def _describe_certificates(ctx: BuildContext, v: np.ndarray, res) -> str:
    total = sum(location_energy_mwh(ctx, res).values())
    pts = float(v.sum()) / total * 100 if total > 0 else 0.0
    cert = ctx.data.policy.certificates
    cap = cert.max_share if cert else 0.0
    return (f"certificate cap must give: policy.certificates.max_share {cap:.1%} must rise by "
            f"{pts:.3g} percentage points ({num(float(v.sum()))} MWh of certificates)")


ROWS = {
    "c_green_share": Soft(_weight, _describe_share),
    "c_site_green_share": Soft(_weight, _describe_site_share),
    "c_certificate_cap": Soft(_weight, _describe_certificates),
}
