"""The cost ledger: every annual cost term is registered once, with what it belongs to.

An entry is (term, the site options it belongs to, the demand class it belongs to, coefficients
in currency/yr per unit, variables). The objective, the cost breakdown and the per-site and
per-class breakdowns in the results are all read from the same entries, so they agree by
construction.

Ownership: an entry of one option (its opening, its capital) names that option; an entry of a
location (its grid energy, PPA, certificates, storage, curtailment) names the location's
options, and is split among them by their facility energy when read back (at most one option
per location opens, so it goes whole to the open one); network and unserved demand belong to
no option, but to a demand class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.model.expr import lin

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


@dataclass(frozen=True)
class CostEntry:
    term: str
    sites: tuple[int, ...]  # options it belongs to (one, a location's options, or none)
    workload: int | None  # demand class it belongs to, where one is defined
    coefs: np.ndarray  # currency/yr per unit of each variable
    variables: list


class CostLedger:
    """The cost entries of one modelled year, in registration order."""

    def __init__(self) -> None:
        self.entries: list[CostEntry] = []

    def add(self, term: str, coefs: Sequence[float], variables: Sequence,
            sites: Sequence[int] = (), workload: int | None = None) -> None:
        """Register sum(coefs x variables) (currency/yr) under ``term``."""
        if term not in COST_TERMS:
            raise KeyError(f"unknown cost term {term!r}")
        c = np.asarray(coefs, dtype=float)
        if len(c) != len(variables):
            raise ValueError(f"cost term {term!r}: {len(c)} coefficients, {len(variables)} "
                             "variables")
        self.entries.append(CostEntry(term, tuple(int(s) for s in sites), workload, c,
                                      list(variables)))

    def drop(self, term: str) -> None:
        """Remove every entry of ``term`` (a pathway replaces a year's capital costs)."""
        self.entries = [e for e in self.entries if e.term != term]

    def expression(self, term: str):
        """sum of the term's entries as one linear expression (0 if it has none)."""
        entries = [e for e in self.entries if e.term == term]
        if not entries:
            return 0.0
        coefs = np.concatenate([e.coefs for e in entries])
        return lin(coefs, [v for e in entries for v in e.variables])

    def attach(self, m: pyo.Block) -> None:
        """``m.e_cost[term]`` for every term and ``m.e_total_cost`` (currency/yr)."""
        m.COST_TERMS = pyo.Set(initialize=COST_TERMS, ordered=True)
        m.e_cost = pyo.Expression(m.COST_TERMS, rule=lambda _m, t: self.expression(t))
        m.e_total_cost = pyo.Expression(expr=sum(m.e_cost[t] for t in COST_TERMS))

    def values(self, value_of) -> list[float]:
        """Each entry's value (currency/yr); ``value_of(variables)`` gives their values."""
        return [float(e.coefs @ value_of(e.variables)) if len(e.coefs) else 0.0
                for e in self.entries]

    def breakdown(self, values: list[float]) -> dict[str, float]:
        """Currency/yr per term."""
        out = dict.fromkeys(COST_TERMS, 0.0)
        for e, v in zip(self.entries, values, strict=True):
            out[e.term] += v
        return out

    def by_site(self, values: list[float], split: np.ndarray) -> dict[str, np.ndarray]:
        """(S,) currency/yr of each option per term. ``split[s]`` is option s's share of what
        it owns jointly with others (its share of its location's facility energy)."""
        n_s = len(split)
        out = {t: np.zeros(n_s) for t in COST_TERMS}
        for e, v in zip(self.entries, values, strict=True):
            if len(e.sites) == 1:
                out[e.term][e.sites[0]] += v
            elif e.sites:
                s = np.array(e.sites)
                share = split[s]
                if share.sum() <= 0:  # nothing runs there: shared evenly
                    share = np.full(len(s), 1.0 / len(s))
                out[e.term][s] += v * share / share.sum()
        return out

    def by_workload(self, values: list[float], n_k: int) -> dict[str, np.ndarray]:
        """(K,) currency/yr of each demand class per term, for entries that name a class."""
        out: dict[str, np.ndarray] = {}
        for e, v in zip(self.entries, values, strict=True):
            if e.workload is not None:
                out.setdefault(e.term, np.zeros(n_k))[e.workload] += v
        return out
