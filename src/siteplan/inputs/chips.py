"""Accelerator supply: how many units of each hardware class the plan's fleet may hold.

hardware_supply.csv gives the units supplied (produced, or allowed in under an import quota)
per (hardware, year) and their order-to-delivery lead time. With ``policy.chip_supply`` the
fleet of planning year Y is at most what has arrived within the hardware's lifetime before
it: units that arrive in year a count for Y - lifetime_years < a <= Y (older units have
retired); a class without rows is not capped.

Lead time: a year's units are ordered evenly through the year and arrive lead_time_months
later (blank = 0). With lead l = lead_time_months / 12 years = k + f (k whole years, 0 <= f
< 1), a share 1 - f of year y's units arrives in year y + k and f in y + k + 1: with no lead
time all arrive in y (a year's supply serves that year, the model's annual convention); 3
months put a quarter of them into the next year; 12 months, all.
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
            out[i] = sum(units * share
                         for arrival, units, share in arrivals(rows)
                         if year - float(life) < arrival <= year)
        given = scenario.policy.hardware.get(h)
        if given is not None and given.max_units is not None:
            out[i] = float(given.max_units)
        if h in scenario.policy.exclude_hardware:
            out[i] = 0.0
    return out


def arrivals(rows: pd.DataFrame) -> list[tuple[int, float, float]]:
    """(arrival year, units, share arriving then) of hardware_supply.csv ``rows``: each row
    splits into its year + k and year + k + 1 by its lead time (module docstring)."""
    out = []
    lead = rows["lead_time_months"].fillna(0.0) if "lead_time_months" in rows else \
        pd.Series(0.0, index=rows.index)
    for y, units, months in zip(rows["year"], rows["max_units"], lead, strict=True):
        k, f = divmod(float(months) / 12.0, 1.0)
        out.append((int(y) + int(k), float(units), 1.0 - f))
        if f > 0:
            out.append((int(y) + int(k) + 1, float(units), f))
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
