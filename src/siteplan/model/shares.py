"""Family 8e, share caps: no location, province or grid region holds more than a set share of
the national IT capacity (``policy.max_share``).

    total = sum_{s,h} cap[s,h]                                               (c_total_mw)
    sum_{s in place P} sum_h cap[s,h] <= share_level x total       (MW-IT, c_max_share)
for every place P of each capped level (location, province = region of regions.csv, grid
region = regions.csv grid_region). Shares of MW-IT built, all classes together: MW is what a
failure or a grid fault takes out, and MW of different classes add up where tokens do not.
With integer siting, demand that must be served and solver.strong_links, a cut:
    sum_s open[s] >= ceil(1 / min share)                                    (c_share_count)
A row with the same options as a row already written under a cap as tight or tighter is
left out (a province of one location under a location cap at or below the province cap).
Standby MW elsewhere lowers a place's share: that is intended (a loss there takes out no
more than the share of the fleet), and it costs capital, so the model adds it only when it
is cheaper than moving work.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard, Soft, num, top

NAME = "share caps"
LEVELS = ("location", "province", "grid_region")


def applies(d: ModelData) -> bool:
    ms = d.policy.max_share
    return ms is not None and any(getattr(ms, lv) is not None for lv in LEVELS)


def place_of_location(d: ModelData, level: str) -> np.ndarray:
    """(L,) the place id of each location at ``level``."""
    if level == "location":
        return np.array(d.locations, dtype=object)
    regions = np.array(d.regions, dtype=object)[d.location_region]
    if level == "province":
        return regions
    grid = d.region_grid if d.region_grid is not None else np.full(len(d.regions), "", object)
    return grid[d.location_region]


def places(d: ModelData) -> list[tuple[str, str, float, np.ndarray]]:
    """(level, place id, share, site options) of every row, tightest first per member set."""
    ms = d.policy.max_share
    if ms is None:
        return []
    out, seen = [], {}
    for level in LEVELS:
        share = getattr(ms, level)
        if share is None:
            continue
        place = place_of_location(d, level)[d.site_location]
        for p in sorted(set(place)):
            members = np.flatnonzero(place == p)
            key = tuple(members.tolist())
            if key in seen and seen[key] <= share:
                continue  # the same options under a tighter or equal cap already
            seen[key] = share
            out.append((level, str(p), float(share), members))
    return out


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    caps = m.v_cap_mw
    rows, keys = [], []
    rows_of = places(d)
    m.v_total_mw = pyo.Var(range(1 if rows_of else 0), domain=pyo.NonNegativeReals)
    n = len(L.site_hw)
    total = []
    if rows_of:  # total[0] = national MW-IT, so each cap row names only its place's columns
        total.append(lin([1.0] + [-1.0] * n, [m.v_total_mw[0], *(caps[j] for j in range(n))])
                     == 0)
    indexed_constraint(m, "c_total_mw", total)
    site_of = np.array([s for s, _h in L.site_hw], dtype=int)
    for level, p, share, members in rows_of:
        cols = np.flatnonzero(np.isin(site_of, members))
        rows.append(lin([1.0] * len(cols) + [-share],
                        [*(caps[j] for j in cols), m.v_total_mw[0]]) <= 0)
        keys.append((level, p, share))
    indexed_constraint(m, "c_max_share", rows)
    ctx.handles[NAME] = keys
    indexed_constraint(m, "c_share_count", _count_cut(ctx, rows_of))


def _count_cut(ctx: BuildContext, rows_of) -> list:
    """If demand must be served, something is built, and each place holds at most its share,
    so at least ceil(1 / smallest share) locations open. Valid for every integer plan; it
    makes the relaxation pay their fixed costs (as linking.py does). Left out where fewer
    locations can hold capacity (the caps cannot hold; the elastic re-solve says so)."""
    m, d = ctx.block, ctx.data
    if not (rows_of and d.solver.integer_sites and d.solver.strong_links
            and d.policy.unserved_cost_per_mtok is None and d.demand.sum() > 0):
        return []
    need = math.ceil(1.0 / min(share for _l, _p, share, _m in rows_of) - 1e-9)
    able = {int(d.site_location[s]) for s in range(len(d.sites)) if d.site_max_mw[s] > 0}
    if len(able) < need:
        return []
    return [lin([1.0] * len(d.sites), [m.v_open[s] for s in range(len(d.sites))]) >= need]


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return np.full(n, 1.0 / max(sc.need_mw, 1e-9))


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    items: dict[str, list[tuple[str, float]]] = {}
    for (level, p, _share), x in zip(ctx.handle(NAME), v, strict=True):
        items.setdefault(level, []).append((p, float(x)))
    parts = [f"policy.max_share.{level} (MW-IT above the cap at {top(it, num)})"
             for level, it in items.items() if any(x > 0 for _p, x in it)]
    return ("share caps must give: " + "; ".join(parts) + " — raise the cap or allow more "
            "places (exclusions, max_mw, latency limits)")


ROWS = {"c_share_count": Hard("a cut valid for every integer plan that builds something: "
                               "at least 1 / share locations open"),
        "c_total_mw": Hard("bookkeeping: national MW-IT is the sum of every option's"),
        "c_max_share": Soft(_weight, _describe)}
