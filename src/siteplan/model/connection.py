"""Family 4c, grid connection by voltage tier (grid_tiers.csv): an option pays the connection
its site power needs.

Tiers i = 1..N (by MW): the connection of tier i costs C_i per year and carries up to M_i MW of
site power, so the true cost is a step, C_i for power in (M_{i-1}, M_i]. The model charges the
tightest convex function below that step (its lower convex hull through (0, C_1) and every
(M_i, C_i)), with the opening binary as the fixed charge:
    P[s]        = pue[s] sum_h cap[s,h]                                    (MW of site power)
    conn[s]    >= a_j open[s] + b_j P[s]     for each hull piece j         (c_connection_tier)
(conn[s] is held in units of C_1, so the row's coefficients are near 1, not near C_1.)
It equals C_i at each tier's top M_i (a site sized to a tier pays exactly that tier) and lies
below the step between them (a site just above M_i pays a share of the next tier's extra
cost, not all of it); beyond M_N the last piece continues (more connections at its marginal
cost). Why not a binary per tier: the step is not convex, so its LP relaxation would be
weak, and the solve fixes only the opening binaries (relax and fix, solve.py); the hull
keeps the model's binaries as they are (docs/model.md, family 4c). ``sites.csv
grid_tier_kv`` reports the tier each opened option's power needs, and the summary's
``connection_step_extra`` what the steps would charge on top of the hull for the plan.

Cost: connection conn[s] (on top of locations.csv's fixed and linear connection costs).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard
from siteplan.model.siting import caps_of_site

NAME = "connection"


def hull(tiers: np.ndarray) -> list[tuple[float, float]]:
    """(intercept a, slope b) of each piece of the lower convex hull of the tier step through
    (0, C_1) and every (M_i, C_i); ``tiers`` (N, 3) rows (kV, M_i, C_i) sorted by M_i."""
    points = [(0.0, float(tiers[0, 2])), *((float(m), float(c)) for _kv, m, c in tiers)]
    lower: list[tuple[float, float]] = []
    for p in points:  # monotone chain, lower hull (points sorted by x)
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        if lower and p[0] == lower[-1][0]:
            lower[-1] = min(lower[-1], p, key=lambda q: q[1])
            continue
        lower.append(p)
    pieces = []
    for (x0, y0), (x1, y1) in zip(lower, lower[1:], strict=False):
        b = (y1 - y0) / (x1 - x0)
        pieces.append((y0 - b * x0, b))
    return pieces or [(float(tiers[0, 2]), 0.0)]


def _cross(o, a, b) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def tier_of(tiers: np.ndarray, site_mw: float) -> float:
    """kV of the smallest tier whose max MW holds ``site_mw`` (the largest beyond them all;
    NaN for no power)."""
    if site_mw <= 1e-9 or not len(tiers):
        return float("nan")
    fits = np.flatnonzero(tiers[:, 1] >= site_mw - 1e-6)
    return float(tiers[fits[0] if len(fits) else -1, 0])


def step_minus_hull(tiers: np.ndarray, site_mw: float) -> float:
    """currency/yr the tier step charges above the hull at ``site_mw`` MW of site power (0
    without power; beyond the last tier, the step is taken as the hull)."""
    if site_mw <= 1e-9 or not len(tiers):
        return 0.0
    fits = np.flatnonzero(tiers[:, 1] >= site_mw - 1e-6)
    charged = max(a + b * site_mw for a, b in hull(tiers))
    return max(float(tiers[fits[0], 2]) - charged, 0.0) if len(fits) else 0.0


def add(ctx: BuildContext) -> None:
    m, d = ctx.block, ctx.data
    on = applies(d)
    n_s = len(d.sites) if on else 0
    m.v_connection = pyo.Var(range(n_s), domain=pyo.NonNegativeReals)
    rows = []
    if on:
        pieces = hull(d.connection_tiers)
        unit = float(d.connection_tiers[0, 2]) or 1.0  # conn in units of the first tier's cost
        caps = caps_of_site(ctx)
        for s in range(n_s):
            power = [m.v_cap_mw[j] for j in caps[s]]
            pue = float(d.site_pue[s])
            for a, b in pieces:
                rows.append(lin([1.0, -a / unit, *([-b * pue / unit] * len(power))],
                                [m.v_connection[s], m.v_open[s], *power]) >= 0)
            ctx.costs.add("connection", [unit], [m.v_connection[s]], sites=[s])
    indexed_constraint(m, "c_connection_tier", rows)


def applies(d: ModelData) -> bool:
    return len(d.connection_tiers) > 0


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


ROWS = {"c_connection_tier": Hard("bookkeeping: the connection cost of an option's power")}
