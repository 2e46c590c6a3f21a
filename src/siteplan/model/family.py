"""What a constraint family is: one module that owns its variables and rows, its cost entries,
its result read-back and what the elastic re-solve may do with its rows.

A family module defines (and :class:`Family` states as a protocol):

- ``NAME``: its name in docs/model.md;
- ``ROWS``: every constraint component it adds, each :class:`Soft` (may give in the elastic
  re-solve, with its penalty weights and a description in planning units) or :class:`Hard`
  (physics or bookkeeping, never relaxed);
- ``applies(data)``: whether the scenario switches its rows on (benchmark builders that lack
  a family refuse data it applies to);
- ``add(ctx)``: its variables, rows and cost entries on one year (:mod:`siteplan.model.context`);
- ``read(ctx, res)``: its variables' values the results need, as named arrays.

The families and their build order are listed once, in :mod:`siteplan.model.families`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext

TOKENS_PER_MTOK = 1e6
MAX_NAMED = 5  # places named in one description line


@dataclass(frozen=True)
class Scales:
    """Natural sizes of a scenario: each soft row's slack is divided by its family's, so one
    unit of penalty is "1 of the scenario's total" (elastic.py)."""

    annual_mtok: float  # Mtok/yr of all demand
    need_mw: float  # peak IT MW the demand needs at the best throughput and the ceiling
    energy_mwh: float  # facility MWh/yr of that work
    tco2: float  # emissions of that energy at the dirtiest grid
    class_annual: np.ndarray  # (K,) Mtok/yr per class
    hours: float


Weight = Callable[[BuildContext, Scales, int], np.ndarray]  # penalty per unit slack, per row
Describe = Callable[[BuildContext, np.ndarray, Any], str]  # (ctx, slack per row, result)


@dataclass(frozen=True)
class Soft:
    """Rows that may give in the elastic re-solve."""

    weight: Weight
    describe: Describe


@dataclass(frozen=True)
class Hard:
    """Rows that stand for physics or bookkeeping: never relaxed."""

    why: str


class Family(Protocol):
    NAME: str
    ROWS: Mapping[str, Soft | Hard]

    def applies(self, d: ModelData) -> bool: ...

    def add(self, ctx: BuildContext) -> None: ...

    def read(self, ctx: BuildContext, res: Any) -> dict[str, np.ndarray]: ...


# --- shared wording of the descriptions ---------------------------------------------------------
def tokens_per_day(d: ModelData, annual_mtok: float) -> float:
    """Mtok/yr -> tokens/day."""
    return annual_mtok * TOKENS_PER_MTOK / (float(d.slice_weight_h.sum()) / 24.0)


def top(items: list[tuple[str, float]], fmt: Callable[[float], str]) -> str:
    """The largest positive items, named with ``fmt``, and how many more there are."""
    items = sorted((i for i in items if i[1] > 0), key=lambda x: (-x[1], x[0]))
    shown = ", ".join(f"{name} {fmt(v)}" for name, v in items[:MAX_NAMED])
    return shown + (f" and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else "")


def num(x: float) -> str:
    """A number to 4 significant digits, with thousands separators."""
    return f"{x:,.4g}"


def per_unit(n: int, value: float) -> np.ndarray:
    """The same weight for every row."""
    return np.full(n, value)
