"""What the families of one modelled year share while it is built, and what results read back.

Nothing is kept on the Pyomo block but its components (variables, rows, expressions): the data,
the layout, the cost ledger, the clean-supply ledger and each family's handles (index maps a
family hands to the ones after it, and to its read-back) live in a :class:`BuildContext`.
A built model is a :class:`Built`: the Pyomo model and one context per modelled year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.costs import CostLedger
from siteplan.model.layout import Layout


class CleanSupply:
    """Clean supply (MW) families register per (location, slice) before the power balance is
    written: curtailed energy bought, storage discharge - charge. PPA output is power's own."""

    def __init__(self) -> None:
        self._terms: dict[tuple[int, int], list[tuple[float, Any]]] = {}

    def add(self, loc: int, t: int, coef: float, var) -> None:
        """Register ``coef x var`` (MW) at location ``loc`` in slice ``t``."""
        self._terms.setdefault((loc, t), []).append((coef, var))

    def terms(self, loc: int, t: int) -> list[tuple[float, Any]]:
        return self._terms.get((loc, t), [])


@dataclass
class BuildContext:
    """One modelled year: its Pyomo block, data, layout, ledgers and the families' handles."""

    block: pyo.Block
    data: ModelData
    layout: Layout
    pathway: bool = False  # one year of a pathway: capital is paid by vintages (family 12)
    costs: CostLedger = field(default_factory=CostLedger)
    clean: CleanSupply = field(default_factory=CleanSupply)
    handles: dict[str, Any] = field(default_factory=dict)  # family name -> its handles
    cache: dict[str, Any] = field(default_factory=dict)  # build-time memo (coefficients)

    def handle(self, family: str):
        """The handles family ``family`` registered (KeyError if it has not been built)."""
        return self.handles[family]


@dataclass
class Built:
    """A built model: the Pyomo model and one context per modelled year (the model itself is
    the only year of a single-year run)."""

    model: pyo.ConcreteModel
    years: list[BuildContext]

