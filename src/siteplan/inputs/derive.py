"""Pure preprocessing: checked tables + scenario -> the arrays the model is built from.

Units after this stage (see docs/model.md): tokens in Mtok, rates in Mtok/h, power in MW,
energy in MWh, money in the scenario currency per year. Index letters: r region, l location,
s site option, k workload, h hardware, t slice, p PPA option, a arc.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from siteplan.config.schema import Policy, Scenario, Solver, Synergy
from siteplan.errors import InputDataError
from siteplan.inputs.chips import fleet_cap_units, lead_time_months
from siteplan.inputs.days import representative_days
from siteplan.inputs.load import Inputs, scenario_id_problems
from siteplan.inputs.value import value_tiers

FIBRE_MS_PER_KM = 0.0049  # one-way propagation in single-mode fibre (~4.9 us/km)
EARTH_RADIUS_KM = 6371.0088
TOKENS_PER_MTOK = 1e6


@dataclass(frozen=True)
class ModelData:
    """Everything :func:`siteplan.model.build_model` needs, as aligned arrays."""

    name: str
    currency: str
    objective: str
    policy: Policy
    solver: Solver
    synergy: Synergy
    # regions (R)
    regions: list[str]
    region_name: list[str]
    region_zone: np.ndarray
    # locations (L)
    locations: list[str]
    location_region: np.ndarray  # index into regions
    location_zone: np.ndarray
    location_price: np.ndarray  # (L, T) currency/MWh, time-of-use x scenario multipliers
    location_green: np.ndarray  # (L, T) share of grid power that is renewable
    location_ef: np.ndarray  # (L, T) tCO2/MWh
    # site options (S), those not excluded
    sites: list[str]
    site_location: np.ndarray  # index into locations
    site_cooling: list[str]
    site_pue: np.ndarray
    site_min_mw: np.ndarray
    site_max_mw: np.ndarray
    site_existing_mw: np.ndarray
    site_fixed_cost: np.ndarray  # currency/yr if open
    site_facility_cost_per_mw: np.ndarray  # currency/(MW-IT yr), x regional construction index
    site_wue_l_per_kwh: np.ndarray
    # workloads (K) and hardware (H)
    workloads: list[str]
    workload_latency_ms: np.ndarray  # inf = no limit
    workload_shiftable: np.ndarray
    workload_peak_factor: np.ndarray
    hardware: list[str]
    hw_capex_per_mw: np.ndarray  # annualised currency/(MW-IT yr)
    hw_idle_share: np.ndarray
    hw_lifetime_years: np.ndarray
    hw_first_year: np.ndarray  # first year it can be bought (0: always)
    thr: np.ndarray  # (H, K) Mtok/h per MW-IT at full load; 0 = cannot serve
    # time (T slices, D days)
    slices: list[str]
    slice_weight_h: np.ndarray
    slice_day: np.ndarray  # index into days
    slice_hour: np.ndarray  # hour of day the slice starts (orders a day's slices)
    days: list[str]
    demand: np.ndarray  # (R, K, T) Mtok/h
    # arcs (A): latency-eligible (region, location, workload); at most one option per
    # location opens, so routing to the location is exact and needs far fewer variables
    arc_region: np.ndarray
    arc_location: np.ndarray
    arc_workload: np.ndarray
    arc_latency_ms: np.ndarray
    arc_cost_per_mtok: np.ndarray
    # PPA options (P): (location, tech); energy goes to the location's open option
    ppa_location: np.ndarray
    ppa_tech: list[str]
    ppa_cf: np.ndarray  # (P, T)
    ppa_cost_per_mw: np.ndarray  # currency/(MW yr)
    ppa_max_mw: np.ndarray  # inf = unlimited
    # storage technologies (B), empty unless synergy.storage; capex annualised per year
    storage: list[str] = field(default_factory=list)
    storage_capex_per_mwh: np.ndarray = field(default_factory=lambda: np.zeros(0))
    storage_capex_per_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    storage_efficiency: np.ndarray = field(default_factory=lambda: np.zeros(0))
    storage_max_mwh: np.ndarray = field(default_factory=lambda: np.zeros(0))  # inf = unlimited
    # curtailed renewables per region (R, T), zero unless synergy.absorb_curtailment
    curtail_surplus_mw: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    curtail_price: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)  # site, location, reason
    # operating and connection costs per MW-IT built (currency/yr): facility O&M, staff and
    # insurance x construction index + grid connection per MW of site power x PUE; and
    # hardware support/insurance (annual share of the hardware's upfront capex)
    site_opex_per_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    site_connection_per_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hw_opex_per_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # grid charges a wheeled PPA pays per MWh delivered (P,) currency/MWh
    ppa_wheeling_per_mwh: np.ndarray = field(default_factory=lambda: np.zeros(0))
    latency_ms: np.ndarray | None = None  # (R, L) round trip
    region_grid: np.ndarray | None = None  # (R,) grid region id of each region ("" = none)
    # (K,) True for classes whose demand is busy MW-IT of a reference hardware (demand and
    # flows in MW-IT of the reference instead of Mtok/h; thr relative to the reference)
    workload_compute: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # where each class's latency limit was set: workloads.csv or a scenario key (messages)
    workload_latency_from: list[str] = field(default_factory=list)
    network_overhead_ms: float = 0.0  # network.overhead_ms: the latency floor of any route
    # pathway years only: options kept for the horizon that this year's policy excludes
    # (capacity built earlier stays; nothing new is built there this year)
    site_buildable: np.ndarray | None = None
    time_aggregation: dict | None = None  # representative days: weights and profile errors
    # accelerator supply (inputs/chips.py): kW-IT per unit, the fleet's cap in units (inf =
    # none) and the delivery lead time (months, NaN = not given; informational)
    hw_kw_per_unit: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hw_max_units: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hw_lead_time_months: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # token value tiers (objective margin; inputs/value.py): names per class, (R, K, N)
    # share of demand and price per Mtok (a region's own rows, else the all-region rows)
    value_tier: list = field(default_factory=list)
    value_share: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    value_price: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    # kinds of site as data: a location's own green floor (L,), whole modules per option
    # (S,) MW-IT (NaN: any size), accelerators per system (H,) (NaN: by the unit), and which
    # PPA options are dedicated to their location (P,) (dedicated_supply.csv)
    location_min_green_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    site_module_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hw_units_per_system: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ppa_dedicated: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # (P,) PPA options on a direct line (direct_line.csv): their cap is the region's
    # direct-line MW per tech, apart from the wheeled offer's
    ppa_direct: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # grid_tiers.csv as (N, 3) rows (voltage kV, max MW of site power, currency/yr), by MW;
    # no rows: no tiers (locations.csv's linear connection cost only)
    connection_tiers: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    # (S, H) the option's cooling can hold the hardware's racks (rack_kw <= max_rack_kw)
    site_hw_ok: np.ndarray | None = None
    peak_slices: dict[str, str] = field(default_factory=dict)  # time-fixed class -> its
    # peak hour's slice, kept unmerged (time.keep_peak)
    location_kind: list = field(default_factory=list)  # (L,) locations.csv kind ("" = none)

    @property
    def n_slices(self) -> int:
        return len(self.slices)

    def site_zone(self) -> np.ndarray:
        return self.location_zone[self.site_location]

    def slice_duration_h(self) -> np.ndarray:
        """(T,) clock hours one occurrence of each slice lasts: a representative day is 24 h,
        shared by its slices in proportion to their weights (24 x w_t / W_d)."""
        day_w = np.bincount(self.slice_day, weights=self.slice_weight_h)
        return 24.0 * self.slice_weight_h / day_w[self.slice_day]


def annuity_factor(rate: float, years: float) -> float:
    """Capital recovery factor: annual payment per unit of capital over ``years`` at ``rate``."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def stands(age, life) -> np.ndarray:
    """True where capacity of ``age`` years (since its build year) still stands: 0 <= age < life."""
    age = np.asarray(age, dtype=float)
    return (age >= 0) & (age < np.asarray(life, dtype=float) - 1e-9)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (km) between points given in degrees; broadcasts."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def derive(scenario: Scenario, inputs: Inputs,
           keep_sites: Collection[str] | None = None) -> ModelData:
    """Build :class:`ModelData`; raises :class:`InputDataError` if scenario ids are unknown.

    A pathway derives every year with the same site options (``keep_sites``: the options some
    year admits; ``site_buildable`` marks this year's) and all hardware generations, and
    handles existing_capacity.csv itself. A single-year run drops hardware first bought after
    ``scenario.year`` and counts the existing capacity standing in that year as existing_mw.
    """
    pathway = keep_sites is not None
    _check_scenario_ids(scenario, inputs)
    aggregation = None
    if scenario.time.representative_days is not None:
        inputs, aggregation = representative_days(scenario, inputs)
    regions_df = inputs["regions"].set_index("region")
    regions = list(regions_df.index)
    r_of = {r: i for i, r in enumerate(regions)}

    locs = inputs["locations"].copy()
    locs["zone"] = locs["zone"].where(locs["zone"].notna(), locs["region"].map(regions_df["zone"]))
    locations = list(locs["location"])
    l_of = {name: i for i, name in enumerate(locations)}
    location_region = locs["region"].map(r_of).to_numpy(int)
    location_zone = locs["zone"].to_numpy(object)

    slices, weight, day_idx, days, group, hour, peak_slices = _time_slices(scenario, inputs)

    sites_df, excluded = _site_options(scenario, inputs, locs)
    buildable = None
    if pathway:
        sites_df, excluded, buildable = _keep_sites(inputs, sites_df, excluded, keep_sites)
    site_location = sites_df["location"].map(l_of).to_numpy(int)

    workloads_df, latency_from = _workloads(scenario, inputs)
    workloads = list(workloads_df["workload"])
    k_of = {k: i for i, k in enumerate(workloads)}
    hw_df = inputs["hardware"]
    first = hw_df["first_year"].fillna(0).to_numpy(int)
    if not pathway:
        hw_df = hw_df[first <= scenario.year].reset_index(drop=True)
        first = hw_df["first_year"].fillna(0).to_numpy(int)
        sites_df = _existing_standing(inputs, sites_df, hw_df, scenario.year)
    hardware = list(hw_df["hardware"])
    h_of = {h: i for i, h in enumerate(hardware)}

    thr = np.zeros((len(hardware), len(workloads)))
    for row in inputs["throughput"].itertuples(index=False):
        if row.hardware not in h_of:
            continue
        kw = float(hw_df.loc[hw_df["hardware"] == row.hardware, "kw_per_unit"].iloc[0])
        thr[h_of[row.hardware], k_of[row.workload]] = (
            row.tokens_per_s * 3600.0 / TOKENS_PER_MTOK / (kw / 1000.0)
        )
    compute = (workloads_df["demand_unit"] == "mw_it").to_numpy(bool)
    for k in np.flatnonzero(compute):  # MW-IT of the reference per MW-IT of each hardware
        thr[:, k] /= _speed(inputs, workloads_df["reference_hardware"].iloc[k], workloads[k])
    crf = np.array(
        [annuity_factor(scenario.finance.discount_rate, y) for y in hw_df["lifetime_years"]]
    )
    hw_capex = hw_df["capex_per_unit"].to_numpy(float) / (hw_df["kw_per_unit"].to_numpy() / 1000)
    hw_opex = hw_capex * hw_df["opex_share"].to_numpy(float)
    hw_capex = hw_capex * crf

    demand = _demand(scenario, inputs, regions, workloads, group, weight, days, day_idx)

    latency, net_cost = _network(scenario, inputs, regions_df, locs)
    lat_limit = workloads_df["latency_ms"].fillna(np.inf).to_numpy(float).copy()
    for k, wl in enumerate(workloads):  # a scenario's budget replaces the dataset's
        lat_limit[k] = scenario.network.latency_ms.get(wl, lat_limit[k])
    open_able = np.zeros(len(locations), bool)
    open_able[np.unique(site_location)] = True
    arc_r, arc_l, arc_k = [], [], []
    servable = thr.max(axis=0) > 0
    for k in range(len(workloads)):
        if not servable[k]:
            continue
        ok = (latency <= lat_limit[k] + 1e-9) & open_able[None, :]  # (R, L)
        has_demand = demand[:, k, :].sum(axis=1) > 0
        rr, ll = np.nonzero(ok & has_demand[:, None])
        arc_r.append(rr)
        arc_l.append(ll)
        arc_k.append(np.full(len(rr), k))
    arc_region = np.concatenate(arc_r).astype(int) if arc_r else np.zeros(0, int)
    arc_location = np.concatenate(arc_l).astype(int) if arc_l else np.zeros(0, int)
    arc_workload = np.concatenate(arc_k).astype(int) if arc_k else np.zeros(0, int)

    price, green, ef = _location_energy(scenario, inputs, regions_df, locs, location_region,
                                        regions, group, weight)
    ppa = _ppa(inputs, regions, location_region, group, weight)
    ppa, dedicated = _with_dedicated(ppa, _dedicated_ppa(inputs, regions, l_of,
                                                         location_region, group, weight))
    ppa, direct = _with_direct(ppa, dedicated, _direct_ppa(inputs, regions, location_region,
                                                           group, weight))
    dedicated = np.concatenate([dedicated, np.zeros(len(direct) - len(dedicated), bool)])
    pr = scenario.prices
    ppa_mult = np.array([pr.ppa_scale * pr.ppa_zone_scale.get(location_zone[loc], 1.0)
                         for loc in ppa[0]])
    ppa = (ppa[0], ppa[1], ppa[2], ppa[3] * ppa_mult, ppa[4], ppa[5] * ppa_mult)
    keep = np.isin(ppa[0], site_location)  # PPAs only where some option may open
    ppa = (ppa[0][keep], [t for t, k in zip(ppa[1], keep, strict=True) if k], ppa[2][keep],
           ppa[3][keep], ppa[4][keep], ppa[5][keep])
    dedicated, direct = dedicated[keep], direct[keep]

    storage = _storage(scenario, inputs)
    tiers = value_tiers(inputs, workloads, regions)
    surplus, surplus_price = _curtailment(scenario, inputs, regions, group, weight)

    cooling = inputs["cooling"].set_index("cooling")
    facility = sites_df["facility_cost_per_mw_year"].where(
        sites_df["facility_cost_per_mw_year"].notna(),
        sites_df["cooling"].map(cooling["facility_cost_per_mw_year"]),
    )
    loc_row = locs.set_index("location").loc[sites_df["location"]]
    index = loc_row["region"].map(regions_df["construction_index"]).to_numpy(float)
    pue = sites_df["pue"].to_numpy(float)
    # grid headroom (MW of site power) caps the IT MW an option can hold: cap x PUE <= headroom
    headroom = _headroom_of_year(inputs, locs, scenario.year).loc[sites_df["location"]]
    headroom = headroom.to_numpy(float)
    max_mw = loc_row["max_mw"].to_numpy(float)
    capped = np.minimum(max_mw, headroom / pue)
    capped = np.maximum(capped, sites_df["existing_mw"].to_numpy(float))  # what stands, stays
    max_mw = np.where(np.isnan(headroom), max_mw, capped)
    opex = sites_df["cooling"].map(cooling["opex_per_mw_year"]).to_numpy(float) * index
    return ModelData(
        name=scenario.name,
        currency=scenario.currency,
        objective=scenario.objective,
        policy=scenario.policy,
        solver=scenario.solver,
        synergy=scenario.synergy,
        regions=regions,
        region_name=list(regions_df["name"]),
        region_zone=regions_df["zone"].to_numpy(object),
        locations=locations,
        location_region=location_region,
        location_zone=location_zone,
        location_price=price,
        location_green=green,
        location_ef=ef,
        sites=list(sites_df["site"]),
        site_location=site_location,
        site_cooling=list(sites_df["cooling"]),
        site_pue=pue,
        site_min_mw=loc_row["min_mw"].to_numpy(float),
        site_max_mw=max_mw,
        site_existing_mw=sites_df["existing_mw"].to_numpy(float),
        site_fixed_cost=loc_row["fixed_cost_per_year"].to_numpy(float),
        site_facility_cost_per_mw=facility.to_numpy(float) * index,
        site_wue_l_per_kwh=sites_df["cooling"].map(cooling["wue_l_per_kwh"]).to_numpy(float),
        workloads=workloads,
        workload_latency_ms=lat_limit,
        workload_shiftable=workloads_df["shiftable"].to_numpy(bool),
        workload_peak_factor=workloads_df["peak_factor"].to_numpy(float),
        workload_latency_from=latency_from,
        workload_compute=compute,
        network_overhead_ms=float(scenario.network.overhead_ms),
        hardware=hardware,
        hw_capex_per_mw=hw_capex,
        hw_idle_share=hw_df["idle_share"].to_numpy(float),
        hw_lifetime_years=hw_df["lifetime_years"].to_numpy(float),
        hw_first_year=first,
        thr=thr,
        slices=slices,
        slice_weight_h=weight,
        slice_day=day_idx,
        slice_hour=hour,
        days=days,
        demand=demand,
        arc_region=arc_region,
        arc_location=arc_location,
        arc_workload=arc_workload,
        arc_latency_ms=latency[arc_region, arc_location],
        arc_cost_per_mtok=net_cost[arc_region, arc_location],
        ppa_location=ppa[0],
        ppa_tech=ppa[1],
        ppa_cf=ppa[2],
        ppa_cost_per_mw=ppa[3],
        ppa_max_mw=ppa[4],
        storage=storage[0],
        storage_capex_per_mwh=storage[1],
        storage_capex_per_mw=storage[2],
        storage_efficiency=storage[3],
        storage_max_mwh=storage[4],
        curtail_surplus_mw=surplus,
        curtail_price=surplus_price,
        excluded=excluded,
        site_opex_per_mw=opex,
        site_connection_per_mw=loc_row["connection_cost_per_mw_year"].to_numpy(float) * pue,
        hw_opex_per_mw=hw_opex,
        ppa_wheeling_per_mwh=ppa[5],
        latency_ms=latency,
        region_grid=(regions_df["grid_region"].fillna("").astype(str).to_numpy(object)
                     if "grid_region" in regions_df else np.full(len(regions), "", object)),
        site_buildable=buildable,
        time_aggregation=aggregation,
        hw_kw_per_unit=hw_df["kw_per_unit"].to_numpy(float),
        hw_max_units=fleet_cap_units(scenario, inputs, hw_df),
        hw_lead_time_months=lead_time_months(inputs, hw_df, scenario.year),
        value_tier=tiers[0],
        value_share=tiers[1],
        value_price=tiers[2],
        location_min_green_share=locs["min_green_share"].fillna(0.0).to_numpy(float),
        site_module_mw=sites_df["module_mw"].to_numpy(float),
        hw_units_per_system=hw_df["units_per_system"].to_numpy(float),
        ppa_dedicated=dedicated,
        ppa_direct=direct,
        connection_tiers=_connection_tiers(inputs),
        site_hw_ok=_rack_fit(inputs, sites_df, hw_df, cooling),
        peak_slices=peak_slices,
        location_kind=[k if isinstance(k, str) else "" for k in locs["kind"]]
        if "kind" in locs.columns else [""] * len(locations),
    )


def _rack_fit(inputs: Inputs, sites_df: pd.DataFrame, hw_df: pd.DataFrame,
              cooling: pd.DataFrame) -> np.ndarray:
    """(S, H): hardware h's racks (``rack_kw``, hardware.csv) fit option s's cooling
    (``max_rack_kw``, cooling.csv); a blank on either side fits. Existing capacity of a
    hardware its option's cooling cannot hold is an input error."""
    limit = sites_df["cooling"].map(cooling["max_rack_kw"]).to_numpy(float)
    rack = hw_df["rack_kw"].to_numpy(float)
    ok = ~(rack[None, :] > limit[:, None] + 1e-9)  # NaN on either side compares False
    ex = inputs["existing_capacity"]
    if not ex.empty:
        s_of = {s: i for i, s in enumerate(sites_df["site"])}
        h_of = {h: i for i, h in enumerate(hw_df["hardware"])}
        bad = [(row.site, row.hardware) for row in ex.itertuples(index=False)
               if row.site in s_of and row.hardware in h_of
               and not ok[s_of[row.site], h_of[row.hardware]]]
        if bad:
            site, hw = bad[0]
            more = f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else ""
            raise InputDataError([
                f"{inputs.folder / 'existing_capacity.csv'}: site {site}, hardware {hw}: its "
                f"racks ({rack[h_of[hw]]:g} kW, hardware.csv rack_kw) are denser than the "
                f"option's cooling holds ({limit[s_of[site]]:g} kW, cooling.csv max_rack_kw); "
                f"expected hardware that cooling can host{more}"])
    return ok


def _existing_standing(inputs: Inputs, sites_df: pd.DataFrame, hw_df: pd.DataFrame,
                       year: int) -> pd.DataFrame:
    """Add the existing_capacity.csv MW still standing in ``year`` to the options' existing_mw."""
    ex = inputs["existing_capacity"]
    if ex.empty:
        return sites_df
    life = ex["hardware"].map(inputs["hardware"].set_index("hardware")["lifetime_years"])
    standing = ex[stands(year - ex["build_year"].to_numpy(), life.to_numpy())]
    mw = standing.groupby("site")["mw"].sum()
    out = sites_df.copy()
    out["existing_mw"] = out["existing_mw"] + out["site"].map(mw).fillna(0.0)
    return out


def _keep_sites(inputs: Inputs, sites_df: pd.DataFrame, excluded: pd.DataFrame,
                keep: Collection[str]):
    """Restore the excluded options named in ``keep`` (dataset order); flag them unbuildable."""
    every = inputs["site_options"]
    back = excluded["site"].isin(keep)
    kept = every[every["site"].isin(set(sites_df["site"]) | set(excluded.loc[back, "site"]))]
    kept = kept.reset_index(drop=True)
    buildable = ~kept["site"].isin(excluded.loc[back, "site"]).to_numpy(bool)
    return kept, excluded[~back].reset_index(drop=True), buildable


def _storage(scenario: Scenario, inputs: Inputs):
    """Battery technologies (synergy.storage): names, annualised capex, efficiency, limits."""
    st = inputs["storage"]
    if not scenario.synergy.storage or st.empty:
        return [], np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0)
    crf = np.array([annuity_factor(scenario.finance.discount_rate, y)
                    for y in st["lifetime_years"]])
    return (list(st["storage"]), st["energy_capex_per_mwh"].to_numpy(float) * crf,
            st["power_capex_per_mw"].to_numpy(float) * crf,
            st["round_trip_efficiency"].to_numpy(float),
            st["max_mwh"].fillna(np.inf).to_numpy(float))


def _curtailment(scenario: Scenario, inputs: Inputs, regions, group, weight_agg):
    """(R, T) curtailed surplus MW and its price (synergy.absorb_curtailment), slice-averaged.

    The price of a merged slice is the surplus-weighted mean, so the energy bought costs the
    same as in the original slices."""
    n_t = len(weight_agg)
    cu = inputs["curtailment"]
    if not scenario.synergy.absorb_curtailment or cu.empty:
        return np.zeros((len(regions), n_t)), np.zeros((len(regions), n_t))
    slices0 = list(inputs["slices"]["slice"])
    w0 = inputs["slices"]["weight_h"].to_numpy(float)
    mw0 = _by_slice(cu, "region", regions, "surplus_mw", slices0, 0.0)
    price0 = _by_slice(cu, "region", regions, "price_per_mwh", slices0, 0.0)
    mw = _aggregate(mw0, group, w0, n_t)
    spend = _aggregate(mw0 * price0, group, w0, n_t)
    price = np.divide(spend, mw, out=np.zeros_like(mw), where=mw > 0)
    return mw, price


def _speed(inputs: Inputs, hardware: str, workload: str) -> float:
    """Mtok/h per MW-IT of ``hardware`` on ``workload`` (throughput.csv, any year)."""
    thr, hw = inputs["throughput"], inputs["hardware"]
    tps = float(thr.loc[(thr["hardware"] == hardware) & (thr["workload"] == workload),
                        "tokens_per_s"].iloc[0])
    kw = float(hw.loc[hw["hardware"] == hardware, "kw_per_unit"].iloc[0])
    return tps * 3600.0 / TOKENS_PER_MTOK / (kw / 1000.0)


def _workloads(scenario: Scenario, inputs: Inputs) -> tuple[pd.DataFrame, list[str]]:
    """workloads.csv with the scenario's ``workloads.<class>.<column>`` settings applied, and
    where each class's latency limit comes from (the file, or the scenario key and its
    origin)."""
    df = inputs["workloads"].astype(object)  # a copy; typed again below
    path = inputs.folder / "workloads.csv"
    src = [f"{path} (latency_ms)"] * len(df)
    origin = getattr(scenario, "_origin", None) or {}
    row = {k: i for i, k in enumerate(df["workload"])}
    for k, wl in scenario.workloads.items():
        i = row[k]  # ids are checked before (scenario_id_problems)
        for col, value in wl.settings().items():
            df.at[df.index[i], col] = np.nan if value is None else value
        if "latency_ms" in wl.settings():
            key = f"workloads.{k}.latency_ms"
            where = origin.get(key) or origin.get(f"workloads.{k}") or origin.get("workloads")
            src[i] = f"scenario key '{key}'" + (f" ({where})" if where else "")
    df["latency_ms"] = df["latency_ms"].astype(float)
    df["peak_factor"] = df["peak_factor"].astype(float)
    df["shiftable"] = df["shiftable"].astype(bool)
    return df, src


def _check_scenario_ids(scenario: Scenario, inputs: Inputs) -> None:
    """Scenario keys that name dataset ids must name existing ones (the loader's check, for
    inputs loaded without the scenario)."""
    problems = scenario_id_problems(scenario, inputs.tables)
    if problems:
        raise InputDataError(problems)


def _time_slices(scenario: Scenario, inputs: Inputs):
    """Merge ``hours_per_slice`` consecutive slices of each day; returns the group map.

    With ``time.keep_peak`` the peak hour of each time-fixed class stays a slice of its own:
    its group splits into the hours before it, the peak hour and the hours after it (each
    keeps its own weight, so energy sums are unchanged)."""
    sl = inputs["slices"]
    days = list(dict.fromkeys(sl["day"]))
    n = scenario.time.hours_per_slice
    peaks = peak_rows(inputs) if n > 1 and scenario.time.keep_peak else {}
    peak_hours: dict[tuple, list[int]] = {}
    for row in peaks.values():
        key = (sl["day"].iloc[row], int(sl["hour"].iloc[row]) // n)
        peak_hours.setdefault(key, []).append(int(sl["hour"].iloc[row]))
    keys, group = {}, np.zeros(len(sl), int)
    for i, (day, hour) in enumerate(zip(sl["day"], sl["hour"], strict=True)):
        ps = peak_hours.get((day, int(hour) // n), [])
        seg = 2 * sum(p < hour for p in ps) + (int(hour) in ps)
        key = (day, int(hour) // n, seg)
        group[i] = keys.setdefault(key, len(keys))
    first = {g: i for i, g in reversed(list(enumerate(group)))}
    slices = [sl["slice"].iloc[first[g]] for g in range(len(keys))]
    weight = np.bincount(group, weights=sl["weight_h"].to_numpy(float), minlength=len(keys))
    d_of = {d: i for i, d in enumerate(days)}
    day_idx = np.array([d_of[sl["day"].iloc[first[g]]] for g in range(len(keys))])
    hour = np.array([int(sl["hour"].iloc[first[g]]) for g in range(len(keys))])
    peak_slices = {k: slices[group[row]] for k, row in peaks.items()}
    return slices, weight, day_idx, days, group, hour, peak_slices


def peak_rows(inputs: Inputs) -> dict[str, int]:
    """Row of slices.csv at each time-fixed class's peak (its highest profile factor relative
    to its day's weighted mean, as the demand is read); classes with a flat profile have none."""
    sl, wl = inputs["slices"], inputs["workloads"]
    fixed = list(wl.loc[~wl["shiftable"].to_numpy(bool), "workload"])
    prof = _by_slice(inputs["demand_profile"], "workload", fixed, "factor", list(sl["slice"]),
                     1.0)
    w0 = sl["weight_h"].to_numpy(float)
    day0 = sl["day"].to_numpy(object)
    for d in dict.fromkeys(day0):
        mask = day0 == d
        mean = (prof[:, mask] * w0[mask]).sum(axis=1, keepdims=True) / w0[mask].sum()
        prof[:, mask] /= np.where(mean > 0, mean, 1.0)
    out = {}
    for k, name in enumerate(fixed):
        row = int(np.argmax(prof[k]))
        if prof[k, row] > prof[k].min() * (1 + 1e-9):
            out[name] = row
    return out


def _aggregate(values: np.ndarray, group: np.ndarray, weight0: np.ndarray, n_t: int) -> np.ndarray:
    """Weight-averaged aggregation of a (..., T0) array onto (..., T) slices."""
    w = weight0
    num = np.zeros(values.shape[:-1] + (n_t,))
    den = np.bincount(group, weights=w, minlength=n_t)
    for t0, g in enumerate(group):
        num[..., g] += values[..., t0] * w[t0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def _by_slice(table: pd.DataFrame, row_key: str, rows: list[str], value: str,
              slices0: list[str], default: float) -> np.ndarray:
    """Pivot a long (row_key, slice, value) table into a (rows, T0) array with a default."""
    out = np.full((len(rows), len(slices0)), default, dtype=float)
    if table.empty:
        return out
    r_of = {r: i for i, r in enumerate(rows)}
    t_of = {t: i for i, t in enumerate(slices0)}
    for key, sl, val in zip(table[row_key], table["slice"], table[value], strict=True):
        if key in r_of:
            out[r_of[key], t_of[sl]] = val
    return out


def _demand(scenario, inputs, regions, workloads, group, weight_agg, days, day_idx):
    """demand[r,k,t] Mtok/h = tokens/day x scale x profile factor / 24 / 1e6."""
    sl = inputs["slices"]
    slices0 = list(sl["slice"])
    w0 = sl["weight_h"].to_numpy(float)
    prof = _by_slice(inputs["demand_profile"], "workload", workloads, "factor", slices0, 1.0)
    day0 = sl["day"].to_numpy(object)
    problems = []
    for d in dict.fromkeys(day0):
        mask = day0 == d
        mean = (prof[:, mask] * w0[mask]).sum(axis=1) / w0[mask].sum()
        for k, m in enumerate(mean):
            if m <= 0:
                problems.append(
                    f"{inputs.folder / 'demand_profile.csv'}: workload {workloads[k]}, day {d}: "
                    "all factors are zero; expected a positive shape"
                )
            else:
                prof[k, mask] /= m  # each day's weighted mean is 1 by construction
    if problems:
        raise InputDataError(problems)
    prof = _aggregate(prof, group, w0, len(weight_agg))
    per_day = np.zeros((len(regions), len(workloads)))
    r_of = {r: i for i, r in enumerate(regions)}
    k_of = {k: i for i, k in enumerate(workloads)}
    dm = scenario.demand
    for row in inputs["demand"].itertuples(index=False):
        scale = dm.scale * dm.workload_scale.get(row.workload, 1.0)
        scale *= dm.region_scale.get(row.region, 1.0)
        compute = pd.notna(getattr(row, "mw_it", np.nan))
        # tokens/day -> Mtok/h; a compute class's MW-IT busy is its rate as it is
        rate = row.mw_it if compute else row.tokens_per_day / 24.0 / TOKENS_PER_MTOK
        per_day[r_of[row.region], k_of[row.workload]] = rate * scale
    return per_day[:, :, None] * prof[None, :, :]


def _site_options(scenario: Scenario, inputs: Inputs, locs: pd.DataFrame):
    """Drop options excluded by policy (zone, location, PUE cap); report each with its reason."""
    sites = inputs["site_options"].copy()
    zone = sites["location"].map(locs.set_index("location")["zone"])
    pol = scenario.policy
    cap = zone.map(lambda z: pol.pue_cap.get(z, np.inf))
    reasons = pd.Series("", index=sites.index, dtype=object)
    reasons[zone.isin(pol.exclude_zones)] = "zone excluded by policy.exclude_zones"
    reasons[sites["location"].isin(pol.exclude_locations)] = "excluded by policy.exclude_locations"
    over = (sites["pue"] > cap + 1e-12) & (reasons == "") & (sites["existing_mw"] <= 0)
    reasons[over] = [f"PUE {p:.3f} above the {z} cap {c:.3f}"
                     for p, z, c in zip(sites["pue"][over], zone[over], cap[over], strict=True)]
    dropped = reasons != ""
    excluded = sites.loc[dropped, ["site", "location", "cooling", "pue"]].assign(
        reason=reasons[dropped]
    )
    return sites.loc[~dropped].reset_index(drop=True), excluded.reset_index(drop=True)


def _network(scenario: Scenario, inputs: Inputs, regions_df: pd.DataFrame, locs: pd.DataFrame):
    """Round-trip latency (ms) and transport cost (currency/Mtok), region x location."""
    net = scenario.network
    km = haversine_km(
        regions_df["lat"].to_numpy()[:, None], regions_df["lon"].to_numpy()[:, None],
        locs["lat"].to_numpy()[None, :], locs["lon"].to_numpy()[None, :],
    )
    latency = net.overhead_ms + 2.0 * km * net.route_factor * FIBRE_MS_PER_KM
    cost = net.cost_per_mtok_per_1000km * km / 1000.0
    r_of = {r: i for i, r in enumerate(regions_df.index)}
    l_of = {name: i for i, name in enumerate(locs["location"])}
    for row in inputs["network"].itertuples(index=False):
        i, j = r_of[row.region], l_of[row.location]
        if pd.notna(row.latency_ms):
            latency[i, j] = row.latency_ms
        if pd.notna(row.cost_per_mtok):
            cost[i, j] = row.cost_per_mtok
    return latency, cost


def _location_energy(scenario, inputs, regions_df, locs, location_region, regions, group,
                     weight_agg):
    """Price (time-of-use x price profile x scenario multipliers), green share, emission factor
    per location."""
    n_t = len(weight_agg)
    sl = inputs["slices"]
    w0 = sl["weight_h"].to_numpy(float)
    hours = sl["hour"].to_numpy(int)
    tou = np.ones((len(regions), 24))
    r_of = {r: i for i, r in enumerate(regions)}
    for row in inputs["tou"].itertuples(index=False):
        tou[r_of[row.region], int(row.hour)] = row.multiplier
    base = locs["price_per_mwh"].where(
        locs["price_per_mwh"].notna(), locs["region"].map(regions_df["price_per_mwh"])
    ).to_numpy(float)
    pr = scenario.prices
    mult = np.array([
        pr.scale * pr.zone_scale.get(z, 1.0) * pr.region_scale.get(regions[r], 1.0)
        for z, r in zip(locs["zone"], location_region, strict=True)
    ])
    profile = _by_slice(inputs["price_profile"], "region", regions, "factor", list(sl["slice"]),
                        1.0)
    price0 = (base * mult)[:, None] * tou[location_region][:, hours] * profile[location_region]
    price = _aggregate(price0, group, w0, n_t)
    green = np.repeat(regions_df["green_share"].to_numpy(float)[location_region][:, None], n_t, 1)
    ef = np.repeat(regions_df["ef_tco2_per_mwh"].to_numpy(float)[location_region][:, None], n_t, 1)
    return price, green, ef


def _dedicated_ppa(inputs, regions, l_of, location_region, group, weight_agg):
    """dedicated_supply.csv as PPA options of their location only (same tuple as _ppa): the
    region's capacity factors of the tech x cf_scale (capped at 1), its own max_mw."""
    ded, ren, sl = inputs["dedicated_supply"], inputs["renewables"], inputs["slices"]
    n_t = len(weight_agg)
    out = [], [], [], [], [], []
    for row in ded.itertuples(index=False):
        loc = l_of[row.location]
        cf0 = _by_slice(ren[ren["tech"] == row.tech], "region", regions, "cf",
                        list(sl["slice"]), 0.0)[location_region[loc]]
        cf0 = np.minimum(cf0 * float(row.cf_scale), 1.0)
        cf = _aggregate(cf0[None, :], group, sl["weight_h"].to_numpy(float), n_t)[0]
        for lst, v in zip(out, (loc, row.tech, cf, float(row.cost_per_mw_year),
                                float(row.max_mw) if pd.notna(row.max_mw) else np.inf,
                                float(row.wheeling_per_mwh)), strict=True):
            lst.append(v)
    return (np.array(out[0], int), out[1], np.array(out[2]).reshape(-1, n_t),
            np.array(out[3], float), np.array(out[4], float), np.array(out[5], float))


def _headroom_of_year(inputs, locs: pd.DataFrame, year: int) -> pd.Series:
    """MW of site power each location's grid can supply in ``year``: the grid_headroom.csv
    row of the latest year <= ``year``, else locations.csv ``grid_headroom_mw`` (NaN: none)."""
    out = locs.set_index("location")["grid_headroom_mw"].astype(float)
    by_year = inputs["grid_headroom"]
    if by_year.empty:
        return out
    rows = by_year[by_year["year"] <= year].sort_values("year")
    latest = rows.groupby("location")["headroom_mw"].last()
    out.loc[latest.index] = latest.to_numpy(float)
    return out


def _connection_tiers(inputs) -> np.ndarray:
    """grid_tiers.csv as (N, 3): voltage kV, max MW, cost per year, by max MW."""
    tiers = inputs["grid_tiers"]
    if tiers.empty:
        return np.zeros((0, 3))
    return tiers.sort_values("max_mw")[["voltage_kv", "max_mw", "cost_per_year"]].to_numpy(float)


def _direct_ppa(inputs, regions, location_region, group, weight_agg):
    """direct_line.csv as PPA options (same tuple as _ppa) at every location of its region:
    the region's wheeled offer of the tech (ppa.csv) for energy, plus the line cost per MW;
    its ``charge_per_mwh`` in place of wheeling; the region's direct-line MW as the cap."""
    direct = inputs["direct_line"]
    n_t = len(weight_agg)
    empty = (np.zeros(0, int), [], np.zeros((0, n_t)), np.zeros(0), np.zeros(0), np.zeros(0))
    if direct.empty:
        return empty
    wheeled = _ppa(inputs, regions, location_region, group, weight_agg)
    offer = direct.set_index(["region", "tech"])
    out = [], [], [], [], [], []
    for p, (loc, tech) in enumerate(zip(wheeled[0], wheeled[1], strict=True)):
        key = (regions[location_region[loc]], tech)
        if key not in offer.index:
            continue
        row = offer.loc[key]
        cap = float(row["max_mw"]) if pd.notna(row["max_mw"]) else np.inf
        for lst, v in zip(out, (loc, tech, wheeled[2][p],
                                wheeled[3][p] + float(row["line_cost_per_mw_year"]), cap,
                                float(row["charge_per_mwh"])), strict=True):
            lst.append(v)
    if not out[0]:
        return empty
    return (np.array(out[0], int), out[1], np.array(out[2]).reshape(-1, n_t),
            np.array(out[3], float), np.array(out[4], float), np.array(out[5], float))


def _with_direct(ppa, dedicated, direct):
    """PPA options so far, then the direct-line ones; and which are direct."""
    merged, _flag = _with_dedicated(ppa, direct)
    flag = np.concatenate([np.zeros(len(ppa[0]), bool), np.ones(len(direct[0]), bool)])
    return merged, flag


def _with_dedicated(ppa, ded):
    """Regional PPA options, then the dedicated ones; and which are dedicated."""
    merged = (np.concatenate([ppa[0], ded[0]]).astype(int), [*ppa[1], *ded[1]],
              np.vstack([ppa[2], ded[2]]), *(np.concatenate([a, b]) for a, b in
                                              zip(ppa[3:], ded[3:], strict=True)))
    flag = np.concatenate([np.zeros(len(ppa[0]), bool), np.ones(len(ded[0]), bool)])
    return merged, flag


def _ppa(inputs, regions, location_region, group, weight_agg):
    """One PPA option per (location, tech) where the region offers that tech and has a cf.

    ``max_mw`` is the region's cap for the tech, shared by all its locations (the model sums
    the options of one region and tech against it); ``wheeling_per_mwh`` is charged on the
    energy used."""
    ppa, ren = inputs["ppa"], inputs["renewables"]
    sl = inputs["slices"]
    slices0 = list(sl["slice"])
    w0 = sl["weight_h"].to_numpy(float)
    n_t = len(weight_agg)
    loc_i, techs, cfs, costs, caps, wheel = [], [], [], [], [], []
    if ppa.empty or ren.empty:
        return np.zeros(0, int), [], np.zeros((0, n_t)), np.zeros(0), np.zeros(0), np.zeros(0)
    for tech in sorted(set(ppa["tech"])):
        cf0 = _by_slice(ren[ren["tech"] == tech], "region", regions, "cf", slices0, 0.0)
        cf = _aggregate(cf0, group, w0, n_t)
        offer = ppa[ppa["tech"] == tech].set_index("region")
        for loc, r in enumerate(location_region):
            name = regions[r]
            if name not in offer.index or cf[r].max() <= 0:
                continue
            loc_i.append(loc)
            techs.append(tech)
            cfs.append(cf[r])
            costs.append(float(offer.at[name, "cost_per_mw_year"]))
            cap = offer.at[name, "max_mw"]
            caps.append(float(cap) if pd.notna(cap) else np.inf)
            wheel.append(float(offer.at[name, "wheeling_per_mwh"]))
    order = sorted(range(len(loc_i)), key=lambda i: (loc_i[i], techs[i]))
    return (np.array([loc_i[i] for i in order], int), [techs[i] for i in order],
            np.array([cfs[i] for i in order]).reshape(-1, n_t),
            np.array([costs[i] for i in order], float), np.array([caps[i] for i in order], float),
            np.array([wheel[i] for i in order], float))
