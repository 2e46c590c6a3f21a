"""Family 15, chip supply: the fleet of each capped hardware class is at most its supply.

For every hardware class h with a cap (hardware_supply.csv deliveries over its lifetime,
``policy.hardware.<id>.max_units``, ``policy.exclude_hardware``; inputs/chips.py):
    sum_s cap[s,h] <= max_units[h] x kw_per_unit[h] / 1000                    (MW-IT)
The plan holds sum_s cap[s,h] x 1000 / kw_per_unit[h] units of h. The row's dual, per unit,
is what one more accelerator of h would save a year (currency per unit-year): the value of
relaxing an import quota or a domestic output limit (results/chips.py).
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Soft, num, per_unit, top

NAME = "chip supply"
KW_PER_MW = 1000.0


def units_per_mw(d: ModelData) -> np.ndarray:
    """(H,) accelerators per MW-IT of each hardware class."""
    return KW_PER_MW / d.hw_kw_per_unit


def capped(d: ModelData) -> np.ndarray:
    """Hardware classes with a finite cap, in hardware.csv order."""
    caps = np.asarray(d.hw_max_units, dtype=float)
    return np.flatnonzero(np.isfinite(caps)) if len(caps) else np.zeros(0, int)


def applies(d: ModelData) -> bool:
    return len(capped(d)) > 0


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    rows, hws = [], []
    for h in capped(d):
        cols = [j for j, (_s, hh) in enumerate(L.site_hw) if hh == h]
        if not cols:  # the class serves no workload: it has no capacity to cap
            continue
        cap_mw = float(d.hw_max_units[h]) / units_per_mw(d)[h]
        rows.append(lin([1.0] * len(cols), [m.v_cap_mw[j] for j in cols]) <= cap_mw)
        hws.append(int(h))
    indexed_constraint(m, "c_chip_supply", rows)
    ctx.handles[NAME] = hws  # the hardware class of each row


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``chip_units`` (H,): accelerators of each class in the plan."""
    d, L = ctx.data, ctx.layout
    caps = res.values(ctx.block.v_cap_mw)
    mw = np.zeros(len(d.hardware))
    for j, (_s, h) in enumerate(L.site_hw):
        mw[h] += caps[j]
    return {"chip_units": mw * units_per_mw(d)}


def _weight(ctx: BuildContext, sc, n: int) -> np.ndarray:
    return per_unit(n, 1.0 / sc.need_mw)


def _describe(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    per_mw = units_per_mw(d)
    items = [(f"{d.hardware[h]} (cap {num(d.hw_max_units[h])} units)", float(x) * per_mw[h])
             for h, x in zip(ctx.handle(NAME), v, strict=True)]
    return (f"chip supply must give: the plan needs more accelerators than supplied: "
            f"{top(items, lambda x: f'+{num(x)} units')}")


ROWS = {"c_chip_supply": Soft(_weight, _describe)}
