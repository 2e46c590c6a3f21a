"""FAMILIES: the constraint families of one modelled year, in build order (docs/model.md).

The order is a dependency order; a family uses only what families before it built:
- build (siting) makes open[s] and cap[s,h]; demand makes the served and unserved rates;
  token value splits the unserved rates into value tiers (revenue foregone);
- routing makes the work done per site, class and hardware from demand's rates; capacity,
  headroom and utilisation bound that work by build's capacity, chip supply caps it per
  hardware class, whole units count it in systems and modules;
- power makes the grid and PPA variables; curtailment and storage register clean supply in
  the context's ledger (storage charges from what is registered before it); balance writes
  the power balance once every clean supply is registered;
- green, hourly matching, carbon and water read grid, clean supply and IT power; resilience,
  share caps, N-1 (build's capacity),
  single-sourcing and moves bound routing and demand's rates; strong linking bounds them by
  build's open[s].
Columns and rows reach HiGHS in this order, so changing it changes the solver's path.

A pathway links its years' blocks with ``LINKS`` (family 12, vintages); a plan across futures
links its futures' blocks with ``FUTURE_LINKS`` (family 17).
"""

from __future__ import annotations

from siteplan.model import (
    balance,
    capacity,
    carbon,
    chips,
    connection,
    curtailment,
    demand,
    futures,
    green,
    headroom,
    hourly,
    linking,
    modules,
    moves,
    n_minus_1,
    power,
    resilience,
    routing,
    shares,
    siting,
    sourcing,
    storage,
    utilisation,
    value,
    vintage,
    water,
)
from siteplan.model.family import Family

FAMILIES: tuple[Family, ...] = (
    siting,       # 4  v_open, v_cap_mw, c_build_*, c_one_option_per_location
    connection,   # 4c v_connection, c_connection_tier (grid_tiers.csv)
    demand,       # 1  v_serve_mtok_h, v_unserved_mtok_h, c_demand_*
    value,        # 16 v_foregone_mtok_h, c_value_split, c_value_tier (objective margin)
    routing,      # 2  v_process_mtok_h, c_routing, c_routing_daily, c_shift_peak
    capacity,     # 3  c_capacity
    headroom,     # 3b c_peak_headroom (policy.peak_headroom > 1)
    chips,        # 15 c_chip_supply (fleet per capped hardware <= its supply)
    modules,      # 18 v_systems, v_modules, c_whole_systems, c_whole_modules
    utilisation,  # 5  c_utilisation_floor
    power,        # 6  v_grid_mw, v_ppa_mw, v_ppa_use_mw
    curtailment,  # 9  v_curtail_mw, c_curtailment_available
    storage,      # 10 v_storage_mwh/_mw, v_charge_mw, v_soc_mwh, c_storage_*
    balance,      # 6  c_power_balance (grid + clean = pue x it), c_ppa_output
    green,        # 7  v_gec_mwh, c_green_share, c_site_green_share, c_certificate_cap
    hourly,       # 11 c_hourly_clean
    carbon,       # 8a e_emissions_t, c_carbon_cap
    resilience,   # 8b c_site_share
    shares,       # 8e c_max_share (share of national MW-IT per location/province/grid region)
    n_minus_1,    # 8f v_n1_reserve_mw, v_n1_union_mtok_h, c_n1_reserve, c_n1_union, c_n_minus_1
    sourcing,     # 8c v_assign, c_single_source_*
    moves,        # 8d c_pin_site_share
    linking,      # 13 c_strong_link (flow <= demand x open)
    water,        # 14 c_water_cap
)

LINKS = (vintage,)  # 12 v_build_mw, v_fac_build_mw, c_vintage_*, c_stay_open (pathways)
FUTURE_LINKS = (futures,)  # 17 c_future_open, c_future_capacity, c_cvar_excess (futures)


def names() -> list[str]:
    """Every family's name, per-year families in build order, then the linking ones."""
    return [f.NAME for f in (*FAMILIES, *LINKS, *FUTURE_LINKS)]


def require(d, implemented: frozenset[str], builder: str) -> None:
    """For another model builder (benchmarks/): refuse data that switches on a family it does
    not implement. ``implemented`` must name families of this registry."""
    unknown = sorted(implemented - set(names()))
    if unknown:
        raise ValueError(f"{builder}: unknown families {', '.join(unknown)}; expected names "
                         f"from siteplan.model.families: {', '.join(names())}")
    missing = [f.NAME for f in FAMILIES if f.NAME not in implemented and f.applies(d)]
    if missing:
        raise NotImplementedError(f"{builder} does not build {', '.join(missing)}, which this "
                                  "scenario switches on")


def family_of_row(name: str):
    """The family (per year or linking) that declares constraint component ``name``."""
    for f in (*FAMILIES, *LINKS, *FUTURE_LINKS):
        if name in f.ROWS:
            return f
    raise KeyError(f"constraint {name!r} belongs to no family")
