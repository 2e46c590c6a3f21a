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
    linking,
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
from siteplan.model.layout import make_layout


def build_model(data: ModelData) -> pyo.ConcreteModel:
    """Pyomo model of one planning year; families are added in dependency order."""
    m = pyo.ConcreteModel(name=data.name)
    add_year(m, data)
    objective.add(m, m._data, m._layout)  # e_cost[term], e_total_cost, obj
    return m


def add_year(m: pyo.Block, data: ModelData) -> None:
    """Families 1-11 of one year on block ``m`` (a model, or one year of a pathway)."""
    layout = make_layout(data)
    m._data, m._layout, m._cost_parts = data, layout, {}
    siting.add(m, data, layout)       # 4  v_open, v_cap_mw, c_build_*, c_one_option_per_location
    demand.add(m, data, layout)       # 1  v_serve_mtok_h, v_unserved_mtok_h, c_demand_*
    routing.add(m, data, layout)      # 2  v_process_mtok_h, c_routing
    capacity.add(m, data, layout)     # 3  c_capacity
    utilisation.add(m, data, layout)  # 5  c_utilisation_floor
    power.add(m, data, layout)        # 6  v_grid_mw, v_ppa_mw, v_ppa_use_mw
    curtailment.add(m, data, layout)  # 9  v_curtail_mw, c_curtailment_available
    storage.add(m, data, layout)      # 10 v_storage_mwh/_mw, v_charge_mw, v_soc_mwh, c_storage_*
    power.add_balance(m, data, layout)  # 6 c_power_balance (grid + clean = pue x it), c_ppa_output
    green.add(m, data, layout)        # 7  v_gec_mwh, c_green_share, c_site_green_share
    hourly.add(m, data, layout)       # 11 c_hourly_clean
    carbon.add(m, data, layout)       # 8a e_emissions_t, c_carbon_cap
    resilience.add(m, data, layout)   # 8b c_site_share
    sourcing.add(m, data, layout)     # 8c v_assign, c_single_source_*
    moves.add(m, data, layout)        # 8d c_pin_site_share
    linking.add(m, data, layout)      # 13 c_strong_link (flow <= demand x open)


def build_pathway_model(P: PathwayData) -> pyo.ConcreteModel:
    """One block per modelled year (families 1-11), linked by family 12 (vintages)."""
    m = pyo.ConcreteModel(name=P.data[0].name)
    m.year = pyo.Block(range(len(P.years)))
    for i, data in enumerate(P.data):
        add_year(m.year[i], data)
    m._year_blocks = [m.year[i] for i in range(len(P.years))]
    vintage.add(m, P)                 # 12 v_build_mw, v_fac_build_mw, c_vintage_*, c_stay_open
    objective.add_pathway(m, P)       #    e_cost[term] per year, e_npc, obj
    return m
