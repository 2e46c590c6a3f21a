"""``build_model``: the table of contents of the planning model (docs/model.md)."""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.inputs.pathway import PathwayData
from siteplan.model import (
    capacity,
    carbon,
    curtailment,
    demand,
    green,
    hourly,
    moves,
    objective,
    power,
    resilience,
    routing,
    siting,
    sourcing,
    storage,
    utilisation,
    vintage,
)
from siteplan.model.context import BuildContext, Built
from siteplan.model.layout import make_layout


def build_model(data: ModelData) -> Built:
    """Pyomo model of one planning year; families are added in dependency order."""
    m = pyo.ConcreteModel(name=data.name)
    ctx = add_year(m, data)
    objective.add(m, ctx)  # e_cost[term], e_total_cost, obj
    return Built(m, [ctx])


def add_year(m: pyo.Block, data: ModelData, pathway: bool = False) -> BuildContext:
    """Families 1-11 of one year on block ``m`` (a model, or one year of a pathway)."""
    ctx = BuildContext(m, data, make_layout(data), pathway=pathway)
    siting.add(ctx)       # 4  v_open, v_cap_mw, c_build_*, c_one_option_per_location
    demand.add(ctx)       # 1  v_serve_mtok_h, v_unserved_mtok_h, c_demand_*
    routing.add(ctx)      # 2  v_process_mtok_h, c_routing
    capacity.add(ctx)     # 3  c_capacity
    utilisation.add(ctx)  # 5  c_utilisation_floor
    power.add(ctx)        # 6  v_grid_mw, v_ppa_mw, v_ppa_use_mw
    curtailment.add(ctx)  # 9  v_curtail_mw, c_curtailment_available
    storage.add(ctx)      # 10 v_storage_mwh/_mw, v_charge_mw, v_soc_mwh, c_storage_*
    power.add_balance(ctx)  # 6 c_power_balance (grid + clean = pue x it), c_ppa_output
    green.add(ctx)        # 7  v_gec_mwh, c_green_share, c_site_green_share
    hourly.add(ctx)       # 11 c_hourly_clean
    carbon.add(ctx)       # 8a e_emissions_t, c_carbon_cap
    resilience.add(ctx)   # 8b c_site_share
    sourcing.add(ctx)     # 8c v_assign, c_single_source_*
    moves.add(ctx)        # 8d c_pin_site_share
    return ctx


def build_pathway_model(P: PathwayData) -> Built:
    """One block per modelled year (families 1-11), linked by family 12 (vintages)."""
    m = pyo.ConcreteModel(name=P.data[0].name)
    m.year = pyo.Block(range(len(P.years)))
    years = [add_year(m.year[i], data, pathway=True) for i, data in enumerate(P.data)]
    vintage.add(m, P, years)          # 12 v_build_mw, v_fac_build_mw, c_vintage_*, c_stay_open
    objective.add_pathway(m, P, years)  # e_cost[term] per year, e_npc, obj
    return Built(m, years)
