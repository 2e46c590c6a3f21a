"""``build_model``: a year is its families (families.py), in order; a pathway links years."""

from __future__ import annotations

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.inputs.pathway import PathwayData
from siteplan.model import objective, vintage
from siteplan.model.context import BuildContext, Built
from siteplan.model.families import FAMILIES
from siteplan.model.layout import make_layout


def build_model(data: ModelData) -> Built:
    """Pyomo model of one planning year; families are added in dependency order."""
    m = pyo.ConcreteModel(name=data.name)
    ctx = add_year(m, data)
    objective.add(m, ctx)  # e_cost[term], e_total_cost, obj
    return Built(m, [ctx])


def add_year(m: pyo.Block, data: ModelData, pathway: bool = False) -> BuildContext:
    """Every family of one year on block ``m`` (a model, or one year of a pathway)."""
    ctx = BuildContext(m, data, make_layout(data), pathway=pathway)
    for family in FAMILIES:  # in dependency order (families.py)
        family.add(ctx)
    return ctx


def build_pathway_model(P: PathwayData) -> Built:
    """One block per modelled year (families 1-11), linked by family 12 (vintages)."""
    m = pyo.ConcreteModel(name=P.data[0].name)
    m.year = pyo.Block(range(len(P.years)))
    years = [add_year(m.year[i], data, pathway=True) for i, data in enumerate(P.data)]
    vintage.add(m, P, years)          # 12 v_build_mw, v_fac_build_mw, c_vintage_*, c_stay_open
    objective.add_pathway(m, P, years)  # e_cost[term] per year, e_npc, obj
    return Built(m, years)
