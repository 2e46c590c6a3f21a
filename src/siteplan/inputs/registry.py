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

ZONES = ("east", "west")
TECHS = ("solar", "wind")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "regions",
            key=("region",),
            description="demand regions and their grid",
            columns=(
                _id("region"),
                Column("name", "text"),
                Column("name_local", "text", default=None),
                Column("code", "text", default=None),
                Column("lat", "float", "deg", min=-90, max=90),
                Column("lon", "float", "deg", min=-180, max=180),
                Column("zone", "id", choices=ZONES),
                Column("price_per_mwh", "float", "currency/MWh", "flat-period price", min=0,
                       max=PRICE_MAX),
                Column("green_share", "float", "", "renewable share of grid power", min=0, max=1),
                Column("ef_tco2_per_mwh", "float", "tCO2/MWh", min=0, max=2),
                Column("mean_temp_c", "float", "degC", default=None, min=-30, max=40),
                Column("free_cooling_h", "float", "h/yr", default=None, min=0, max=8760),
                Column("water_stress", "float", "", default=None, min=0, max=1e3),
                Column("demand_share", "float", "", default=None, min=0, max=1),
            ),
        ),
        Table(
            "locations",
            key=("location",),
            description="candidate data-centre locations",
            columns=(
                _id("location"),
                Column("name", "text"),
                Column("name_local", "text", default=None),
                _id("region", ref="regions"),
                Column("lat", "float", "deg", min=-90, max=90),
                Column("lon", "float", "deg", min=-180, max=180),
                Column("zone", "id", default=None, choices=ZONES),
                Column("hub", "text", default=None),
                Column("kind", "text", default=None),
                Column("price_per_mwh", "float", "currency/MWh", default=None, min=0,
                       max=PRICE_MAX),
                Column("fixed_cost_per_year", "float", "currency/yr", default=0.0, min=0,
                       max=MONEY_MAX),
                Column("min_mw", "float", "MW-IT", default=0.0, min=0, max=MW_MAX),
                Column("max_mw", "float", "MW-IT", min=0, max=MW_MAX),
            ),
        ),
        Table(
            "cooling",
            key=("cooling",),
            columns=(
                _id("cooling"),
                Column("name", "text"),
                Column("facility_cost_per_mw_year", "float", "currency/MW-yr", default=0.0, min=0,
                       max=MONEY_MAX),
                Column("wue_l_per_kwh", "float", "L/kWh", default=0.0, min=0, max=100),
            ),
        ),
        Table(
            "site_options",
            key=("site",),
            description="(location, cooling) pairs; at most one per location opens",
            columns=(
                _id("site"),
                _id("location", ref="locations"),
                _id("cooling", ref="cooling"),
                Column("pue", "float", "", min=1.0, max=3.0),
                Column("existing_mw", "float", "MW-IT", default=0.0, min=0, max=MW_MAX),
                Column("facility_cost_per_mw_year", "float", "currency/MW-yr", default=None, min=0,
                       max=MONEY_MAX),
            ),
        ),
        Table(
            "hardware",
            key=("hardware",),
            columns=(
                _id("hardware"),
                Column("name", "text"),
                Column("kw_per_unit", "float", "kW", min=0.001, max=1000),
                Column("capex_per_unit", "float", "currency", default=0.0, min=0, max=MONEY_MAX),
                Column("lifetime_years", "float", "yr", default=5.0, min=0.5, max=50),
                Column("idle_share", "float", "", default=0.3, min=0, max=1),
                Column("first_year", "int", "yr", "first year it can be bought (blank: always)",
                       default=None, min=2000, max=2100),
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
                Column("mw", "float", "MW-IT", min=0, max=MW_MAX),
                Column("build_year", "int", "yr", min=1990, max=2100),
            ),
        ),
        Table(
            "workloads",
            key=("workload",),
            columns=(
                _id("workload"),
                Column("name", "text"),
                Column("latency_ms", "float", "ms", default=None, min=0, max=LATENCY_MAX),
                Column("shiftable", "bool", default=False),
                Column("peak_factor", "float", "", default=3.0, min=1.0, max=FACTOR_MAX),
            ),
        ),
        Table(
            "throughput",
            key=("hardware", "workload"),
            columns=(
                _id("hardware", ref="hardware"),
                _id("workload", ref="workloads"),
                Column("tokens_per_s", "float", "tokens/s per unit", min=0, max=1e9),
            ),
        ),
        Table(
            "demand",
            key=("region", "workload"),
            columns=(
                _id("region", ref="regions"),
                _id("workload", ref="workloads"),
                Column("tokens_per_day", "float", "tokens/day", min=0, max=1e18),
            ),
        ),
        Table(
            "slices",
            key=("slice",),
            columns=(
                _id("slice"),
                _id("day"),
                Column("hour", "int", "h", min=0, max=23),
                Column("weight_h", "float", "h", min=0, max=8760),
            ),
        ),
        Table(
            "demand_profile",
            key=("workload", "slice"),
            required=False,
            columns=(
                _id("workload", ref="workloads"),
                _id("slice", ref="slices"),
                Column("factor", "float", "", min=0, max=FACTOR_MAX),
            ),
        ),
        Table(
            "tou",
            key=("region", "hour"),
            required=False,
            columns=(
                _id("region", ref="regions"),
                Column("hour", "int", "h", min=0, max=23),
                Column("multiplier", "float", "", min=0, max=FACTOR_MAX),
                Column("period", "text", default=None),
            ),
        ),
        Table(
            "price_profile",
            key=("region", "slice"),
            required=False,
            description="seasonal / daily shape of electricity prices (hourly data)",
            columns=(
                _id("region", ref="regions"),
                _id("slice", ref="slices"),
                Column("factor", "float", "", "price in the slice / time-of-use price", min=0,
                       max=FACTOR_MAX),
            ),
        ),
        Table(
            "renewables",
            key=("region", "tech", "slice"),
            required=False,
            columns=(
                _id("region", ref="regions"),
                Column("tech", "id", choices=TECHS),
                _id("slice", ref="slices"),
                Column("cf", "float", "", min=0, max=1),
            ),
        ),
        Table(
            "ppa",
            key=("region", "tech"),
            required=False,
            columns=(
                _id("region", ref="regions"),
                Column("tech", "id", choices=TECHS),
                Column("cost_per_mw_year", "float", "currency/MW-yr", min=0, max=MONEY_MAX),
                Column("max_mw", "float", "MW", default=None, min=0, max=MW_MAX),
            ),
        ),
        Table(
            "storage",
            key=("storage",),
            required=False,
            description="battery technologies any site may build (with synergy.storage)",
            columns=(
                _id("storage"),
                Column("name", "text"),
                Column("energy_capex_per_mwh", "float", "currency/MWh", "installed cost per "
                       "MWh of energy capacity", min=0, max=MONEY_MAX),
                Column("power_capex_per_mw", "float", "currency/MW", "installed cost per MW of "
                       "charge/discharge power", default=0.0, min=0, max=MONEY_MAX),
                Column("lifetime_years", "float", "yr", default=15.0, min=0.5, max=50),
                Column("round_trip_efficiency", "float", "", "MWh out per MWh in", min=0.01,
                       max=1),
                Column("max_mwh", "float", "MWh", "energy capacity limit per site",
                       default=None, min=0, max=1e8),
            ),
        ),
        Table(
            "curtailment",
            key=("region", "slice"),
            required=False,
            description="renewable surplus otherwise curtailed (with synergy.absorb_curtailment)",
            columns=(
                _id("region", ref="regions"),
                _id("slice", ref="slices"),
                Column("surplus_mw", "float", "MW", "mean curtailed renewable power in the "
                       "slice, shared by the region's sites", min=0, max=MW_MAX),
                Column("price_per_mwh", "float", "currency/MWh", "price of absorbed energy",
                       min=0, max=PRICE_MAX),
            ),
        ),
        Table(
            "network",
            key=("region", "location"),
            required=False,
            columns=(
                _id("region", ref="regions"),
                _id("location", ref="locations"),
                Column("latency_ms", "float", "ms", default=None, min=0, max=LATENCY_MAX),
                Column("cost_per_mtok", "float", "currency/Mtok", default=None, min=0,
                       max=PRICE_MAX),
            ),
        ),
    )
}
