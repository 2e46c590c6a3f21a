"""A pathway's inputs: one :class:`ModelData` per modelled year, on common site and hardware
sets, plus the year weights and the existing capacity (docs/model.md, family 12).

Each modelled year y_i stands for the calendar years up to the next one (the last for itself):
span_i = y_{i+1} - y_i. Its annual cost is weighted by the discounted years it stands for,
weight_i = sum_{c = y_i}^{y_i + span_i - 1} (1 + r)^-(c - y_0), so the objective is the net
present cost at y_0 of the annual costs over the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from siteplan.config.schema import Scenario
from siteplan.inputs.derive import ModelData, derive
from siteplan.inputs.load import Inputs, load_inputs


@dataclass(frozen=True)
class PathwayData:
    years: list[int]
    span_years: np.ndarray  # (Y,) calendar years each modelled year stands for
    weight: np.ndarray  # (Y,) discounted years (present value at years[0] of 1/yr)
    data: list[ModelData]  # (Y,) same sites, hardware and locations in every year
    facility_lifetime_years: float
    # existing_capacity.csv rows on the pathway's indices
    existing_site: np.ndarray
    existing_hw: np.ndarray
    existing_mw: np.ndarray
    existing_build_year: np.ndarray
    excluded: pd.DataFrame  # options each year's policy excludes, with a year column


def year_weights(years: list[int], rate: float) -> tuple[np.ndarray, np.ndarray]:
    """(span, weight) of each modelled year; see the module docstring."""
    span = np.diff(np.array([*years, years[-1] + 1], dtype=float))
    weight = np.array([
        sum((1.0 + rate) ** -(c - years[0]) for c in range(y, y + int(n)))
        for y, n in zip(years, span, strict=True)
    ])
    return span, weight


def derive_pathway(scenario: Scenario, inputs: Inputs | None = None) -> PathwayData:
    """Per-year model data: options admitted in any year are kept in every year."""
    inputs = inputs if inputs is not None else load_inputs(scenario.dataset, scenario)
    per_year = [scenario.for_year(y) for y in scenario.years]
    admitted: set[str] = set()
    excluded = []
    for year, sc in zip(scenario.years, per_year, strict=True):
        alone = derive(sc, inputs, keep_sites=())
        admitted |= set(alone.sites)
        excluded.append(alone.excluded.assign(year=year))
    data = [derive(sc, inputs, keep_sites=admitted) for sc in per_year]
    d0 = data[0]
    ex = inputs["existing_capacity"]
    s_of = {s: i for i, s in enumerate(d0.sites)}
    h_of = {h: i for i, h in enumerate(d0.hardware)}
    ex = ex[ex["site"].isin(s_of)]  # options no year admits hold nothing the plan can use
    span, weight = year_weights(scenario.years, scenario.finance.discount_rate)
    return PathwayData(
        years=list(scenario.years), span_years=span, weight=weight, data=data,
        facility_lifetime_years=float(scenario.pathway.facility_lifetime_years),
        existing_site=ex["site"].map(s_of).to_numpy(int),
        existing_hw=ex["hardware"].map(h_of).to_numpy(int),
        existing_mw=ex["mw"].to_numpy(float),
        existing_build_year=ex["build_year"].to_numpy(int),
        excluded=pd.concat(excluded, ignore_index=True),
    )
