"""Accelerator supply: how many units of each hardware class the plan's fleet may hold.

hardware_supply.csv gives the units supplied (produced, or allowed in under an import quota)
per (hardware, year) and their order-to-delivery lead time. With ``policy.chip_supply`` the
fleet of planning year Y is at most what has arrived within the hardware's lifetime before
it: units that arrive in year a count for Y - lifetime_years < a <= Y (older units have
retired); a class without rows is not capped.

Lead time: a year's units are ordered at its start (output plans and import quotas are set
per year) and are usable lead_time_months later (blank = 0), from year y + lead / 12; under
the model's annual convention (units arriving during a year serve that year) they count from
year y + floor(lead_time_months / 12): 3 months keeps them in y, 12 to 23 months move them
to y + 1.
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
            arrived = arrival_year(rows)
            window = (arrived <= year) & (arrived > year - float(life))
            out[i] = float(rows["max_units"].to_numpy(float)[window].sum())
        given = scenario.policy.hardware.get(h)
        if given is not None and given.max_units is not None:
            out[i] = float(given.max_units)
        if h in scenario.policy.exclude_hardware:
            out[i] = 0.0
    return out


def arrival_year(rows: pd.DataFrame) -> np.ndarray:
    """The first year each of hardware_supply.csv's ``rows`` serves: its year + whole years
    of its lead time (module docstring)."""
    lead = rows["lead_time_months"].fillna(0.0).to_numpy(float)
    return rows["year"].to_numpy(int) + np.floor(lead / 12.0).astype(int)


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
