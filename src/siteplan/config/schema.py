"""The scenario schema: every key a scenario YAML may hold, with units and defaults.

Unknown keys are rejected (``extra="forbid"``); :mod:`siteplan.config.load` turns pydantic's
errors into one-line messages with a did-you-mean suggestion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator


def _not_bool(value: object) -> object:
    # YAML reads yes/no/on/off as booleans; a boolean is never a number here
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {str(value).lower()}")
    return value


def _not_number(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"expected text, got the number {value!r}")
    return value


def _path_text(value: object) -> object:
    if not isinstance(value, str | Path):
        raise ValueError(f"expected a folder path as text, got {type(value).__name__} {value!r}")
    if isinstance(value, str) and not value.strip():
        raise ValueError("expected a folder path, got an empty string")
    return value


Num = Annotated[float, BeforeValidator(_not_bool)]
Int = Annotated[int, BeforeValidator(_not_bool)]
Text = Annotated[str, BeforeValidator(_not_number)]
Multiplier = Annotated[float, BeforeValidator(_not_bool), Field(ge=0)]


class _Strict(BaseModel):
    # NaN and infinity are never valid scenario numbers
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Demand(_Strict):
    """Scaling of the dataset's demand.csv (dimensionless multipliers)."""

    scale: Num = Field(1.0, ge=0, description="multiplier on all demand")
    workload_scale: dict[str, Multiplier] = Field(default_factory=dict,
                                                  description="per workload id")
    region_scale: dict[str, Multiplier] = Field(default_factory=dict, description="per region id")


class Prices(_Strict):
    """Multipliers on electricity prices (e.g. a western price shock: zone_scale: {west: 1.3})."""

    scale: Num = Field(1.0, ge=0)
    zone_scale: dict[str, Multiplier] = Field(default_factory=dict)
    region_scale: dict[str, Multiplier] = Field(default_factory=dict)


class Certificates(_Strict):
    """Green electricity certificates (GEC) that count toward the green share."""

    price_per_mwh: Num = Field(ge=0, description="currency per MWh of certificates")
    max_share: Num = Field(1.0, ge=0, le=1, description="cap as share of total facility energy")


class Policy(_Strict):
    """Planning policy. Shares are fractions in [0, 1]."""

    min_green_share: Num = Field(0.0, ge=0, le=1, description="portfolio green share floor")
    min_site_green_share: Num = Field(0.0, ge=0, le=1, description="per open site floor")
    pue_cap: dict[str, Annotated[Num, Field(ge=1.0)]] = Field(
        default_factory=dict, description="PUE cap by zone, e.g. {east: 1.25, west: 1.2}"
    )
    utilisation_min: Num = Field(0.0, ge=0, le=1, description="annual mean floor per site")
    utilisation_max: Num = Field(1.0, gt=0, le=1, description="ceiling in every slice")
    carbon_price_per_t: Num = Field(0.0, ge=0, description="currency per tCO2")
    carbon_cap_t: Num | None = Field(None, ge=0, description="annual tCO2 cap")
    unserved_cost_per_mtok: Num | None = Field(
        None, ge=0, description="value of unserved demand; null means demand must be served"
    )
    single_sourcing: bool = Field(False, description="each region's class served by one site")
    max_site_share: Num | None = Field(
        None, gt=0, le=1, description="max share of one class's national demand at one site"
    )
    exclude_zones: list[Text] = Field(default_factory=list, description="zones not allowed")
    exclude_locations: list[Text] = Field(default_factory=list, description="locations not allowed")
    certificates: Certificates | None = None

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> Policy:
        if self.utilisation_min > self.utilisation_max:
            raise ValueError(
                f"utilisation_min ({self.utilisation_min}) must not exceed "
                f"utilisation_max ({self.utilisation_max})"
            )
        return self


class Time(_Strict):
    """Time resolution: the dataset's days clustered into representative days (optional),
    then consecutive hours of each day merged into one slice."""

    representative_days: Int | None = Field(
        None, ge=1, description="cluster the dataset's days into this many, with weights "
        "(e.g. 365 hourly days into 12); null: every day of the dataset")
    clustering: Literal["hierarchical", "kmeans"] = Field(
        "hierarchical", description="hierarchical: Ward, medoid days; kmeans: mean days")
    hours_per_slice: Int = Field(1, ge=1, le=24)


class Network(_Strict):
    """Distance model used where network.csv gives no latency or cost."""

    route_factor: Num = Field(1.5, ge=1.0, description="fibre route km / great-circle km")
    overhead_ms: Num = Field(4.0, ge=0, description="fixed round-trip overhead, ms")
    cost_per_mtok_per_1000km: Num = Field(0.0, ge=0, description="currency per Mtok per 1000 km")


class Finance(_Strict):
    discount_rate: Num = Field(0.08, ge=0, le=1, description="for annualising capital costs")


class Solver(_Strict):
    """HiGHS options. Times in seconds; the gap is relative."""

    time_limit_s: Num = Field(300.0, gt=0)
    mip_rel_gap: Num = Field(1e-4, ge=0, le=1)
    threads: Int = Field(1, ge=1)
    seed: Int = Field(0, ge=0)
    integer_sites: bool = Field(True, description="open[s] binary (false: LP relaxation)")
    strategy: Literal["auto", "branch-and-bound"] = Field(
        "auto", description="auto: LP bound + relax-and-fix first, branch and bound if needed"
    )


class Scenario(_Strict):
    """A validated, frozen planning scenario."""

    name: Text = Field(min_length=1)
    description: Text = ""
    dataset: Annotated[Path, BeforeValidator(_path_text)] = Field(
        description="dataset folder, relative to the scenario file")
    currency: Text = "CNY"
    objective: Literal["cost", "emissions"] = "cost"
    demand: Demand = Field(default_factory=Demand)
    prices: Prices = Field(default_factory=Prices)
    policy: Policy = Field(default_factory=Policy)
    time: Time = Field(default_factory=Time)
    network: Network = Field(default_factory=Network)
    finance: Finance = Field(default_factory=Finance)
    solver: Solver = Field(default_factory=Solver)
    source: Path | None = Field(None, description="the YAML file (set by the loader)")
    # where each dotted key was set ("file, line N" or "--set K=V"), for messages
    _origin: dict[str, str] = PrivateAttr(default_factory=dict)
