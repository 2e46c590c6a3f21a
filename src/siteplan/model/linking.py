"""Family 13, strong linking: a route carries work only if a site at its location is open.

The capacity rows link flows to open[s] only through MW (flow <= thr x cap <= thr x max_mw x
open), so the LP relaxation may open a location by the sliver of its capacity that it uses
and pay that sliver of the fixed cost. The textbook facility-location cut ("x_ij <= d_j y_i")
closes that gap. Per route q = (group g, location l), with O_l = sum_{s at l} open[s]:

    time-fixed classes, per slice t:   x[q,t] <= demand[g,t] O_l                 (Mtok/h)
    shiftable classes, per day d:      y[q,d] <= mean_{t in d} demand[g,t] O_l    (Mtok/h)

Both are implied by the demand balance when O_l is 1 and by the flow being 0 when it is 0,
so they cut off fractional openings only and leave every integer plan (and the MIP optimum)
as it is. They are added only where they tighten:
- integer siting (``solver.integer_sites``); with open[s] continuous they would change the
  LP's optimum, not just its relaxation;
- the location has no option open in advance (existing capacity fixes open[s] = 1);
- the demand bound is below what the location can process at all (largest max_mw of its
  options x the utilisation ceiling x the best throughput), where the capacity rows already
  give the same link.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.demand import daily_mean
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.layout import Layout


def location_flow_cap(d: ModelData, L: Layout, loc: int, k: int) -> float:
    """The most Mtok/h of class k location ``loc`` can process (any option, full build)."""
    sites = L.sites_of_location.get(loc, np.zeros(0, int))
    if len(sites) == 0:
        return 0.0
    return float(d.site_max_mw[sites].max() * d.policy.utilisation_max * d.thr[:, k].max())


def add(m: pyo.Block, d: ModelData, L: Layout) -> None:
    rows: list = []
    keys: list[tuple[int, int]] = []  # (route, slice or day)
    if d.solver.integer_sites:
        T, D = L.n_t, L.n_d
        dem = L.group_demand
        mean = daily_mean(d, L, dem) if D else np.zeros((len(dem), 0))
        x, y = m.v_serve_mtok_h, m.v_serve_daily_mtok_h
        for q in range(len(L.route_group)):
            loc, g = int(L.route_location[q]), int(L.route_group[q])
            sites = L.sites_of_location.get(loc, np.zeros(0, int))
            if len(sites) == 0 or any(m.v_open[s].fixed for s in sites):
                continue
            opens = [m.v_open[int(s)] for s in sites]
            cap = location_flow_cap(d, L, loc, int(L.group_workload[g]))
            j = int(L.route_pos[q])
            if L.route_shiftable[q]:
                bounds, flows = mean[g], [y[j * D + day] for day in range(D)]
            else:
                bounds, flows = dem[g], [x[j * T + t] for t in range(T)]
            for i, (b, v) in enumerate(zip(bounds, flows, strict=True)):
                if 0 < b < cap:
                    rows.append(lin([1.0] + [-float(b)] * len(opens), [v, *opens]) <= 0)
                    keys.append((q, i))
    indexed_constraint(m, "c_strong_link", rows)
    m._strong_link_keys = keys
