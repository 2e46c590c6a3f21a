"""The scenario schema: every key a scenario YAML may hold, with units and defaults.

Unknown keys are rejected (``extra="forbid"``); :mod:`siteplan.config.load` turns pydantic's
errors into one-line messages with a did-you-mean suggestion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Demand(_Strict):
    """Scaling of the dataset's demand.csv (dimensionless multipliers)."""

    scale: float = Field(1.0, ge=0, description="multiplier on all demand")
    workload_scale: dict[str, float] = Field(default_factory=dict, description="per workload id")
    region_scale: dict[str, float] = Field(default_factory=dict, description="per region id")


class Prices(_Strict):
    """Multipliers on electricity prices (e.g. a western price shock: zone_scale: {west: 1.3})."""

    scale: float = Field(1.0, ge=0)
    zone_scale: dict[str, float] = Field(default_factory=dict)
    region_scale: dict[str, float] = Field(default_factory=dict)


class Certificates(_Strict):
    """Green electricity certificates (GEC) that count toward the green share."""

    price_per_mwh: float = Field(ge=0, description="currency per MWh of certificates")
    max_share: float = Field(1.0, ge=0, le=1, description="cap as share of total facility energy")


class Policy(_Strict):
    """Planning policy. Shares are fractions in [0, 1]."""

    min_green_share: float = Field(0.0, ge=0, le=1, description="portfolio green share floor")
    min_site_green_share: float = Field(0.0, ge=0, le=1, description="per open site floor")
    pue_cap: dict[str, float] = Field(
        default_factory=dict, description="PUE cap by zone, e.g. {east: 1.25, west: 1.2}"
    )
    utilisation_min: float = Field(0.0, ge=0, le=1, description="annual mean floor per site")
    utilisation_max: float = Field(1.0, gt=0, le=1, description="ceiling in every slice")
    carbon_price_per_t: float = Field(0.0, ge=0, description="currency per tCO2")
    carbon_cap_t: float | None = Field(None, ge=0, description="annual tCO2 cap")
    unserved_cost_per_mtok: float | None = Field(
        None, ge=0, description="value of unserved demand; null means demand must be served"
    )
    single_sourcing: bool = Field(False, description="each region's class served by one site")
    max_site_share: float | None = Field(
        None, gt=0, le=1, description="max share of one class's national demand at one site"
    )
    exclude_zones: list[str] = Field(default_factory=list, description="zones not allowed")
    exclude_locations: list[str] = Field(default_factory=list, description="locations not allowed")
    certificates: Certificates | None = None

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> Policy:
        if self.utilisation_min > self.utilisation_max:
            raise ValueError(
                f"utilisation_min ({self.utilisation_min}) must not exceed "
                f"utilisation_max ({self.utilisation_max})"
            )
        for zone, cap in self.pue_cap.items():
            if cap < 1.0:
                raise ValueError(f"pue_cap.{zone} must be >= 1.0, got {cap}")
        return self


class Time(_Strict):
    """Time resolution: consecutive hours of each representative day merged into one slice."""

    hours_per_slice: int = Field(1, ge=1, le=24)


class Network(_Strict):
    """Distance model used where network.csv gives no latency or cost."""

    route_factor: float = Field(1.5, ge=1.0, description="fibre route km / great-circle km")
    overhead_ms: float = Field(4.0, ge=0, description="fixed round-trip overhead, ms")
    cost_per_mtok_per_1000km: float = Field(0.0, ge=0, description="currency per Mtok per 1000 km")


class Finance(_Strict):
    discount_rate: float = Field(0.08, ge=0, le=1, description="for annualising capital costs")


class Solver(_Strict):
    """HiGHS options. Times in seconds; the gap is relative."""

    time_limit_s: float = Field(300.0, gt=0)
    mip_rel_gap: float = Field(1e-4, ge=0, le=1)
    threads: int = Field(1, ge=1)
    seed: int = Field(0, ge=0)
    integer_sites: bool = Field(True, description="open[s] binary (false: LP relaxation)")


class Scenario(_Strict):
    """A validated, frozen planning scenario."""

    name: str = Field(min_length=1)
    description: str = ""
    dataset: Path = Field(description="dataset folder, relative to the scenario file")
    currency: str = "CNY"
    objective: Literal["cost", "emissions"] = "cost"
    demand: Demand = Field(default_factory=Demand)
    prices: Prices = Field(default_factory=Prices)
    policy: Policy = Field(default_factory=Policy)
    time: Time = Field(default_factory=Time)
    network: Network = Field(default_factory=Network)
    finance: Finance = Field(default_factory=Finance)
    solver: Solver = Field(default_factory=Solver)
    source: Path | None = Field(None, description="the YAML file (set by the loader)")
