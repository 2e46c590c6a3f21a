"""Family 6 (rows), power balance: facility power = PUE x IT power, met by grid and clean
supply, and PPA output within its capacity factor (variables and costs: power.py).

Per location l (at most one option opens there, so this is exact):
    grid[l,t] + clean[l,t] = sum_{s at l} pue[s] it[s,t]                       (MW)
    ppa[p,t] <= cf[p,t] ppa_mw[p]                                              (MW)
clean[l,t] = PPA output used + every term registered in the clean-supply ledger (curtailment,
storage): built after them.
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard
from siteplan.model.power import clean_terms, it_terms

NAME = "balance"


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    T = L.n_t
    balance = []
    for i, loc in enumerate(L.active_locations):
        for t in range(T):
            c, v = clean_terms(ctx, int(loc), t)
            coefs, vs = [1.0, *c], [m.v_grid_mw[i * T + t], *v]
            for s in L.sites_of_location[int(loc)]:
                c, v = it_terms(ctx, s, t)
                coefs += [-d.site_pue[s] * ci for ci in c]
                vs += v
            balance.append(lin(coefs, vs) == 0)
    indexed_constraint(m, "c_power_balance", balance)
    use, output = m.v_ppa_use_mw, []
    for p in range(len(d.ppa_location)):
        for t in range(T):
            output.append(lin([1.0, -d.ppa_cf[p, t]], [use[p * T + t], m.v_ppa_mw[p]]) <= 0)
    indexed_constraint(m, "c_ppa_output", output)


def applies(d: ModelData) -> bool:
    return True


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    return {}


ROWS = {
    "c_power_balance": Hard("energy conservation at each location"),
    "c_ppa_output": Hard("a PPA delivers at most its capacity factor"),
}
