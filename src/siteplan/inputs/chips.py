"""Accelerator supply: how many units of each hardware class the plan's fleet may hold.

hardware_supply.csv gives the units delivered per (hardware, year). With
``policy.chip_supply`` the fleet of planning year Y is at most what was delivered in the
hardware's lifetime before it, the years Y - lifetime_years < year <= Y (older units have
retired); a class without rows is not capped.
Scenario keys replace the dataset's cap: ``policy.hardware.<id>.max_units`` (units), and
``policy.exclude_hardware`` (cap 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siteplan.config.schema import Scenario
from siteplan.inputs.load import Inputs


def fleet_cap_units(scenario: Scenario, inputs: Inputs, hw_df: pd.DataFrame) -> np.ndarray:
    """(H,) accelerators the fleet of ``scenario.year`` may hold, in ``hw_df`` order; inf = no
    cap."""
    supply = inputs["hardware_supply"] if scenario.policy.chip_supply else pd.DataFrame()
    year = scenario.year
    out = np.full(len(hw_df), np.inf)
    for i, (h, life) in enumerate(zip(hw_df["hardware"], hw_df["lifetime_years"], strict=True)):
        rows = supply[supply["hardware"] == h] if not supply.empty else supply
        if len(rows):
            window = (rows["year"] <= year) & (rows["year"] > year - float(life))
            out[i] = float(rows.loc[window, "max_units"].sum())
        given = scenario.policy.hardware.get(h)
        if given is not None and given.max_units is not None:
            out[i] = float(given.max_units)
        if h in scenario.policy.exclude_hardware:
            out[i] = 0.0
    return out


def lead_time_months(inputs: Inputs, hw_df: pd.DataFrame, year: int) -> np.ndarray:
    """(H,) the delivery lead time of ``year``'s row (NaN where none is given)."""
    supply = inputs["hardware_supply"]
    out = np.full(len(hw_df), np.nan)
    if supply.empty:
        return out
    for i, h in enumerate(hw_df["hardware"]):
        row = supply[(supply["hardware"] == h) & (supply["year"] == year)]
        if len(row) and pd.notna(row["lead_time_months"].iloc[0]):
            out[i] = float(row["lead_time_months"].iloc[0])
    return out
