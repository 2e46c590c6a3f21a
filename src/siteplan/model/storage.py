"""Family 10, storage: batteries at sites, sized by the plan, charged from clean supply only.

With ``synergy.storage``, for every location l and storage technology b (storage.csv), the
energy e[l,b] (MWh) and power p[l,b] (MW) are investments; per slice t of day d, with
dt_t = 24 w_t / W_d the clock hours one occurrence of the slice lasts and eta_b the
round-trip efficiency (all loss taken on charging):
    soc[l,b,t] = soc[l,b,prev_d(t)] + eta_b dt_t ch[l,b,t] - dt_t dis[l,b,t]   (MWh; cyclic:
                 prev_d of a day's first slice is its last, so each day ends where it began)
    soc <= e;  ch <= p;  dis <= p;  e <= max_mwh_b                              (MWh, MW)
    sum_b ch[l,b,t] <= clean[l,t] before storage (PPA output used + curtailed energy)  (MW)
Charging only from clean supply keeps what is discharged clean: dis - ch is registered as
clean supply in the power balance and in the green rows.
Costs: storage capex_e[b] e + capex_p[b] p (annualised with the discount rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard
from siteplan.model.layout import Layout
from siteplan.model.power import clean_terms

NAME = "storage"


@dataclass(frozen=True)
class StorageHandles:
    locations: list[int]  # locations with storage units, in variable order (x technologies)


def previous_slice(d: ModelData, L: Layout) -> np.ndarray:
    """(T,) the slice before each slice within its day (by hour), cyclically."""
    prev = np.zeros(L.n_t, int)
    for ts in L.day_slices:
        ts = ts[np.argsort(d.slice_hour[ts], kind="stable")]
        prev[ts] = np.roll(ts, 1)
    return prev


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, B = L.n_t, len(d.storage)
    locs = [int(v) for v in L.active_locations] if B else []
    n = len(locs) * B  # unit j = (location i, technology b) = i * B + b
    ctx.handles[NAME] = StorageHandles(locs)
    cap = {j: (0, None if np.isinf(d.storage_max_mwh[j % B]) else float(d.storage_max_mwh[j % B]))
           for j in range(n)}
    m.v_storage_mwh = pyo.Var(range(n), domain=pyo.NonNegativeReals,
                              bounds=lambda _m, j: cap[j])
    m.v_storage_mw = pyo.Var(range(n), domain=pyo.NonNegativeReals)
    m.v_charge_mw = pyo.Var(range(n * T), domain=pyo.NonNegativeReals)
    m.v_discharge_mw = pyo.Var(range(n * T), domain=pyo.NonNegativeReals)
    m.v_soc_mwh = pyo.Var(range(n * T), domain=pyo.NonNegativeReals)
    e, p, ch, dis, soc = (m.v_storage_mwh, m.v_storage_mw, m.v_charge_mw, m.v_discharge_mw,
                          m.v_soc_mwh)
    dt, prev = d.slice_duration_h(), previous_slice(d, L)
    balance, energy, power, clean = [], [], [], []
    for i, loc in enumerate(locs):
        for t in range(T):
            c, v = clean_terms(ctx, loc, t)  # PPA and curtailment: storage not yet registered
            chs = [ch[(i * B + b) * T + t] for b in range(B)]
            clean.append(lin([1.0] * B + [-ci for ci in c], chs + v) <= 0)
        for b in range(B):
            j = i * B + b
            eta = float(d.storage_efficiency[b])
            for t in range(T):
                k = j * T + t
                balance.append(lin([1.0, -1.0, -eta * dt[t], dt[t]],
                                   [soc[k], soc[j * T + prev[t]], ch[k], dis[k]]) == 0)
                energy.append(lin([1.0, -1.0], [soc[k], e[j]]) <= 0)
                power.append(lin([1.0, -1.0], [ch[k], p[j]]) <= 0)
                power.append(lin([1.0, -1.0], [dis[k], p[j]]) <= 0)
                ctx.clean.add(loc, t, 1.0, dis[k])
                ctx.clean.add(loc, t, -1.0, ch[k])
    indexed_constraint(m, "c_storage_soc", balance)
    indexed_constraint(m, "c_storage_energy", energy)
    indexed_constraint(m, "c_storage_power", power)
    indexed_constraint(m, "c_storage_clean_charge", clean)
    for capex, var in ((d.storage_capex_per_mwh, e), (d.storage_capex_per_mw, p)):
        for i, loc in enumerate(locs):  # all energy entries first, then all power entries
            ctx.costs.add("storage", capex, [var[i * B + b] for b in range(B)],
                          sites=L.sites_of_location[loc])


def applies(d: ModelData) -> bool:
    return len(d.storage) > 0


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """(all locations, T) ``charge_mw``, ``discharge_mw``, ``soc_mwh``; (all locations,)
    ``storage_mwh``, ``storage_mw`` (summed over technologies)."""
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, n_l, B = L.n_t, len(d.locations), len(d.storage)
    out = {k: np.zeros((n_l, T)) for k in ("charge_mw", "discharge_mw", "soc_mwh")}
    out.update({k: np.zeros(n_l) for k in ("storage_mwh", "storage_mw")})
    locs = ctx.handle(NAME).locations
    if locs:
        for key, var in (("charge_mw", m.v_charge_mw), ("discharge_mw", m.v_discharge_mw),
                         ("soc_mwh", m.v_soc_mwh)):
            out[key][locs] = res.values(var).reshape(len(locs), B, T).sum(axis=1)
        out["storage_mwh"][locs] = res.values(m.v_storage_mwh).reshape(len(locs), B).sum(axis=1)
        out["storage_mw"][locs] = res.values(m.v_storage_mw).reshape(len(locs), B).sum(axis=1)
    return out


ROWS = {
    "c_storage_soc": Hard("energy conservation in the battery"),
    "c_storage_energy": Hard("state of charge within the energy built"),
    "c_storage_power": Hard("charge and discharge within the power built"),
    "c_storage_clean_charge": Hard("batteries charge from clean supply only"),
}
