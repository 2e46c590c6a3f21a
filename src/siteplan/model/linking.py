"""Family 13, strong linking: a route carries work only if a site at its location is open.

The capacity rows link flows to open[s] only through MW (flow <= thr x cap <= thr x max_mw x
open), so the LP relaxation may open a location by the sliver of its capacity that it uses
and pay that sliver of the fixed cost. The textbook facility-location cut ("x_ij <= d_j y_i")
closes that gap. Per route q = (group g, location l), with O_l = sum_{s at l} open[s]:

    time-fixed classes, per day d:     sum_{t in d} w_t x[q,t] <= sum_{t in d} w_t demand[g,t] O_l
                                       (Mtok; per slice t with GRANULARITY = "slice":
                                        x[q,t] <= demand[g,t] O_l, Mtok/h)
    shiftable classes, per day d:      y[q,d] <= mean_{t in d} demand[g,t] O_l    (Mtok/h)

Per day, not per slice, by default: the fixed cost is paid for the year, so what lifts the
relaxation is O_l >= (work routed) / (demand), and a day's total gives nearly all of it with
a fraction of the rows (China 2026: 8 slices a day; per slice the 17k rows made the LP 3.6x
slower for the same bound; benchmarks/linking.py).

Both are implied by the demand balance when O_l is 1 and by the flow being 0 when it is 0,
so they cut off fractional openings only and leave every integer plan (and the MIP optimum)
as it is. They are added only
- with integer siting (``solver.integer_sites``); with open[s] continuous they would change
  the LP's optimum, not just its relaxation; ``solver.strong_links: false`` leaves them out;
- where the location has no option open in advance (existing capacity fixes open[s] = 1),
- and the demand bound is positive.
Where the bound is above what the location can process at all (largest max_mw of its
options x the utilisation ceiling x the best throughput) the row is weaker than the capacity
rows, but it stays (as written: cutting it to the location's reach would restate the
capacity family), so that a sweep over demand keeps the model's shape (one HiGHS model is
re-used while it does, solve.PersistentHighs).
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.demand import daily_mean
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard

NAME = "strong linking"

GRANULARITY = "day"  # or "slice": one row per route and slice for time-fixed classes


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    rows: list = []
    keys: list[tuple[int, int]] = []  # (route, slice or day)
    if d.solver.integer_sites and d.solver.strong_links:
        T, D, w = L.n_t, L.n_d, d.slice_weight_h
        dem = L.group_demand
        mean = daily_mean(d, L, dem) if D else np.zeros((len(dem), 0))
        x, y = m.v_serve_mtok_h, m.v_serve_daily_mtok_h
        for q in range(len(L.route_group)):
            loc, g = int(L.route_location[q]), int(L.route_group[q])
            sites = L.sites_of_location.get(loc, np.zeros(0, int))
            if len(sites) == 0 or any(m.v_open[s].fixed for s in sites):
                continue
            opens = [m.v_open[int(s)] for s in sites]
            j = int(L.route_pos[q])
            if L.route_shiftable[q]:  # (rate bound, [(coef, flow)]) per day
                parts = [(mean[g, day], [(1.0, y[j * D + day])]) for day in range(D)]
            elif GRANULARITY == "slice":
                parts = [(dem[g, t], [(1.0, x[j * T + t])]) for t in range(T)]
            else:  # per day, in Mtok/h of the day's mean: sum_t (w_t / W_d) x[q,t]
                parts = [(mean[g, day], [(w[t] / L.day_hours[day], x[j * T + t]) for t in ts])
                         for day, ts in enumerate(L.day_slices)]
            for i, (b, terms) in enumerate(parts):
                if b > 0:
                    coefs = [c for c, _ in terms] + [-float(b)] * len(opens)
                    rows.append(lin(coefs, [v for _, v in terms] + opens) <= 0)
                    keys.append((q, i))
    indexed_constraint(m, "c_strong_link", rows)
    ctx.handles[NAME] = keys


def applies(d: ModelData) -> bool:
    return bool(d.solver.integer_sites and d.solver.strong_links)


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


ROWS = {"c_strong_link": Hard("implied by the demand rows at every integer plan: a cut that "
                              "tightens the relaxation only")}
