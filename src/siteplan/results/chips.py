"""Accelerators in a plan: units per hardware class, their cap and the shadow price of a cap.

The shadow price of one more unit of a capped class is minus the dual of its supply row
(model/chips.py, currency per MW-IT a year) x the MW-IT of one unit: what the plan would save
a year with one more accelerator of that class (0 when the cap does not bind). A pathway
year's dual is divided by the year's objective weight, so it is per unit and per year too.
"""

from __future__ import annotations

import numpy as np

from siteplan.model.chips import NAME, units_per_mw
from siteplan.model.context import BuildContext
from siteplan.solve import SolveResult


def chip_summary(ctx: BuildContext, res: SolveResult, units: np.ndarray,
                 cost_weight: float = 1.0) -> dict[str, float]:
    """``units_<hw>`` for every class; ``max_units_<hw>`` and ``chip_shadow_price_<hw>``
    (currency per unit-year; NaN without duals) for the capped ones."""
    d = ctx.data
    out = {f"units_{h}": float(u) for h, u in zip(d.hardware, units, strict=True)}
    rows = ctx.handles.get(NAME, [])
    duals = res.duals(ctx.block.c_chip_supply) if rows else None
    for i, h in enumerate(rows):
        out[f"max_units_{d.hardware[h]}"] = float(d.hw_max_units[h])
        price = np.nan if duals is None else -float(duals[i]) / units_per_mw(d)[h] / cost_weight
        out[f"chip_shadow_price_{d.hardware[h]}"] = price + 0.0  # no -0.0
    return out
