"""The cost-term registry: each family registers its annual cost terms here.

The objective is the sum of the registered terms, so the cost breakdown reported in the
results is the objective by construction.
"""

from __future__ import annotations

import pyomo.environ as pyo

COST_TERMS = (
    "fixed",  # opening cost of site options (currency/yr)
    "hardware",  # annualised accelerator capital
    "facility",  # annualised building + cooling capital
    "connection",  # grid connection sized to the site's MW (on top of "fixed")
    "opex",  # facility O&M, staff, insurance; hardware support and insurance
    "electricity",  # grid energy at time-of-use prices
    "ppa",  # contracted renewable capacity
    "certificates",  # green certificates
    "storage",  # annualised battery energy and power capital
    "curtailment",  # curtailed renewable energy bought
    "network",  # moving tokens region <-> site
    "carbon",  # carbon price x grid emissions
    "unserved",  # value of unserved demand
)


def add_cost(m: pyo.Block, term: str, expr) -> None:
    """Register ``expr`` (currency/yr) under ``term``; several adds to one term are summed."""
    if term not in COST_TERMS:
        raise KeyError(f"unknown cost term {term!r}")
    m._cost_parts.setdefault(term, []).append(expr)


def attach_cost_expressions(m: pyo.Block) -> None:
    """Create ``m.e_cost[term]`` for every term (zero where nothing registered)."""
    parts = m._cost_parts
    m.COST_TERMS = pyo.Set(initialize=COST_TERMS, ordered=True)
    m.e_cost = pyo.Expression(
        m.COST_TERMS, rule=lambda _m, term: sum(parts.get(term, [])) if parts.get(term) else 0.0
    )
