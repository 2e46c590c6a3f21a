"""The parameter registry: every dataset file and column declared once.

Each :class:`Column` gives name, kind, unit, default and range; the loader, the checks, the
defaults and the docs table (``docs/data-format.md``) all follow from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "text", "float", "int", "bool"]
NO_DEFAULT = object()


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    unit: str = ""
    description: str = ""
    default: object = NO_DEFAULT  # NO_DEFAULT = required; None = optional, stays blank
    min: float | None = None
    max: float | None = None
    ref: str | None = None  # table whose key this column must name
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    required: bool = True
    description: str = ""
    one_of: tuple[str, ...] = ()  # optional columns of which the header needs at least one

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _id(name: str, ref: str | None = None, desc: str = "") -> Column:
    return Column(name, "id", description=desc, ref=ref)


# plausible ceilings: far above any real value, far below what breaks the solver (HiGHS
# rejects coefficients of 1e15 and more; 1e20 is its infinity). Money may be written in any
# unit (a plan is the same in yuan, thousands of yuan or millionths of a yuan: the solver
# boundary scales it, docs/model.md "Scaling and the check"), so money ceilings leave six
# orders of magnitude above the dearest real figure in the smallest common currency.
MW_MAX = 1e6  # MW: 1 TW at one site
MONEY_MAX = 1e14  # currency per unit, per year or per MW-year
PRICE_MAX = 1e12  # currency per MWh or per Mtok
FACTOR_MAX = 1e3  # multipliers and shape factors
LATENCY_MAX = 1e6  # ms

TECHS = ("solar", "wind")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "regions",
            key=("region",),
            description="demand regions and their grid (one row per region)",
            columns=(
                _id("region", desc="region id, e.g. `guangdong`"),
                Column("name", "text", description="display name (English)"),
                Column("name_local", "text", description="local-language name (e.g. 广东)",
                       default=None),
                Column("code", "text", description="official code (adcode, FIPS, postal)",
                       default=None),
                Column("lat", "float", "deg", "reference point (centroid) used for distances",
                       min=-90, max=90),
                Column("lon", "float", "deg", "reference point (centroid) used for distances",
                       min=-180, max=180),
                Column("zone", "id", description="policy zone, any id (e.g. `east`, `west`): "
                       "keys of policy.pue_cap, prices.zone_scale, policy.exclude_zones and "
                       "of the served-from-zone shares in the results"),
                Column("price_per_mwh", "float", "currency/MWh", "flat-period (平段) "
                       "large-industry electricity price; time-of-use multipliers in tou.csv "
                       "scale it", min=0, max=PRICE_MAX),
                Column("green_share", "float", "", "renewable (or non-fossil, see SOURCES) "
                       "share of grid electricity bought in the region", min=0, max=1),
                Column("ef_tco2_per_mwh", "float", "tCO2/MWh", "grid average emission factor",
                       min=0, max=2),
                Column("mean_temp_c", "float", "degC", "annual mean dry-bulb temperature "
                       "(informational; PUE is in site_options)", default=None, min=-30, max=40),
                Column("free_cooling_h", "float", "h/yr", "hours per year with wet-bulb below "
                       "12 °C (informational)", default=None, min=0, max=8760),
                Column("water_stress", "float", "", "withdrawal-to-resources ratio "
                       "(informational; blank = unknown)", default=None, min=0, max=1e3),
                Column("demand_share", "float", "", "share of national demand (informational; "
                       "demand.csv is what the model uses)", default=None, min=0, max=1),
                Column("grid_region", "id", "", "regional grid the province belongs to "
                       "(informational; used by rules per grid region)", default=None),
                Column("construction_index", "float", "", "regional construction-cost index "
                       "(1 = national average); scales facility capex and opex", default=1.0,
                       min=0.1, max=10),
            ),
        ),
        Table(
            "locations",
            key=("location",),
            description="candidate data-centre locations (one row per location)",
            columns=(
                _id("location", desc="location id, e.g. `zhongwei`"),
                Column("name", "text", description="display name"),
                Column("name_local", "text", description="local-language name", default=None),
                _id("region", ref="regions", desc="region whose grid supplies it"),
                Column("lat", "float", "deg", "point used for distances", min=-90, max=90),
                Column("lon", "float", "deg", "point used for distances", min=-180, max=180),
                Column("zone", "id", description="policy zone (blank: the region's)",
                       default=None),
                Column("hub", "text", description="national hub / cluster it belongs to "
                       "(informational, used in reports)", default=None),
                Column("kind", "text", description="e.g. `national-cluster`, `metro`, "
                       "`new-energy-base` (informational)", default=None),
                Column("price_per_mwh", "float", "currency/MWh", "flat-period price at this "
                       "location if it differs from the region's (blank: the region's), e.g. a "
                       "cluster's direct green supply", default=None, min=0, max=PRICE_MAX),
                Column("fixed_cost_per_year", "float", "currency/yr", "annualised fixed cost of "
                       "opening (land, grid connection, fibre)", default=0.0, min=0, max=MONEY_MAX),
                Column("connection_cost_per_mw_year", "float", "currency/MW-yr", "grid "
                       "connection cost per MW of facility (site) power, on top of the fixed "
                       "cost", default=0.0, min=0, max=MONEY_MAX),
                Column("min_mw", "float", "MW-IT", "minimum IT capacity if opened", default=0.0,
                       min=0, max=MW_MAX),
                Column("max_mw", "float", "MW-IT", "maximum IT capacity if opened", min=0,
                       max=MW_MAX),
                Column("grid_headroom_mw", "float", "MW", "facility power the local grid can "
                       "supply to new load (blank: no limit)", default=None, min=0, max=MW_MAX),
                Column("min_green_share", "float", "0-1", "share of the location's energy that "
                       "must be green, e.g. 0.95 for a site on its own offshore wind (blank: "
                       "only the scenario's floors)", default=None, min=0, max=1),
            ),
        ),
        Table(
            "cooling",
            key=("cooling",),
            description="cooling technologies",
            columns=(
                _id("cooling", desc="e.g. `air`, `evaporative`, `liquid`"),
                Column("name", "text", description="display name"),
                Column("facility_cost_per_mw_year", "float", "currency/MW-yr", "annualised "
                       "facility (building + cooling) cost per MW of IT", default=0.0, min=0,
                       max=MONEY_MAX),
                Column("wue_l_per_kwh", "float", "L/kWh", "water use per kWh of IT energy",
                       default=0.0, min=0, max=100),
                Column("opex_per_mw_year", "float", "currency/MW-yr", "facility operation and "
                       "maintenance, staff and insurance per MW-IT built", default=0.0, min=0,
                       max=MONEY_MAX),
                Column("max_rack_kw", "float", "kW/rack", "densest rack the cooling can hold; "
                       "its facility cost is the cost per MW at that density; hardware with a "
                       "denser `rack_kw` cannot be installed with it (blank: any)",
                       default=None, min=0.1, max=1000),
            ),
        ),
        Table(
            "site_options",
            key=("site",),
            description="(location, cooling) pairs that may open; at most one per location "
                        "opens",
            columns=(
                _id("site", desc="e.g. `zhongwei-evaporative`"),
                _id("location", ref="locations"),
                _id("cooling", ref="cooling"),
                Column("pue", "float", "", "annual PUE of this option in this location's "
                       "climate", min=1.0, max=3.0),
                Column("existing_mw", "float", "MW-IT", "capacity already built (the option is "
                       "then forced open)", default=0.0, min=0, max=MW_MAX),
                Column("facility_cost_per_mw_year", "float", "currency/MW-yr", "override of "
                       "the cooling's facility cost (blank: the cooling's)", default=None,
                       min=0, max=MONEY_MAX),
                Column("module_mw", "float", "MW-IT", "capacity is built and paid for in whole "
                       "modules of this size (a hall, a container, a seabed module); blank: "
                       "any size", default=None, min=0.001, max=MW_MAX),
            ),
        ),
        Table(
            "hardware",
            key=("hardware",),
            description="accelerator classes (capacity is MW of IT load: accelerators + hosts)",
            columns=(
                _id("hardware", desc="e.g. `gpu-imported`"),
                Column("name", "text", description="display name"),
                Column("kw_per_unit", "float", "kW", "IT power per accelerator including its "
                       "share of host, network, storage", min=0.001, max=1000),
                Column("capex_per_unit", "float", "currency", "purchase cost per accelerator "
                       "including its host share", default=0.0, min=0, max=MONEY_MAX),
                Column("lifetime_years", "float", "yr", "depreciation life; annualised with the "
                       "scenario's discount rate", default=5.0, min=0.5, max=50),
                Column("idle_share", "float", "", "share of IT power drawn when installed "
                       "capacity is idle", default=0.3, min=0, max=1),
                Column("first_year", "int", "yr", "first year it can be bought (blank: always): "
                       "a single-year run (scenario `year`) drops later hardware; a pathway "
                       "builds it from that year", default=None, min=2000, max=2100),
                Column("opex_share", "float", "1/yr", "annual hardware support, spares and "
                       "insurance as a share of capex_per_unit", default=0.0, min=0, max=1),
                Column("units_per_system", "float", "units", "accelerators per system when the "
                       "class is bought in whole systems (a CloudMatrix 384 super-node: 384); "
                       "blank: by the unit", default=None, min=1, max=1e6),
                Column("rack_kw", "float", "kW/rack", "IT power per rack as the hardware is "
                       "racked; only coolings with max_rack_kw >= this may host it (blank: any)",
                       default=None, min=0.1, max=1000),
            ),
        ),
        Table(
            "hardware_supply",
            key=("hardware", "year"),
            required=False,
            description="accelerators delivered to the market per hardware class and year "
                        "(imports under export control, domestic output); a class with rows "
                        "is capped, one without is not",
            columns=(
                _id("hardware", ref="hardware"),
                Column("year", "int", "yr", "year the units are supplied (produced, or "
                       "allowed in under an import quota) and ordered", min=1990, max=2100),
                Column("max_units", "float", "units", "accelerators (kw_per_unit each) "
                       "supplied in the year; the plan's fleet of a year is at most the units "
                       "that have arrived within the hardware's lifetime_years up to it",
                       min=0, max=1e12),
                Column("lead_time_months", "float", "months", "order-to-delivery lead time: "
                       "the year's units, ordered at its start, serve from year + "
                       "floor(lead / 12) (3 months: the same year; 12: the next); blank = 0",
                       default=None, min=0, max=120),
                Column("origin", "text", description="e.g. `imported`, `domestic` "
                       "(informational)", default=None),
            ),
        ),
        Table(
            "token_value",
            key=("workload", "tier", "region"),
            required=False,
            description="willingness to pay per workload class, in tiers (objective "
                        "`margin`): a share of each region's demand at each price; rows "
                        "naming a region replace the class's all-region tiers there",
            columns=(
                _id("workload", ref="workloads"),
                _id("tier", desc="e.g. `premium`, `commodity`"),
                Column("region", "id", description="region whose demand the row values; "
                       "blank = every region without rows of its own for the class",
                       default=None, ref="regions"),
                Column("share", "float", "0-1", "share of the class's demand in the region(s) "
                       "and every slice willing to pay this tier's price; a class's shares "
                       "sum to 1 in each region", min=0, max=1),
                Column("price_per_mtok", "float", "currency/Mtok", "revenue per million "
                       "tokens served in the tier", min=0, max=PRICE_MAX),
            ),
        ),
        Table(
            "dedicated_supply",
            key=("location", "tech"),
            required=False,
            description="renewable supply dedicated to one location (e.g. an offshore wind "
                        "farm wired to a seabed data centre): only that location's options may "
                        "use it; its profile is the region's renewables.csv shape",
            columns=(
                _id("location", ref="locations"),
                Column("tech", "id", choices=TECHS),
                Column("cost_per_mw_year", "float", "currency/MW-yr", "energy price of the "
                       "contract per MW of plant", min=0, max=MONEY_MAX),
                Column("max_mw", "float", "MW", "plant size available (blank: no limit)",
                       default=None, min=0, max=MW_MAX),
                Column("cf_scale", "float", "", "multiplier on the region's capacity factors "
                       "of the tech (e.g. offshore over onshore wind); capped at cf 1",
                       default=1.0, min=0, max=FACTOR_MAX),
                Column("wheeling_per_mwh", "float", "currency/MWh", "grid charges per MWh "
                       "delivered (0 for a direct line)", default=0.0, min=0, max=PRICE_MAX),
            ),
        ),
        Table(
            "grid_tiers",
            key=("voltage_kv",),
            required=False,
            description="grid connection by voltage tier: an option pays the tier its site "
                        "power needs (docs/model.md, family 4c; the model uses the tightest "
                        "convex cost below the steps); without the file, locations.csv's "
                        "linear connection cost alone",
            columns=(
                Column("voltage_kv", "float", "kV", "connection voltage, e.g. 110, 220, 500",
                       min=0, max=2000),
                Column("max_mw", "float", "MW", "facility (site) power the tier connects at "
                       "most", min=0, max=MW_MAX),
                Column("cost_per_year", "float", "currency/yr", "annualised cost of the "
                       "tier's connection (substation, line)", min=0, max=MONEY_MAX),
            ),
        ),
        Table(
            "grid_headroom",
            key=("location", "year"),
            required=False,
            description="grid headroom by year: facility power the location's grid can supply "
                        "to new load from that year on (overrides locations.csv "
                        "grid_headroom_mw from the row's year; a pathway's years each use "
                        "theirs, a single year the scenario year's)",
            columns=(
                _id("location", ref="locations"),
                Column("year", "int", "yr", "first year the headroom applies", min=1990,
                       max=2100),
                Column("headroom_mw", "float", "MW", "facility power available to the "
                       "location's data centres (all of them, standing and new)", min=0,
                       max=MW_MAX),
            ),
        ),
        Table(
            "direct_line",
            key=("region", "tech"),
            required=False,
            description="direct-line green power (a plant wired to the data centre, no "
                        "wheeling): offered at every location of a region that allows it, "
                        "beside the region's wheeled PPA (ppa.csv gives the energy price)",
            columns=(
                _id("region", ref="regions", desc="region (province) whose rules allow it"),
                Column("tech", "id", choices=TECHS),
                Column("line_cost_per_mw_year", "float", "currency/MW-yr", "annualised "
                       "dedicated line and its bays per MW of plant", min=0, max=MONEY_MAX),
                Column("max_mw", "float", "MW", "plant MW the region allows on direct lines, "
                       "shared by its locations (blank: no limit)", default=None, min=0,
                       max=MW_MAX),
                Column("charge_per_mwh", "float", "currency/MWh", "charges a direct-line "
                       "contract still pays per MWh (funds, system fees)", default=0.0, min=0,
                       max=PRICE_MAX),
            ),
        ),
        Table(
            "existing_capacity",
            key=("site", "hardware", "build_year"),
            required=False,
            description="IT capacity already built, by option, hardware and build year",
            columns=(
                _id("site", ref="site_options"),
                _id("hardware", ref="hardware"),
                Column("mw", "float", "MW-IT", "IT capacity of this hardware standing at the "
                       "option", min=0, max=MW_MAX),
                Column("build_year", "int", "yr", "it stands while year - build_year < the "
                       "hardware's lifetime_years", min=1990, max=2100),
            ),
        ),
        Table(
            "workloads",
            key=("workload",),
            description="workload classes",
            columns=(
                _id("workload", desc="e.g. `interactive`, `batch`, `training`"),
                Column("name", "text", description="display name"),
                Column("latency_ms", "float", "ms", "maximum round-trip network latency "
                       "region-site (blank: no limit)", default=None, min=0, max=LATENCY_MAX),
                Column("shiftable", "bool", description="may move within its day (energy per "
                       "day kept)", default=False),
                Column("peak_factor", "float", "", "for shiftable classes: served rate in a slice "
                       "<= peak_factor x the day's mean rate", default=3.0, min=1.0,
                       max=FACTOR_MAX),
                Column("demand_unit", "id", description="`tokens`: demand.csv gives "
                       "tokens_per_day (inference); `mw_it`: demand.csv gives mw_it, IT MW of "
                       "the reference hardware kept busy (compute, e.g. training)",
                       default="tokens", choices=("tokens", "mw_it")),
                Column("reference_hardware", "id", description="mw_it classes: the hardware "
                       "whose MW the demand counts; throughput.csv's tokens_per_s of the class "
                       "then only sets each hardware's speed relative to it", default=None),
            ),
        ),
        Table(
            "throughput",
            key=("hardware", "workload"),
            description="tokens per second per accelerator by workload class",
            columns=(
                _id("hardware", ref="hardware"),
                _id("workload", ref="workloads"),
                Column("tokens_per_s", "float", "tokens/s per unit", "sustained throughput at "
                       "full utilisation (0 or a missing row: cannot serve)", min=0, max=1e9),
            ),
        ),
        Table(
            "demand",
            key=("region", "workload"),
            description="demand: tokens for token classes, busy IT MW for compute classes",
            columns=(
                _id("region", ref="regions"),
                _id("workload", ref="workloads"),
                Column("tokens_per_day", "float", "tokens/day", "average daily demand in the "
                       "planning year (classes with demand_unit tokens)", default=None, min=0,
                       max=1e18),
                Column("mw_it", "float", "MW-IT", "average IT MW of the class's reference "
                       "hardware kept busy (classes with demand_unit mw_it)", default=None,
                       min=0, max=MW_MAX),
            ),
            one_of=("tokens_per_day", "mw_it"),
        ),
        Table(
            "slices",
            key=("slice",),
            description="time slices of the year",
            columns=(
                _id("slice", desc="e.g. `spring-h07`"),
                _id("day", desc="representative day the slice belongs to (shifting stays "
                               "within a day)"),
                Column("hour", "int", "h", "hour of day the slice starts (time-of-use and "
                       "profiles are read by slice)", min=0, max=23),
                Column("weight_h", "float", "h", "hours of the year the slice stands for; all "
                       "weights sum to 8760", min=0, max=8760),
            ),
        ),
        Table(
            "demand_profile",
            key=("workload", "slice"),
            required=False,
            description="demand shape (default flat 1.0)",
            columns=(
                _id("workload", ref="workloads"),
                _id("slice", ref="slices"),
                Column("factor", "float", "", "rate in the slice relative to the day's mean "
                       "(the weighted mean over a day's slices is 1)", min=0, max=FACTOR_MAX),
            ),
        ),
        Table(
            "tou",
            key=("region", "hour"),
            required=False,
            description="time-of-use price multipliers (default 1.0)",
            columns=(
                _id("region", ref="regions"),
                Column("hour", "int", "h", "hour of day", min=0, max=23),
                Column("multiplier", "float", "", "price in that hour / flat-period price "
                       "(peak > 1, valley < 1)", min=0, max=FACTOR_MAX),
                Column("period", "text", description="`sharp`/`peak`/`flat`/`valley`/"
                       "`deep-valley` (informational)", default=None),
            ),
        ),
        Table(
            "price_profile",
            key=("region", "slice"),
            required=False,
            description="seasonal / daily shape of electricity prices by slice (default 1.0)",
            columns=(
                _id("region", ref="regions"),
                _id("slice", ref="slices"),
                Column("factor", "float", "", "price in the slice / the time-of-use price of "
                       "its hour (seasonal and day-to-day variation of hourly data); the price "
                       "is flat price x tou multiplier x factor", min=0, max=FACTOR_MAX),
            ),
        ),
        Table(
            "renewables",
            key=("region", "tech", "slice"),
            required=False,
            description="PPA capacity factors (no PPA without them)",
            columns=(
                _id("region", ref="regions"),
                Column("tech", "id", choices=TECHS),
                _id("slice", ref="slices"),
                Column("cf", "float", "", "capacity factor of a new plant in that region in "
                       "that slice", min=0, max=1),
            ),
        ),
        Table(
            "ppa",
            key=("region", "tech"),
            required=False,
            description="renewable power purchase offers",
            columns=(
                _id("region", ref="regions"),
                Column("tech", "id", choices=TECHS),
                Column("cost_per_mw_year", "float", "currency/MW-yr", "energy price of the "
                       "contract per MW of plant", min=0, max=MONEY_MAX),
                Column("max_mw", "float", "MW", "contracted MW of the technology available to "
                       "all locations of the region together", default=None, min=0,
                       max=MW_MAX),
                Column("wheeling_per_mwh", "float", "currency/MWh", "grid charges a wheeled "
                       "contract pays on each MWh delivered (transmission and distribution, "
                       "system operation, funds, losses)", default=0.0, min=0, max=PRICE_MAX),
            ),
        ),
        Table(
            "storage",
            key=("storage",),
            required=False,
            description="battery technologies any open site may build (with synergy.storage); "
                        "energy and power are sized separately",
            columns=(
                _id("storage", desc="e.g. `lfp`"),
                Column("name", "text", description="display name"),
                Column("energy_capex_per_mwh", "float", "currency/MWh", "installed cost per "
                       "MWh of energy capacity (annualised with the scenario's discount rate "
                       "over lifetime_years)", min=0, max=MONEY_MAX),
                Column("power_capex_per_mw", "float", "currency/MW", "installed cost per MW of "
                       "charge/discharge power", default=0.0, min=0, max=MONEY_MAX),
                Column("lifetime_years", "float", "yr", "economic life for the annuity",
                       default=15.0, min=0.5, max=50),
                Column("round_trip_efficiency", "float", "", "MWh discharged per MWh charged "
                       "(the loss is taken on charging)", min=0.01, max=1),
                Column("max_mwh", "float", "MWh", "energy capacity limit per site (blank: "
                       "unlimited)", default=None, min=0, max=1e8),
            ),
        ),
        Table(
            "curtailment",
            key=("region", "slice"),
            required=False,
            description="renewable surplus otherwise curtailed (with synergy.absorb_curtailment)",
            columns=(
                _id("region", ref="regions", desc="region whose surplus this is; only its "
                                                  "locations may take it"),
                _id("slice", ref="slices", desc="missing slices have no surplus"),
                Column("surplus_mw", "float", "MW", "mean curtailed renewable power in the "
                       "slice, shared by the region's sites", min=0, max=MW_MAX),
                Column("price_per_mwh", "float", "currency/MWh", "price a site pays for "
                       "absorbed energy (merged slices average it by surplus)", min=0,
                       max=PRICE_MAX),
            ),
        ),
        Table(
            "network",
            key=("region", "location"),
            required=False,
            description="explicit latency / transport cost (overrides the distance model)",
            columns=(
                _id("region", ref="regions"),
                _id("location", ref="locations"),
                Column("latency_ms", "float", "ms", "round-trip latency (blank: distance model)",
                       default=None, min=0, max=LATENCY_MAX),
                Column("cost_per_mtok", "float", "currency/Mtok", "network cost of moving a "
                       "million tokens region-site (blank: distance model)", default=None,
                       min=0, max=PRICE_MAX),
            ),
        ),
    )
}
