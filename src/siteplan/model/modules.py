"""Family 18, whole units: capacity built in whole systems and whole modules.

Hardware with ``units_per_system`` (hardware.csv; a CloudMatrix super-node is 384 cards), at
every option s:
    cap[s,h] = n[s,h] x mw_per_system[h],   mw_per_system = units_per_system x kw_per_unit / 1000
Options with ``module_mw`` (site_options.csv; a hall, a container, a seabed module):
    sum_h cap[s,h] <= module_mw[s] x m[s]
n and m are integers (continuous with ``solver.integer_sites: false``). The building is paid
for in whole modules: the cost term ``facility`` gets facility[s] x (module_mw[s] m[s] -
sum_h cap[s,h]) on top of what build charges per MW-IT, so an option pays facility[s] x
module_mw[s] per module (single-year runs; a pathway pays facility by its vintages).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext
from siteplan.model.expr import indexed_constraint, lin
from siteplan.model.family import Hard
from siteplan.model.siting import caps_of_site

NAME = "whole units"


@dataclass(frozen=True)
class ModuleHandles:
    system_cols: list[int]  # position in layout.site_hw of each n[s,h]
    module_sites: list[int]  # option of each m[s]


def mw_per_system(d: ModelData) -> np.ndarray:
    """(H,) MW-IT of one system of each hardware class (NaN: bought by the unit)."""
    per = np.asarray(d.hw_units_per_system, dtype=float)
    return per * d.hw_kw_per_unit / 1000.0 if len(per) else np.zeros(0)


def applies(d: ModelData) -> bool:
    sys = np.asarray(d.hw_units_per_system, dtype=float)
    mod = np.asarray(d.site_module_mw, dtype=float)
    return bool(np.isfinite(sys).any() or np.isfinite(mod).any())


def add(ctx: BuildContext) -> None:
    m, d, L = ctx.block, ctx.data, ctx.layout
    integer = pyo.NonNegativeIntegers if d.solver.integer_sites else pyo.NonNegativeReals
    per = mw_per_system(d)
    sys_cols = [j for j, (_s, h) in enumerate(L.site_hw)
                if len(per) and np.isfinite(per[h]) and per[h] > 0]
    mod = np.asarray(d.site_module_mw, dtype=float)
    mod_sites = [s for s in range(len(d.sites))
                 if len(mod) and np.isfinite(mod[s]) and mod[s] > 0]

    def ub_sys(_m, i):
        s, h = L.site_hw[sys_cols[i]]
        return (0, math.ceil(d.site_max_mw[s] / per[h] - 1e-9))

    def ub_mod(_m, i):
        s = mod_sites[i]
        return (0, math.ceil(d.site_max_mw[s] / mod[s] - 1e-9))

    m.v_systems = pyo.Var(range(len(sys_cols)), domain=integer, bounds=ub_sys)
    m.v_modules = pyo.Var(range(len(mod_sites)), domain=integer, bounds=ub_mod)
    whole = []
    for i, j in enumerate(sys_cols):
        h = L.site_hw[j][1]
        whole.append(lin([1.0, -float(per[h])], [m.v_cap_mw[j], m.v_systems[i]]) == 0)
    indexed_constraint(m, "c_whole_systems", whole)
    caps = caps_of_site(ctx)
    halls = []
    for i, s in enumerate(mod_sites):
        vs = [m.v_cap_mw[j] for j in caps[s]]
        halls.append(lin([1.0] * len(vs) + [-float(mod[s])], vs + [m.v_modules[i]]) <= 0)
    indexed_constraint(m, "c_whole_modules", halls)
    ctx.handles[NAME] = ModuleHandles(sys_cols, mod_sites)
    if ctx.pathway:
        return
    for i, s in enumerate(mod_sites):  # the unused part of the last module is paid too
        rate = float(d.site_facility_cost_per_mw[s])
        if rate > 0:
            vs = [m.v_cap_mw[j] for j in caps[s]]
            ctx.costs.add("facility", [rate * mod[s]] + [-rate] * len(vs),
                          [m.v_modules[i]] + vs, sites=[s])


def read(ctx: BuildContext, res) -> dict[str, np.ndarray]:
    """``modules`` (S,) and ``systems`` (S, H): whole units built (NaN where not counted)."""
    d, L = ctx.data, ctx.layout
    h_ = ctx.handles.get(NAME)
    modules = np.full(len(d.sites), np.nan)
    systems = np.full((len(d.sites), len(d.hardware)), np.nan)
    if h_ is not None:
        if h_.module_sites:
            modules[h_.module_sites] = res.values(ctx.block.v_modules)
        if h_.system_cols:
            vals = res.values(ctx.block.v_systems)
            for i, j in enumerate(h_.system_cols):
                s, h = L.site_hw[j]
                systems[s, h] = vals[i]
    return {"modules": np.round(modules, 6), "systems": np.round(systems, 6)}


ROWS = {
    "c_whole_systems": Hard("hardware bought in whole systems (units_per_system)"),
    "c_whole_modules": Hard("capacity in whole modules (module_mw)"),
}
