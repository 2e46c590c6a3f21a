"""The scenario schema: every key a scenario YAML may hold, with units and defaults.

Unknown keys are rejected (``extra="forbid"``); :mod:`siteplan.config.load` turns pydantic's
errors into one-line messages with a did-you-mean suggestion.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)


def _not_bool(value: object) -> object:
    # YAML reads yes/no/on/off as booleans; a boolean is never a number here
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {str(value).lower()}")
    return value


def _not_number(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"expected text, got the number {value!r}")
    return value


def _printable(value: object, allowed: str = "") -> object:
    # control characters (written as YAML escapes such as "\x1b") would reach terminals,
    # file names and one-line messages
    if isinstance(value, str):
        bad = next((c for c in value if c not in allowed
                    and (unicodedata.category(c) == "Cc" or c in "\u2028\u2029")), None)
        if bad is not None:
            raise ValueError(f"control character U+{ord(bad):04X} is not allowed; expected "
                             "printable text")
    return value


def _printable_lines(value: object) -> object:
    return _printable(value, allowed="\n\t")


def _path_text(value: object) -> object:
    if not isinstance(value, str | Path):
        raise ValueError(f"expected a folder path as text, got {type(value).__name__} {value!r}")
    if isinstance(value, str) and not value.strip():
        raise ValueError("expected a folder path, got an empty string")
    return value


Num = Annotated[float, BeforeValidator(_not_bool)]
Int = Annotated[int, BeforeValidator(_not_bool)]
Text = Annotated[str, BeforeValidator(_not_number), AfterValidator(_printable)]
Prose = Annotated[str, BeforeValidator(_not_number), AfterValidator(_printable_lines)]
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


class Workload(_Strict):
    """One workload class's settings, replacing its row of the dataset's workloads.csv
    (e.g. ``workloads: {interactive: {latency_ms: 20}}`` or ``--set
    workloads.interactive.latency_ms=20``). Only the keys given replace the row's values;
    ``latency_ms: null`` removes the class's limit."""

    name: Text = Field(None, description="display name")  # type: ignore[assignment]
    latency_ms: Num | None = Field(None, ge=0, le=1e6, description="maximum round-trip "
                                   "network latency region-site, ms (null: no limit)")
    shiftable: bool = Field(None, description="may move within its day")  # type: ignore
    peak_factor: Num = Field(None, ge=1.0, le=1e3,  # type: ignore[assignment]
                             description="shiftable classes: served rate in a slice <= "
                             "peak_factor x the day's mean rate")

    def settings(self) -> dict[str, Any]:
        """The keys the scenario gives (column -> value)."""
        return {k: getattr(self, k) for k in self.model_fields_set}


class Prices(_Strict):
    """Multipliers on grid electricity prices (e.g. a western price shock: zone_scale:
    {west: 1.3}).

    They scale the grid price of each location (its ``price_per_mwh``, or its region's, times
    the time-of-use shape): ``scale`` everywhere, ``zone_scale`` by the location's zone,
    ``region_scale`` by its region; the three multiply. PPA contracts (energy and wheeling)
    have their own multipliers, ``ppa_scale`` and ``ppa_zone_scale``; curtailed energy and
    certificates are not scaled."""

    scale: Num = Field(1.0, ge=0, description="multiplier on every location's grid price")
    zone_scale: dict[str, Multiplier] = Field(
        default_factory=dict, description="per zone id: multiplier on the grid price of the "
        "zone's locations (not PPAs, curtailment or certificates)")
    region_scale: dict[str, Multiplier] = Field(
        default_factory=dict, description="per region id: multiplier on the grid price of the "
        "region's locations")
    ppa_scale: Num = Field(1.0, ge=0, description="multiplier on every PPA's delivered cost "
                           "(contract energy and wheeling charges)")
    ppa_zone_scale: dict[str, Multiplier] = Field(
        default_factory=dict, description="per zone id: multiplier on the delivered cost of "
        "PPAs at the zone's locations")


class Certificates(_Strict):
    """Green electricity certificates (GEC) that count toward the green share."""

    price_per_mwh: Num = Field(ge=0, description="currency per MWh of certificates")
    max_share: Num = Field(1.0, ge=0, le=1, description="cap as share of total facility energy")


class MaxShare(_Strict):
    """Caps on how much of the national IT capacity (MW-IT built, all classes) one place holds.

    Shares of MW, not of tokens: MW is what a failure takes out and what a grid connection
    carries, and MW of different classes add up where tokens of different classes do not."""

    location: Num | None = Field(None, gt=0, le=1, description="max share of national MW-IT "
                                 "at one location")
    province: Num | None = Field(None, gt=0, le=1, description="max share of national MW-IT "
                                 "in one region (province or state) of regions.csv")
    grid_region: Num | None = Field(None, gt=0, le=1, description="max share of national MW-IT "
                                    "in one grid region (regions.csv grid_region)")


class NMinus1(_Strict):
    """N-1 rule: lose any one location (or, with ``grid_region``, any one grid region) and the
    surviving capacity, at the utilisation ceiling, still carries ``share`` of each protected
    class's peak demand in every region it can reach within the class's latency limit."""

    share: Num = Field(gt=0, le=1, description="share of each region's peak demand of a "
                       "protected class the surviving sites must carry")
    grid_region: bool = Field(False, description="also lose any one whole grid region")
    classes: list[Text] | None = Field(
        None, description="protected workload ids; left out: every class with a latency limit "
        "that is not shiftable (shiftable work waits for the repair)")


class HardwarePolicy(_Strict):
    """Procurement limits of one hardware class (policy.hardware.<id>)."""

    max_units: Num | None = Field(
        None, ge=0, description="accelerators the plan's fleet may hold this year (replaces "
        "hardware_supply.csv's cap; null: the dataset's)")


class Policy(_Strict):
    """Planning policy. Shares are fractions in [0, 1]."""

    min_green_share: Num = Field(0.0, ge=0, le=1, description="portfolio green share floor")
    min_site_green_share: Num = Field(0.0, ge=0, le=1, description="per open site floor")
    pue_cap: dict[str, Annotated[Num, Field(ge=1.0)]] = Field(
        default_factory=dict, description="PUE cap by zone, e.g. {east: 1.25, west: 1.2}"
    )
    utilisation_min: Num = Field(0.0, ge=0, le=1, description="annual mean floor per site")
    utilisation_max: Num = Field(1.0, gt=0, le=1, description="ceiling in every slice")
    peak_headroom: Num = Field(
        1.0, ge=1, le=10, description="time-fixed (latency-bound) classes: their work times "
        "this factor fits under the utilisation ceiling at every site and slice (burst reserve "
        "above the planned peak; shiftable work may use it); 1: no reserve")
    carbon_price_per_t: Num = Field(0.0, ge=0, description="currency per tCO2")
    carbon_cap_t: Num | None = Field(None, ge=0, description="annual tCO2 cap")
    unserved_cost_per_mtok: Num | None = Field(
        None, ge=0, description="value of unserved demand; null means demand must be served"
    )
    single_sourcing: bool = Field(False, description="each region's class served by one site")
    max_site_share: Num | None = Field(
        None, gt=0, le=1, description="max share of one class's national demand at one site"
    )
    max_share: MaxShare | None = Field(None, description="caps on one location's, province's "
                                       "or grid region's share of national MW-IT")
    n_minus_1: NMinus1 | None = Field(None, description="capacity that survives the loss of "
                                      "any one location (or grid region)")
    exclude_zones: list[Text] = Field(default_factory=list, description="zones not allowed")
    water_cap_m3: dict[str, Annotated[Num, Field(ge=0)]] = Field(
        default_factory=dict, description="cooling water withdrawn per year by province (region "
        "id -> m3/yr), e.g. {ningxia: 2.0e6}; provinces not named are not capped")
    exclude_locations: list[Text] = Field(default_factory=list, description="locations not allowed")
    certificates: Certificates | None = None
    chip_supply: bool = Field(
        False, description="cap each hardware class's fleet by the units of "
        "hardware_supply.csv that have arrived (after their lead time) within its lifetime "
        "(false: supply is not limited)")
    hardware: dict[str, HardwarePolicy] = Field(
        default_factory=dict, description="per hardware id: procurement limits, e.g. "
        "{npu-domestic: {max_units: 400000}}")
    exclude_hardware: list[Text] = Field(default_factory=list,
                                         description="hardware ids not allowed (cap 0)")
    green_accounting: Literal["annual", "hourly", "certificates"] = Field(
        "annual", description="annual: portfolio share over the year (min_green_share); "
        "hourly: also, in every slice, clean supply covers hourly_clean_share of each site's "
        "load (24/7 matching); certificates: the annual share may be met partly with priced "
        "certificates (policy.certificates). Left out, it is certificates when "
        "policy.certificates is given, else annual")
    hourly_clean_share: Num = Field(
        0.0, ge=0, le=1, description="hourly mode: share of each site's load in every slice "
        "met by clean supply (grid green share, PPA, curtailed energy, clean storage)")

    @model_validator(mode="before")
    @classmethod
    def _certificates_mode_by_default(cls, data: object) -> object:
        # scenarios written before the modes existed priced certificates by giving the block
        if isinstance(data, dict) and data.get("certificates") is not None:
            data = {"green_accounting": "certificates", **data}
        return data

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> Policy:
        if self.utilisation_min > self.utilisation_max:
            raise ValueError(
                f"utilisation_min ({self.utilisation_min}) must not exceed "
                f"utilisation_max ({self.utilisation_max})"
            )
        if self.green_accounting == "certificates" and self.certificates is None:
            raise ValueError("green_accounting 'certificates' needs policy.certificates "
                             "(price_per_mwh, max_share)")
        if self.green_accounting != "certificates" and self.certificates is not None:
            raise ValueError(f"policy.certificates count only with green_accounting "
                             f"'certificates', not '{self.green_accounting}'")
        if self.green_accounting == "hourly" and self.hourly_clean_share <= 0:
            raise ValueError("green_accounting 'hourly' needs hourly_clean_share > 0 (the "
                             "share of each site's load matched by clean supply in every slice)")
        if self.green_accounting != "hourly" and self.hourly_clean_share > 0:
            raise ValueError("hourly_clean_share applies only with green_accounting 'hourly'")
        return self


class Synergy(_Strict):
    """Computing-electricity synergy: flexibility the plan may use (all off by default but
    move_between_sites, which the core model always allowed)."""

    storage: bool = Field(False, description="batteries at sites as investments (storage.csv)")
    absorb_curtailment: bool = Field(
        False, description="sites may buy their region's curtailed renewables (curtailment.csv)")
    move_between_sites: bool = Field(
        True, description="shiftable classes may choose a different site each day; false pins "
        "each route's share of its group's daily volume to be the same every day")


class Time(_Strict):
    """Time resolution: the dataset's days clustered into representative days (optional),
    then consecutive hours of each day merged into one slice."""

    representative_days: Int | None = Field(
        None, ge=1, description="cluster the dataset's days into this many, with weights "
        "(e.g. 365 hourly days into 12); null: every day of the dataset")
    clustering: Literal["hierarchical", "kmeans"] = Field(
        "hierarchical", description="hierarchical: Ward, medoid days; kmeans: mean days")
    hours_per_slice: Int = Field(1, ge=1, le=24)
    keep_peak: bool = Field(
        True, description="when hours are merged, the peak hour of each time-fixed class "
        "(its highest demand-profile factor) stays a slice of its own, so capacity is sized "
        "for it")


class Network(_Strict):
    """Distance model used where network.csv gives no latency or cost."""

    route_factor: Num = Field(1.5, ge=1.0, description="fibre route km / great-circle km")
    overhead_ms: Num = Field(4.0, ge=0, description="fixed round-trip overhead, ms")
    cost_per_mtok_per_1000km: Num = Field(0.0, ge=0, description="currency per Mtok per 1000 km")
    latency_ms: dict[str, Annotated[Num, Field(ge=0)]] = Field(
        default_factory=dict, description="per workload id: round-trip latency budget (ms), "
        "replacing workloads.csv latency_ms, e.g. {interactive: 8} for a metro 1 ms circle")


class Finance(_Strict):
    discount_rate: Num = Field(0.08, ge=0, le=1, description="for annualising capital costs")


MAX_THREADS = 256  # HiGHS aborts the process when asked for far more threads than it can start
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0  # one week
MAX_SEED = 2**31 - 1  # HiGHS's random_seed is a C int


class Solver(_Strict):
    """HiGHS options. Times in seconds; the gap is relative."""

    time_limit_s: Num = Field(300.0, gt=0, le=MAX_TIME_LIMIT_S,
                              description="covers every solve stage (docs/model.md, Solving)")
    mip_rel_gap: Num = Field(1e-4, ge=0, le=1)
    threads: Int = Field(1, ge=1, le=MAX_THREADS, description=(
        "HiGHS threads; also how many relax-and-fix drop LPs run side by side (at most 8)"))
    seed: Int = Field(0, ge=0, le=MAX_SEED)
    integer_sites: bool = Field(True, description="open[s] binary (false: LP relaxation)")
    strong_links: bool = Field(True, description="flow <= demand x open rows (family 13): a "
                               "tighter relaxation, a larger LP")
    strategy: Literal["auto", "branch-and-bound"] = Field(
        "auto", description="auto: LP bound + relax-and-fix first, branch and bound if needed"
    )


Year = Annotated[int, BeforeValidator(_not_bool), Field(ge=2000, le=2100)]


class YearChanges(_Strict):
    """What differs in one year of a pathway, deep-merged into the scenario's own sections
    (e.g. ``policy: {min_green_share: 0.9}`` or ``prices: {zone_scale: {west: 1.1}}``)."""

    prices: dict[str, Any] = Field(default_factory=dict)
    policy: dict[str, Any] = Field(default_factory=dict)


class Pathway(_Strict):
    """A multi-year build-out (used when ``years`` is given; docs/model.md, family 12).

    Growth paths are multipliers on the dataset's demand.csv (after ``demand:`` scaling),
    keyed by year; national, per workload and per region paths multiply.
    """

    demand_growth: dict[Year, Multiplier] = Field(default_factory=dict,
                                                  description="national multiplier by year")
    workload_growth: dict[str, dict[Year, Multiplier]] = Field(
        default_factory=dict, description="per workload id: multiplier by year")
    region_growth: dict[str, dict[Year, Multiplier]] = Field(
        default_factory=dict, description="per region id: multiplier by year")
    by_year: dict[Year, YearChanges] = Field(default_factory=dict,
                                             description="prices/policy that change by year")
    facility_lifetime_years: Num = Field(20.0, ge=1, le=100,
                                         description="building + cooling lifetime, yr")


class Case(_Strict):
    """Which case the headline is, said in the run summary: ``best`` (utilisation at the
    policy ceiling) or ``realistic`` (utilisation as measured), and the other case's figures
    where they are known (measured by running that scenario)."""

    kind: Literal["best", "realistic"] = Field(
        "best", description="best: sized at the policy utilisation ceiling; realistic: at the "
        "measured utilisation")
    other_scenario: Text | None = Field(None, description="the scenario of the other case")
    other_cost_per_mtok: Num | None = Field(None, ge=0, description="its cost per Mtok "
                                            "(currency/Mtok)")
    other_objective: Num | None = Field(None, ge=0, description="its annual cost "
                                        "(currency/yr)")
    figures_for: Text | None = Field(
        None, description="the scenario name the other_* figures were measured against; a "
        "scenario that inherits them under another name states the case without them")


class Future(_Strict):
    """One future of a plan that must hold across futures (``siteplan futures``): its
    probability and what differs in it, deep-merged into the scenario's own sections
    (e.g. ``demand: {scale: 1.5}``, ``prices: {zone_scale: {west: 1.2}}``)."""

    name: Text = Field(min_length=1)
    probability: Num = Field(gt=0, le=1, description="weight in the expected cost")
    description: Prose = ""
    demand: dict[str, Any] = Field(default_factory=dict)
    prices: dict[str, Any] = Field(default_factory=dict)
    policy: dict[str, Any] = Field(default_factory=dict)


class Risk(_Strict):
    """Risk aversion of a plan across futures: objective (1 - w) E[cost] + w CVaR_alpha."""

    cvar_weight: Num = Field(0.0, ge=0, le=1, description="w: weight of the CVaR")
    cvar_alpha: Num = Field(0.8, ge=0, lt=1, description="CVaR level: mean of the worst "
                            "1 - alpha of the probability")


class Scenario(_Strict):
    """A validated, frozen planning scenario."""

    name: Text = Field(min_length=1)
    description: Prose = ""
    dataset: Annotated[Path, BeforeValidator(_path_text)] = Field(
        description="dataset folder, relative to the scenario file")
    currency: Text = "CNY"
    objective: Literal["cost", "emissions", "margin"] = Field(
        "cost", description="cost: least annual cost; emissions: least tCO2; margin: most "
        "revenue - cost, demand valued by token_value.csv tiers (unserved demand is revenue "
        "foregone, not a penalty)")
    demand: Demand = Field(default_factory=Demand)
    workloads: dict[str, Workload] = Field(
        default_factory=dict, description="per workload id: settings that replace its row of "
        "workloads.csv (latency_ms, shiftable, peak_factor, name)")
    prices: Prices = Field(default_factory=Prices)
    policy: Policy = Field(default_factory=Policy)
    synergy: Synergy = Field(default_factory=Synergy)
    time: Time = Field(default_factory=Time)
    network: Network = Field(default_factory=Network)
    finance: Finance = Field(default_factory=Finance)
    solver: Solver = Field(default_factory=Solver)
    case: Case = Field(default_factory=Case)
    year: Year = Field(2026, description="planning year (hardware with a later first_year is "
                                         "not available); ignored when years is given")
    years: list[Year] = Field(default_factory=list,
                              description="modelled years of a pathway, increasing")
    pathway: Pathway = Field(default_factory=Pathway)
    futures: list[Future] = Field(default_factory=list,
                                  description="futures of a stochastic plan (siteplan futures)")
    risk: Risk = Field(default_factory=Risk)
    source: Path | None = Field(None, description="the YAML file (set by the loader)")
    # where each dotted key was set ("file, line N" or "--set K=V"), for messages
    _origin: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _futures(self) -> Scenario:
        fs = self.futures
        names = [f.name for f in fs]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"key 'futures': future {twice[0]!r} is named twice")
        total = sum(f.probability for f in fs)
        if fs and abs(total - 1.0) > 1e-6:
            raise ValueError(f"key 'futures': probabilities add up to {total:g}; expected 1")
        if fs and self.years:
            raise ValueError("key 'futures': futures are planned for one year; this scenario "
                             "also has 'years'")
        if not fs and self.risk != Risk():
            raise ValueError("key 'risk': needs 'futures'")
        for i in range(len(fs)):
            self.for_future(i)  # each future's changes must make valid sections
        return self

    def for_future(self, i: int) -> Scenario:
        """The single-future scenario of ``futures[i]``: its demand, prices and policy changes
        merged in; no futures, no risk."""
        fut = self.futures[i]
        update: dict[str, Any] = {"futures": [], "risk": Risk(),
                                  "name": f"{self.name}@{fut.name}"}
        update.update(self._merged({"demand": fut.demand, "prices": fut.prices,
                                    "policy": fut.policy}, f"futures[{i}] ({fut.name})"))
        out = self.model_copy(update=update)
        out._origin = dict(self._origin)
        return out

    @model_validator(mode="after")
    def _margin_prices_demand(self) -> Scenario:
        if self.objective == "margin" and self.policy.unserved_cost_per_mtok is not None:
            raise ValueError("objective 'margin' values demand by token_value.csv; remove "
                             "policy.unserved_cost_per_mtok (unserved demand is revenue "
                             "foregone at each tier's price)")
        return self

    @model_validator(mode="after")
    def _pathway_years(self) -> Scenario:
        ys = self.years
        if any(b <= a for a, b in zip(ys, ys[1:], strict=False)):
            raise ValueError(f"key 'years': expected strictly increasing years, got {ys}")
        pw = self.pathway
        if not ys and pw != Pathway():
            raise ValueError("key 'pathway': needs 'years' (the modelled years of the pathway)")
        paths = [("pathway.demand_growth", pw.demand_growth)]
        paths += [(f"pathway.workload_growth.{k}", v) for k, v in pw.workload_growth.items()]
        paths += [(f"pathway.region_growth.{k}", v) for k, v in pw.region_growth.items()]
        paths += [("pathway.by_year", pw.by_year)]
        for key, path in paths:
            extra = sorted(set(path) - set(ys))
            if extra:
                raise ValueError(f"key '{key}': year(s) {extra} are not in years {ys}")
            if path and key != "pathway.by_year" and set(path) != set(ys):
                missing = sorted(set(ys) - set(path))
                raise ValueError(f"key '{key}': no multiplier for year(s) {missing}; "
                                 "give one for every year in 'years'")
        for year in ys:
            self.for_year(year)  # by_year changes must make valid prices/policy sections
        return self

    def for_year(self, year: int) -> Scenario:
        """The single-year scenario of ``year`` in the pathway: by_year changes merged in,
        demand scaled by the growth paths, hardware availability of that year."""
        pw = self.pathway
        ch = pw.by_year.get(year, YearChanges())
        dm = self.demand
        g = pw.demand_growth.get(year, 1.0)
        wl = {k: dm.workload_scale.get(k, 1.0) * v[year]
              for k, v in pw.workload_growth.items()}
        rg = {r: dm.region_scale.get(r, 1.0) * v[year] for r, v in pw.region_growth.items()}
        demand = dm.model_copy(update={
            "scale": dm.scale * g,
            "workload_scale": {**dm.workload_scale, **wl},
            "region_scale": {**dm.region_scale, **rg},
        })
        update: dict[str, Any] = {"year": year, "years": [], "pathway": Pathway(),
                                  "demand": demand, "name": f"{self.name}@{year}"}
        update.update(self._merged({"prices": ch.prices, "policy": ch.policy},
                                   f"pathway.by_year.{year}"))
        out = self.model_copy(update=update)
        out._origin = dict(self._origin)
        return out

    def _merged(self, changes: dict[str, dict[str, Any]], where: str) -> dict[str, Any]:
        """This scenario's sections with ``changes`` (section -> nested keys) deep-merged in
        and validated, for a future or a pathway year; a bad change is one error naming
        ``<where>.<section>.<key>``."""
        from siteplan.config.load import deep_merge

        out: dict[str, Any] = {}
        for section, change in changes.items():
            if not change:
                continue
            cls = type(getattr(self, section))
            try:
                out[section] = cls.model_validate(
                    deep_merge(getattr(self, section).model_dump(), change))
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = ".".join(str(p) for p in err["loc"])
                key = f"{where}.{section}" + (f".{loc}" if loc else "")
                msg = str(err["msg"]).removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    msg = f"unknown key; expected one of: {', '.join(cls.model_fields)}"
                raise ValueError(f"key '{key}': {msg}") from None
        return out
