"""The outputs registry: every result column and summary figure declared once.

Each :class:`Output` gives the unit (``{cur}`` stands for the scenario's currency; money and
energy flows say their period), the decimals it is written with in the CSV files, a label,
and how people are shown it (:class:`Show`: scale, unit, decimals). The CSV writer, the CLI
summary, the HTML report, ``siteplan compare`` and ``docs/data-format.md`` all read it here.

Names with a ``{hardware}``, ``{term}``, ``{zone}`` or ``{workload}`` part stand for one column
per id of the dataset (``mw_it_gpu``), per cost term (``cost_electricity``), per zone
(``west_share``) or per workload class (``avg_cost_per_mtok_batch``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Show:
    """How a figure is shown to people: value x ``scale``, ``decimals``, then ``unit``."""

    scale: float = 1.0
    unit: str = ""
    decimals: int = 2


@dataclass(frozen=True)
class Output:
    name: str  # column or summary key; {hardware}, {term}, {zone} stand for ids
    unit: str  # "{cur}" = the scenario's currency; "" = a count or an id
    decimals: int  # in the CSV files (tokens are whole numbers)
    label: str  # lower case; shown as a heading or a row name
    files: tuple[str, ...]  # where it appears: allocation, sites, regions, ... summary
    description: str = ""
    show: Show | None = None  # None: shown as written, with the unit
    text: bool = False  # an id or a name, not a number

    def unit_for(self, currency: str) -> str:
        return self.unit.replace("{cur}", currency or "currency")

    def shown_unit(self, currency: str) -> str:
        unit = self.show.unit if self.show is not None else self.unit
        return unit.replace("{cur}", currency).strip()

    def fmt(self, value, currency: str = "", unit: bool = True) -> str:
        """``value`` as people read it (e.g. ``58.593 billion CNY/yr``); "-" when missing."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            return "-"
        if not math.isfinite(v):
            return "-"
        show = self.show or Show(1.0, self.unit, self.decimals)
        text = f"{v * show.scale:,.{show.decimals}f}"
        u = self.shown_unit(currency)
        if not unit or not u:
            return text
        return text + ("" if u == "%" else " ") + u


def _txt(name: str, files: tuple[str, ...], description: str) -> Output:
    """An id or name column."""
    return Output(name, "", 0, name, files, description, text=True)


_A, _S, _R, _H, _X, _B, _Y = ("allocation", "sites", "regions", "site_hours", "excluded",
                              "builds", "summary")
_PCT1, _PCT2 = Show(100, "%", 1), Show(100, "%", 2)
_BN = Show(1e-9, "billion {cur}/yr", 3)
_TTOK = Show(1e-12, "trillion tokens/day", 3)

# cost terms of the objective (siteplan.model.costs.COST_TERMS), as people read them
COST_LABELS = {
    "fixed": "site fixed costs", "hardware": "hardware (annualised)",
    "facility": "facility and cooling", "connection": "grid connection",
    "opex": "operation, staff, insurance", "electricity": "grid electricity",
    "ppa": "renewable PPAs", "certificates": "green certificates",
    "storage": "battery storage", "curtailment": "curtailed renewables", "network": "network",
    "carbon": "carbon", "unserved": "unserved demand (penalty, or revenue foregone)",
    "total": "total",
}

OUTPUTS: tuple[Output, ...] = (
    # --- ids and names
    _txt("region", (_A, _S, _R, _B), "demand region id"),
    _txt("site", (_A, _S, _H, _X, _B), "site option id (location, cooling)"),
    _txt("location", (_A, _S, _H, _X, _B), "location id"),
    _txt("workload", (_A,), "workload class id"),
    _txt("name", (_R,), "display name"),
    _txt("zone", (_S, _R, _B), "policy zone (from regions.csv / locations.csv)"),
    _txt("cooling", (_S, _X), "cooling technology id"),
    _txt("site_type", (_S,), "the location's kind of site (locations.csv kind, e.g. `edge`, "
         "`seabed`); only when the dataset names kinds"),
    _txt("slice", (_H,), "time slice id"),
    _txt("day", (_H,), "representative day of the slice"),
    _txt("year", (_A, _S, _R, _H, _X, _B), "pathway results only: the modelled year"),
    _txt("reason", (_X,), "why the option was excluded before solving"),
    _txt("asset", (_B,), "hardware id, or facility (building + cooling)"),
    Output("open", "0/1", 6, "open", (_S,), "1 if the option is open (fractional in an LP "
           "relaxation)"),
    # --- tokens
    Output("tokens_per_day", "tokens/day", 0, "tokens", (_A, _S),
           "tokens served (allocation: from the site to the region's class; compute classes "
           "are not tokens: 0, see mw_it)"),
    Output("share", "0-1", 6, "share of demand", (_A,),
           "share of the region's class demand served by this site", _PCT1),
    Output("demand_tokens_per_day", "tokens/day", 0, "demand", (_R, _Y), "", _TTOK),
    Output("served_tokens_per_day", "tokens/day", 0, "served", (_R, _Y), "", _TTOK),
    Output("unserved_tokens_per_day", "tokens/day", 0, "unserved", (_R, _Y),
           "demand not served (priced at policy.unserved_cost_per_mtok)", _TTOK),
    Output("mw_it", "MW-IT", 6, "compute", (_A,),
           "compute classes: mean IT MW of the reference hardware kept busy for the region"),
    Output("compute_mw_it", "MW-IT", 6, "compute served", (_S, _R),
           "compute classes (not tokens): mean IT MW of the reference hardware kept busy",
           Show(1, "MW IT", 1)),
    Output("compute_demand_mw_it", "MW-IT", 6, "compute demand", (_Y,),
           "compute classes (training): mean IT MW of the reference hardware", Show(1, "MW IT", 1)),
    Output("compute_served_mw_it", "MW-IT", 6, "compute served", (_Y,), "", Show(1, "MW IT", 1)),
    Output("compute_unserved_mw_it", "MW-IT", 6, "compute unserved", (_Y,), "",
           Show(1, "MW IT", 1)),
    Output("shiftable_tokens_per_day", "tokens/day", 0, "shiftable demand", (_Y,), "", _TTOK),
    Output("flex_mtok_h", "Mtok/h", 6, "shiftable work done", (_H,),
           "shiftable tokens served in the slice"),
    Output("flex_demand_shape_mtok_h", "Mtok/h", 6, "shiftable demand shape", (_H,),
           "shiftable tokens the demand profile asks for in the slice"),
    # --- costs per token
    Output("cost_per_mtok", "{cur}/Mtok", 6, "cost per Mtok", (_A, _S),
           "delivered cost per million tokens (allocation: the site's cost attributed to the "
           "class per Mtok + network; sites: all the site's cost per Mtok)",
           Show(1, "{cur}/Mtok", 4)),
    Output("network_cost_per_mtok", "{cur}/Mtok", 6, "network cost per Mtok", (_A,), "",
           Show(1, "{cur}/Mtok", 4)),
    Output("avg_cost_per_mtok", "{cur}/Mtok", 6, "average delivered cost", (_R, _Y),
           "cost of the served tokens per million (unserved penalty excluded)",
           Show(1, "{cur}/Mtok", 4)),
    Output("marginal_cost_per_mtok", "{cur}/Mtok", 6, "marginal cost", (_R,),
           "cost of one more million tokens demanded in the region (dual of its demand row)",
           Show(1, "{cur}/Mtok", 4)),
    Output("avg_cost_per_mtok_{workload}", "{cur}/Mtok", 6, "average delivered cost, "
           "{workload}", (_R,), "the class's served tokens: site costs attributed to the "
           "class (capacity-hours, energy drawn, capacity share) + network, per million",
           Show(1, "{cur}/Mtok", 4)),
    Output("marginal_cost_per_mtok_{workload}", "{cur}/Mtok", 6, "marginal cost, {workload}",
           (_R,), "cost of one more million tokens of the class demanded in the region (dual "
           "of its demand rows)", Show(1, "{cur}/Mtok", 4)),
    Output("avg_cost_per_mw_year_{workload}", "{cur}/MW-yr", 6, "average cost, {workload}",
           (_R,), "a compute class (demand_unit mw_it): its delivered cost per MW-year of its "
           "reference hardware kept busy", Show(1e-6, "million {cur}/MW-yr", 4)),
    Output("marginal_cost_per_mw_year_{workload}", "{cur}/MW-yr", 6, "marginal cost, "
           "{workload}", (_R,), "a compute class: cost of one more MW-year of reference "
           "compute demanded in the region", Show(1e-6, "million {cur}/MW-yr", 4)),
    Output("cost_per_mw_year", "{cur}/MW-yr", 6, "cost per MW-year", (_A,),
           "compute classes: delivered cost per MW-year of reference compute",
           Show(1e-6, "million {cur}/MW-yr", 4)),
    Output("avg_cost_per_mw_year_compute", "{cur}/MW-yr", 6, "compute: average cost", (_Y,),
           "cost of the compute classes per MW-year of reference compute served",
           Show(1e-6, "million {cur}/MW-yr", 4)),
    Output("compute_cost", "{cur}/yr", 2, "compute cost", (_R,),
           "delivered cost of the compute classes served to the region",
           Show(1e-6, "million {cur}/yr", 3)),
    Output("degenerate_split", "0/1", 0, "degenerate split", (_R,),
           "1 if the region's average rests on an arbitrary split between sites at equal "
           "marginal cost (another split costs the same): regional differences in the average "
           "are not a result"),
    # --- money per year
    Output("revenue", "{cur}/yr", 6, "revenue", (_R, _Y), "objective margin: tokens served x "
           "their tier's price (token_value.csv)", _BN),
    Output("revenue_foregone", "{cur}/yr", 6, "revenue foregone", (_Y,), "objective margin: "
           "unserved demand x its tier's price (the cost term unserved)", _BN),
    Output("margin", "{cur}/yr", 6, "margin", (_R, _Y), "objective margin: revenue - cost",
           _BN),
    Output("margin_per_mtok", "{cur}/Mtok", 6, "margin per Mtok", (_R, _Y),
           "margin / tokens served", Show(1, "{cur}/Mtok", 4)),
    Output("margin_per_mtok_{workload}", "{cur}/Mtok", 6, "margin per Mtok, {workload}",
           (_R,), "objective margin: the class's margin / its tokens served in the region "
           "(token classes)", Show(1, "{cur}/Mtok", 4)),
    Output("margin_{workload}", "{cur}/yr", 6, "margin, {workload}", (_R,),
           "objective margin: the class's revenue - its delivered cost in the region", _BN),
    Output("objective", "{cur}/yr", 6, "annual cost", (_Y,),
           "the objective: sum of the cost terms (a pathway: net present cost, {cur})", _BN),
    Output("net_present_cost", "{cur}", 6, "net present cost", (_Y,),
           "pathways: discounted to the first year", Show(1e-9, "billion {cur}", 3)),
    Output("cost_breakdown.{term}", "{cur}/yr", 6, "{term_label}", (_Y,),
           "one term of the objective; the terms sum to it", _BN),
    Output("unallocated_site_cost", "{cur}/yr", 6, "cost of sites serving nothing", (_Y,), "",
           _BN),
    Output("cost_{term}", "{cur}/yr", 2, "{term_label}", (_S,),
           "the site's share of one cost term (cost_total: their sum)",
           Show(1e-6, "million {cur}/yr", 3)),
    # --- capacity and energy
    Output("pue", "", 4, "PUE", (_S, _X), "power usage effectiveness of the option",
           Show(1, "", 3)),
    Output("grid_tier_kv", "kV", 0, "grid connection tier", (_S,),
           "voltage tier (grid_tiers.csv) the option's site power needs; empty without tiers "
           "or power", Show(1, "kV", 0)),
    Output("mw_it_{hardware}", "MW-IT", 4, "IT capacity, {hardware}", (_S,),
           "IT capacity of one hardware class"),
    Output("units_{hardware}", "units", 1, "accelerators, {hardware}", (_S, _Y),
           "accelerators of one hardware class (MW-IT x 1000 / kw_per_unit)", Show(1, "units", 0)),
    Output("systems_{hardware}", "systems", 6, "systems, {hardware}", (_S,),
           "whole systems of a class bought by the system (hardware.csv units_per_system)",
           Show(1, "systems", 0)),
    Output("modules", "modules", 6, "modules", (_S,), "whole modules built at an option "
           "with a module size (site_options.csv module_mw)", Show(1, "modules", 0)),
    Output("max_units_{hardware}", "units", 1, "supply cap, {hardware}", (_Y,),
           "accelerators the fleet may hold (hardware_supply.csv, policy.hardware)",
           Show(1, "units", 0)),
    Output("chip_shadow_price_{hardware}", "{cur}/unit-yr", 2, "value of one more, {hardware}",
           (_Y,), "what one more accelerator of a capped class saves a year (dual of its "
           "supply row; 0: the cap does not bind)", Show(1, "{cur}/unit-yr", 0)),
    Output("mw_it_total", "MW-IT", 4, "IT capacity", (_S, _Y), "IT capacity, all hardware",
           Show(1, "MW IT", 0)),
    Output("site_type_mw_it_{site_type}", "MW-IT", 4, "IT capacity, {site_type} sites", (_Y,),
           "IT capacity at locations of one kind (locations.csv kind); only when the dataset "
           "names kinds", Show(1, "MW IT", 0)),
    Output("utilisation_planned", "0-1", 6, "planned utilisation", (_S, _Y),
           "the utilisation ceiling the plan is sized at (policy.utilisation_max)", _PCT1),
    Output("utilisation_realised", "0-1", 6, "realised utilisation", (_S, _Y),
           "annual served work / capacity: busy MWh / (MW-IT x 8760 h)", _PCT1),
    Output("it_mwh", "MWh/yr", 3, "IT energy", (_S,), "energy drawn by the IT load"),
    Output("energy_mwh", "MWh/yr", 3, "energy", (_S,), "facility energy (IT x PUE)",
           Show(1e-3, "GWh/yr", 1)),
    Output("grid_mwh", "MWh/yr", 3, "grid energy", (_S,), "energy bought from the grid"),
    Output("ppa_mwh", "MWh/yr", 3, "PPA energy", (_S,), "energy taken from PPA plants"),
    Output("curtailment_mwh", "MWh/yr", 3, "curtailed energy absorbed", (_S,), ""),
    Output("storage_mwh", "MWh", 3, "battery energy capacity", (_S, _Y), "", Show(1, "MWh", 0)),
    Output("storage_mw", "MW", 4, "battery power", (_S, _Y), ""),
    Output("ppa_mw", "MW", 4, "PPA power", (_S, _H),
           "sites: contracted capacity; site_hours: mean output in the slice"),
    Output("ppa_direct_mw", "MW", 4, "direct-line PPA power", (_S, _Y),
           "contracted on a direct line from the plant (direct_line.csv); part of ppa_mw"),
    Output("energy_twh", "TWh/yr", 6, "energy", (_Y,), "facility energy, all sites",
           Show(1, "TWh/yr", 2)),
    Output("it_energy_twh", "TWh/yr", 6, "IT energy", (_Y,), "", Show(1, "TWh/yr", 2)),
    Output("curtailment_absorbed_mwh", "MWh/yr", 3, "curtailed energy absorbed", (_Y,), "",
           Show(1e-6, "TWh/yr", 2)),
    Output("storage_discharged_mwh", "MWh/yr", 3, "battery energy discharged", (_Y,), "",
           Show(1e-6, "TWh/yr", 3)),
    Output("water_m3", "m3/yr", 3, "water use", (_S, _Y), "cooling water (WUE x IT energy)",
           Show(1e-6, "million m3/yr", 3)),
    Output("weight_h", "h", 6, "hours", (_H,), "hours of the year the slice stands for"),
    Output("it_mw", "MW", 4, "IT load", (_H,), "mean IT power in the slice"),
    Output("load_mw", "MW", 4, "facility load", (_H,), "IT load x PUE"),
    Output("grid_mw", "MW", 4, "grid power", (_H,), ""),
    Output("grid_green_mw", "MW", 4, "green grid power", (_H,),
           "grid power x the grid's green share"),
    Output("curtailment_mw", "MW", 4, "curtailed power absorbed", (_H,), ""),
    Output("storage_charge_mw", "MW", 4, "battery charge", (_H,), ""),
    Output("storage_discharge_mw", "MW", 4, "battery discharge", (_H,), ""),
    Output("storage_soc_mwh", "MWh", 3, "battery state of charge", (_H,), "at the slice's end"),
    Output("clean_mw", "MW", 4, "clean supply", (_H,), "green grid + PPA + curtailed + battery"),
    Output("built_mw", "MW-IT", 4, "built", (_B,), "capacity built in the year"),
    Output("retired_mw", "MW-IT", 4, "retired", (_B,), "capacity that reached its lifetime"),
    Output("standing_mw", "MW-IT", 4, "standing", (_B,), "capacity standing in the year"),
    Output("mw_built_{zone}", "MW-IT", 6, "GW built, {zone}", (_Y,),
           "pathway years: IT capacity built in the zone", Show(1e-3, "GW", 2)),
    Output("mw_standing_{zone}", "MW-IT", 6, "GW standing, {zone}", (_Y,),
           "pathway years: IT capacity standing in the zone", Show(1e-3, "GW", 2)),
    # --- green, carbon, latency
    Output("green_share", "0-1", 6, "green share", (_S, _Y), "green energy / energy", _PCT1),
    Output("clean_score", "0-1", 6, "clean score", (_H,), "clean supply / facility load",
           _PCT1),
    Output("clean_score_hourly", "0-1", 6, "hourly clean score", (_Y,),
           "clean energy matched in the same slice / energy", _PCT1),
    Output("clean_score_min_slice", "0-1", 6, "worst site-slice clean score", (_Y,), "", _PCT1),
    Output("shifted_in_time_share", "0-1", 6, "flexible work shifted in time", (_Y,), "",
           _PCT1),
    Output("moved_between_sites_share", "0-1", 6, "flexible work moved between sites", (_Y,),
           "", _PCT1),
    Output("tco2", "tCO2/yr", 3, "emissions", (_S, _Y), "grid emissions",
           Show(1e-6, "MtCO2/yr", 3)),
    Output("tokens_per_kwh", "tokens/kWh", 6, "token yield", (_Y,), "",
           Show(1, "tokens/kWh", 0)),
    Output("latency_ms", "ms", 3, "latency", (_A,), "round-trip network latency region-site"),
    Output("mean_latency_ms", "ms", 3, "mean latency", (_R,), "served-weighted",
           Show(1, "ms", 1)),
    Output("{zone}_share", "0-1", 6, "served from {zone}", (_R, _Y),
           "share of the served tokens produced at sites in the zone", _PCT1),
    # --- resilience (model/n_minus_1.py)
    Output("n1_cover", "0-1", 6, "N-1 cover", (_S,),
           "if this site is lost: the share of the protected classes' peak demand the other "
           "sites can still carry within the latency limits, at the utilisation ceiling "
           "(worst region set; 1 = all of it, above 1 = spare)", _PCT1),
    Output("n1_min_cover", "0-1", 6, "N-1 cover, worst loss", (_Y,),
           "the least n1_cover over the loss of any one open site (and, with "
           "policy.n_minus_1.grid_region, any one grid region)", _PCT1),
    Output("n1_share", "0-1", 6, "N-1 share required", (_Y,),
           "policy.n_minus_1.share (empty: no rule, the cover is reported only)", _PCT1),
    _txt("n1_worst_loss", (_Y,), "the loss that leaves the least cover"),
    _txt("n1_protected", (_Y,), "the classes the N-1 rule protects"),
    # --- counts and solver
    Output("sites_open", "", 0, "sites open", (_Y,), "", Show(1, "", 0)),
    Output("connection_step_extra", "{cur}/yr", 2, "connection, tier steps above the hull",
           (_Y,), "what the plan's sites would pay on top of the charged grid connection if "
           "each paid its whole voltage tier (grid_tiers.csv; the model charges the convex "
           "hull of the steps)", _BN),
    Output("options_excluded", "", 0, "options excluded", (_Y,), "", Show(1, "", 0)),
    Output("mip_gap", "0-1", 6, "MIP gap", (_Y,), "HiGHS's relative gap", Show(100, "%", 3)),
)

_PLACEHOLDER = re.compile(r"\{(hardware|term|zone|workload|site_type)\}")


@cache
def _patterns() -> tuple[tuple[re.Pattern, Output], ...]:
    out = []
    for o in OUTPUTS:
        if _PLACEHOLDER.search(o.name):
            rx = "^" + _PLACEHOLDER.sub(lambda m: f"(?P<{m[1]}>.+)",
                                        re.escape(o.name).replace(r"\{", "{")
                                        .replace(r"\}", "}")) + "$"
            out.append((re.compile(rx), o))
    return tuple(out)


_EXACT = {o.name: o for o in OUTPUTS if not _PLACEHOLDER.search(o.name)}


@cache
def lookup(name: str) -> Output | None:
    """The output ``name`` (a column or summary key), placeholders filled in; None if unknown."""
    if name in _EXACT:
        return _EXACT[name]
    for rx, o in _patterns():
        m = rx.match(name)
        if m is None:
            continue
        ids = m.groupdict()
        if "term" in ids and ids["term"] not in COST_LABELS:
            continue
        label = o.label.replace("{term_label}", COST_LABELS.get(ids.get("term", ""), ""))
        for key, value in ids.items():
            label = label.replace("{" + key + "}", value)
        return Output(name, o.unit, o.decimals, label, o.files, o.description, o.show)
    return None


def get(name: str) -> Output:
    """Like :func:`lookup`, but an unknown name is an error (a bug: every output is declared)."""
    out = lookup(name)
    if out is None:
        raise KeyError(f"output {name!r} is not in the outputs registry (siteplan/outputs.py)")
    return out


def decimals(name: str, default: int = 6) -> int:
    """Decimals of column ``name`` in the CSV files."""
    out = lookup(name)
    return out.decimals if out is not None else default


def fmt(name: str, value, currency: str = "", unit: bool = True) -> str:
    """``value`` of output ``name`` as people read it, e.g. ``fmt("green_share", 0.9)``."""
    return get(name).fmt(value, currency, unit)


def zone_share_keys(summary: dict) -> list[str]:
    """The ``<zone>_share`` keys of a summary (served from each zone), in the written order."""
    zones = summary.get("zones")
    if isinstance(zones, list):
        return [f"{z}_share" for z in zones if f"{z}_share" in summary]
    return [k for k in summary if k.endswith("_share") and k not in _EXACT]


MARGIN_KEYS = ("revenue", "margin", "margin_per_mtok", "revenue_foregone")
CHIP_PREFIXES = ("units_", "max_units_", "chip_shadow_price_")


def plan_figures(summary: dict) -> dict[str, float]:
    """The summary's figures by chip, class and kind of site, flat and in the written order:
    units, cap and shadow price per chip; revenue and margin (objective margin) and the
    margin of each class (``margin_<class>``); IT capacity per kind of site."""
    out = {k: summary[k] for k in chip_and_margin_keys(summary)}
    for wl, fig in (summary.get("margin_by_workload") or {}).items():
        out[f"margin_{wl}"] = fig.get("margin")
    out.update({k: v for k, v in summary.items() if k.startswith("site_type_mw_it_")})
    return out


def chip_and_margin_keys(summary: dict) -> list[str]:
    """The summary's accelerator figures (units, cap and shadow price per chip) and, under
    objective margin, its revenue and margin figures, in the written order."""
    chips = [k for k in summary if k.startswith(CHIP_PREFIXES) and lookup(k) is not None]
    return chips + [k for k in MARGIN_KEYS if k in summary]
