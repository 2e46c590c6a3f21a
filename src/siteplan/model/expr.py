"""Small helpers to build linear Pyomo expressions without operator overloading."""

from __future__ import annotations

from collections.abc import Sequence

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression


def lin(coefs: Sequence[float], variables: Sequence, constant: float = 0.0) -> LinearExpression:
    """``constant + sum(c_i * v_i)`` built in one step (lists of equal length)."""
    return LinearExpression(
        constant=constant, linear_coefs=[float(c) for c in coefs], linear_vars=list(variables)
    )


def indexed_constraint(m: pyo.Block, name: str, exprs: list) -> pyo.Constraint:
    """Attach ``exprs`` (relational expressions) as ``m.<name>[0..n-1]``."""
    con = pyo.Constraint(range(len(exprs)), rule=lambda _m, i: exprs[i])
    setattr(m, name, con)
    return con
