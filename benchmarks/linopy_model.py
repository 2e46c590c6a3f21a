"""The siteplan LP/MIP written in linopy (labelled, vectorised) from ModelData + Layout.

The families in ``IMPLEMENTED`` (a scenario that switches on another is refused), stated the
way a linopy user would: variables with named dimensions, sparse sums as
``groupby(...).sum()``, day <-> slice maps as vectorised ``isel``. Rows and columns come in
linopy's own order (not siteplan's), so a MIP may reach a different incumbent within the gap;
LPs agree to solver tolerance.

Dimensions: site, j (site x useful hardware, = siteplan's site_hw), fr / sr (time-fixed /
shiftable routes), gf / gs (fixed / shiftable demand groups), proc, t, day, loc (active
locations), ppa, route (single-sourcing).
"""

from __future__ import annotations

import time
import warnings

import highspy
import linopy
import numpy as np
import pandas as pd
import xarray as xr

from siteplan.inputs.derive import ModelData
from siteplan.model.families import require
from siteplan.model.layout import Layout, make_layout

# the families of siteplan.model.families this builder writes, and those it leaves out on
# purpose; data that switches on any other is refused (families.require), and
# tests/test_family_registry.py checks the names
IMPLEMENTED = frozenset({"build", "demand", "routing", "capacity", "utilisation", "power",
                         "balance", "green", "carbon", "resilience", "single-sourcing"})
LEFT_OUT = frozenset({"strong linking"})  # a cut: never moves the optimum; test_agreement.py
# deactivates it in siteplan's model before comparing
OBJECTIVE_SCALE = 1.0  # in input units, as siteplan's model (siteplan.scaling scales at
# siteplan's solver boundary, which these builds do not pass through)
EMISSIONS_TIEBREAK = 1e-6

linopy.options["semantics"] = "v1"  # coordinate mismatches raise instead of aligning by position
warnings.filterwarnings("ignore", module="linopy")


def _da(values, *dims) -> xr.DataArray:
    values = np.asarray(values)
    return xr.DataArray(values, dims=dims, coords={d: np.arange(n) for d, n in
                                                   zip(dims, values.shape, strict=True)})


def _key(values, dim: str, name: str) -> xr.DataArray:
    """Group labels along ``dim``; the groupby result gets dimension ``name``."""
    values = np.asarray(values, dtype=int)
    return xr.DataArray(values, dims=dim, coords={dim: np.arange(len(values))}, name=name)


def _gsum(expr, labels, dim: str, name: str, n: int):
    """sum over ``dim`` grouped by ``labels`` -> dimension ``name`` with coords 0..n-1."""
    out = expr.groupby(_key(labels, dim, name)).sum()
    # labels that never occur are absent (not NaN rows): callers combine with join="outer"
    assert out.sizes.get(name, 0) <= n
    return out


def _c(**dims):
    """coords for add_variables: one RangeIndex per named dimension."""
    return [pd.RangeIndex(n, name=k) for k, n in dims.items()]


class LinopyBuild:
    def __init__(self, d: ModelData, layout: Layout | None = None):
        self.d = d
        self.L = layout if layout is not None else make_layout(d)
        self.m = linopy.Model(force_dim_names=True)
        self.terms: dict[str, list] = {}
        self._build()

    def cost(self, term: str, expr) -> None:
        self.terms.setdefault(term, []).append(expr)

    def _build(self) -> None:  # noqa: C901 - one family per paragraph, as in src/siteplan/model
        d, L, m = self.d, self.L, self.m
        pol = d.policy
        T, D = L.n_t, L.n_d
        w = _da(d.slice_weight_h, "t")
        W = _da(L.day_hours, "day")
        S, J, P = len(d.sites), len(L.site_hw), len(L.proc_site)
        NP = len(d.ppa_location)
        locs = np.asarray(L.active_locations, dtype=int)
        NLa = len(locs)
        loc_pos = np.full(len(d.locations), -1)
        loc_pos[locs] = np.arange(NLa)
        allow = pol.unserved_cost_per_mtok is not None
        cert = pol.certificates
        fq, sq = np.flatnonzero(~L.route_shiftable), np.flatnonzero(L.route_shiftable)
        gfix, gsh = np.flatnonzero(~L.group_shiftable), np.flatnonzero(L.group_shiftable)
        js = np.array([s for s, _ in L.site_hw], dtype=int)
        jh = np.array([h for _, h in L.site_hw], dtype=int)
        j_of = {(int(s), int(h)): j for j, (s, h) in enumerate(L.site_hw)}
        proc_j = np.array([j_of[(int(s), int(h))] for s, h in zip(L.proc_site, L.proc_hardware,
                                                                   strict=True)], dtype=int)
        inv_thr = _da(1.0 / d.thr[L.proc_hardware, L.proc_workload], "proc")
        day_of_t = xr.DataArray(d.slice_day, dims="t", coords={"t": np.arange(T)})
        rng = np.arange

        # --- variables (siteplan's names) --------------------------------------------------
        lb_open = _da((d.site_existing_mw > 0).astype(float), "site")
        self.v_open = m.add_variables(lower=lb_open, upper=_da(np.ones(S), "site"), name="v_open",
                                      integer=bool(d.solver.integer_sites))
        self.v_cap = m.add_variables(lower=0, coords=_c(j=J), name="v_cap_mw")
        self.x = m.add_variables(lower=0, coords=_c(fr=len(fq), t=T),
                                 name="v_serve_mtok_h")
        self.y = m.add_variables(lower=0, coords=_c(sr=len(sq), day=D),
                                 name="v_serve_daily_mtok_h")
        if allow:
            self.u = m.add_variables(lower=0, coords=_c(gf=len(gfix), t=T),
                                     name="v_unserved_mtok_h")
            self.ud = m.add_variables(lower=0, coords=_c(gs=len(gsh), day=D),
                                      name="v_unserved_daily_mtok_h")
        self.q = m.add_variables(lower=0, coords=_c(proc=P, t=T),
                                 name="v_process_mtok_h")
        self.grid = m.add_variables(lower=0, coords=_c(loc=NLa, t=T),
                                    name="v_grid_mw")
        if NP:
            self.ppa_mw = m.add_variables(lower=0, upper=_da(d.ppa_max_mw, "ppa"), name="v_ppa_mw")
            self.use = m.add_variables(lower=0, coords=_c(ppa=NP, t=T),
                                       name="v_ppa_use_mw")
        if cert:
            self.gec = m.add_variables(lower=0, coords=_c(loc=NLa), name="v_gec_mwh")
        x, y, q, grid, cap, opn = self.x, self.y, self.q, self.grid, self.v_cap, self.v_open

        # --- 4 build -------------------------------------------------------------------------
        cap_s = _gsum(1.0 * cap, js, "j", "site", S)  # sum_h cap[s,h]
        m.add_constraints(cap_s - _da(d.site_max_mw, "site") * opn <= 0, name="c_build_max")
        ex = np.flatnonzero(d.site_existing_mw > 0)
        if len(ex):
            floor = np.maximum(d.site_min_mw, d.site_existing_mw)
            m.add_constraints(cap_s.sel(site=ex) >= _da(floor, "site").sel(site=ex),
                              name="c_build_existing")
        mn = np.flatnonzero((d.site_existing_mw <= 0) & (d.site_min_mw > 0))
        if len(mn):
            m.add_constraints(cap_s.sel(site=mn) - (_da(d.site_min_mw, "site") * opn).sel(site=mn)
                              >= 0, name="c_build_min")
        uniq, counts = np.unique(d.site_location, return_counts=True)
        multi = np.flatnonzero(np.isin(d.site_location, uniq[counts > 1]))
        if len(multi):
            rank = {int(v): i for i, v in enumerate(uniq[counts > 1])}
            o = opn.isel(site=xr.DataArray(multi, dims="ms", coords={"ms": rng(len(multi))}))
            o = (1.0 * o).drop_vars("site")
            grp = [rank[int(v)] for v in d.site_location[multi]]
            m.add_constraints(_gsum(o, grp, "ms", "ml", len(rank)) <= 1,
                              name="c_one_option_per_location")
        self.cost("fixed", (_da(d.site_fixed_cost, "site") * opn).sum())
        self.cost("hardware", (_da(d.hw_capex_per_mw[jh], "j") * cap).sum())
        self.cost("facility", (_da(d.site_facility_cost_per_mw[js], "j") * cap).sum())

        # --- 1 demand ------------------------------------------------------------------------
        dem = L.group_demand
        mean = np.stack([(dem[:, ts] * d.slice_weight_h[ts]).sum(axis=1) / L.day_hours[i]
                         for i, ts in enumerate(L.day_slices)], axis=1)
        bal = _gsum(1.0 * x, L.group_pos[L.route_group[fq]], "fr", "gf", len(gfix))
        if allow:
            bal = bal.add(1.0 * self.u, join="outer")
        if len(gfix):
            m.add_constraints(bal == _da(dem[gfix], "gf", "t"), name="c_demand_balance")
        dbal = _gsum(1.0 * y, L.group_pos[L.route_group[sq]], "sr", "gs", len(gsh))
        if allow:
            dbal = dbal.add(1.0 * self.ud, join="outer")
        if len(gsh):
            m.add_constraints(dbal == _da(mean[gsh], "gs", "day"), name="c_demand_daily")
        cost_f = _da(L.route_cost_per_mtok[fq], "fr")
        cost_s = _da(L.route_cost_per_mtok[sq], "sr")
        if np.any(cost_f.values != 0) or np.any(cost_s.values != 0):
            self.cost("network", (cost_f * w * x).sum() + (cost_s * W * y).sum())
        if allow:
            voll = pol.unserved_cost_per_mtok
            self.cost("unserved", (voll * w * self.u).sum() + (voll * W * self.ud).sum())
        self.dem, self.mean = dem, mean

        # --- 2 routing -----------------------------------------------------------------------
        keys = list(L.routes_of_lk)
        lk_of = {k: i for i, k in enumerate(keys)}
        shift_k = d.workload_shiftable
        lkf = [k for k in keys if not shift_k[k[1]]]
        lks = [k for k in keys if shift_k[k[1]]]
        f_of = {k: i for i, k in enumerate(lkf)}
        s_of = {k: i for i, k in enumerate(lks)}
        route_lk = {int(r): k for k, rs in L.routes_of_lk.items() for r in rs}
        proc_lk = [(int(d.site_location[s]), int(k)) for s, k in zip(L.proc_site, L.proc_workload,
                                                                      strict=True)]
        del lk_of
        pf_idx = np.array([i for i, k in enumerate(proc_lk) if k in f_of], dtype=int)
        ps_idx = np.array([i for i, k in enumerate(proc_lk) if k in s_of], dtype=int)
        if lkf:
            xin = _gsum(1.0 * x, [f_of[route_lk[int(r)]] for r in fq], "fr", "lkf", len(lkf))
            qf = (1.0 * q.isel(proc=pf_idx)).assign_coords(proc=rng(len(pf_idx)))
            qout = _gsum(qf, [f_of[proc_lk[i]] for i in pf_idx], "proc", "lkf", len(lkf))
            m.add_constraints(xin - qout == 0, name="c_routing")
        if lks:
            yin = _gsum(1.0 * y, [s_of[route_lk[int(r)]] for r in sq], "sr", "lks", len(lks))
            qs = (1.0 * q.isel(proc=ps_idx)).assign_coords(proc=rng(len(ps_idx)))
            qsum = _gsum(qs, [s_of[proc_lk[i]] for i in ps_idx], "proc", "lks", len(lks))
            qday = _gsum(w * qsum, d.slice_day, "t", "day", D)
            m.add_constraints(W * yin - qday == 0, name="c_routing_daily")
            pf = _da([float(d.workload_peak_factor[k[1]]) for k in lks], "lks")
            y_t = (pf * yin).isel(day=day_of_t).drop_vars("day")
            m.add_constraints(qsum - y_t <= 0, name="c_shift_peak")

        # --- 3 capacity ----------------------------------------------------------------------
        jj = np.unique(proc_j)
        jr = np.full(J, -1)
        jr[jj] = rng(len(jj))
        busy_j = _gsum(inv_thr * q, jr[proc_j], "proc", "jc", len(jj))
        capj = (pol.utilisation_max * cap.isel(j=jj)).rename({"j": "jc"}).assign_coords(
            jc=rng(len(jj)))
        m.add_constraints(busy_j - capj <= 0, name="c_capacity")

        # --- 5 utilisation -------------------------------------------------------------------
        if pol.utilisation_min > 0:
            hours = float(d.slice_weight_h.sum())
            busy_s = _gsum((inv_thr * w * q).sum("t"), L.proc_site, "proc", "site", S)
            m.add_constraints(busy_s.add(-pol.utilisation_min * hours * cap_s, join="outer") >= 0,
                              name="c_utilisation_floor")

        # --- 6 power -------------------------------------------------------------------------
        pue_p = d.site_pue[L.proc_site]
        idle_p = d.hw_idle_share[L.proc_hardware]
        ploc = loc_pos[d.site_location[L.proc_site]]
        it_busy = _gsum(_da(pue_p * (1.0 - idle_p), "proc") * inv_thr * q, ploc, "proc", "loc",
                        NLa)
        idle_j = d.hw_idle_share[jh] * d.site_pue[js]
        it_idle = _gsum(_da(idle_j, "j") * cap, loc_pos[d.site_location[js]], "j", "loc", NLa)
        supply = 1.0 * grid
        if NP:
            ppa_loc = loc_pos[d.ppa_location]
            use_l = _gsum(1.0 * self.use, ppa_loc, "ppa", "loc", NLa)
            supply = supply.add(use_l, join="outer")
            m.add_constraints(self.use - _da(d.ppa_cf, "ppa", "t") * self.ppa_mw <= 0,
                              name="c_ppa_output")
        m.add_constraints(supply.sub(it_busy, join="outer").sub(it_idle, join="outer") == 0,
                          name="c_power_balance")
        price = _da(d.location_price[locs], "loc", "t")
        self.cost("electricity", (price * w * grid).sum())
        if NP:
            self.cost("ppa", (_da(d.ppa_cost_per_mw, "ppa") * self.ppa_mw).sum())

        # --- 7 green -------------------------------------------------------------------------
        green = _da(d.location_green[locs], "loc", "t")

        def surplus(share: float):  # per location: sum_t w (green-share) grid + (1-share) ppa
            e = (w * (green - share) * grid).sum("t")
            if NP:
                e = e.add(_gsum(((1.0 - share) * w * self.use).sum("t"), ppa_loc, "ppa", "loc",
                                NLa), join="outer")
            return e

        if pol.min_green_share > 0:
            lhs = surplus(pol.min_green_share).sum()
            if cert:
                lhs = lhs + self.gec.sum()
            m.add_constraints(lhs >= 0, name="c_green_share")
        if pol.min_site_green_share > 0:
            lhs = surplus(pol.min_site_green_share)
            if cert:
                lhs = lhs + self.gec
            m.add_constraints(lhs >= 0, name="c_site_green_share")
        if cert:  # per location: gec[l] <= max_share x energy[l]
            share = cert.max_share
            e_loc = (share * w * grid).sum("t")
            if NP:
                e_loc = e_loc.add(_gsum((share * w * self.use).sum("t"), ppa_loc, "ppa", "loc",
                                        NLa), join="outer")
            m.add_constraints(self.gec - e_loc <= 0, name="c_certificate_cap")
            self.cost("certificates", cert.price_per_mwh * self.gec.sum())

        # --- 8a carbon -----------------------------------------------------------------------
        ef = _da(d.location_ef[locs], "loc", "t")
        self.emissions = (w * ef * grid).sum()
        if pol.carbon_cap_t is not None:
            m.add_constraints(self.emissions <= float(pol.carbon_cap_t), name="c_carbon_cap")
        if pol.carbon_price_per_t > 0:
            self.cost("carbon", pol.carbon_price_per_t * self.emissions)

        # --- 8b resilience -------------------------------------------------------------------
        if pol.max_site_share is not None:
            hours = float(d.slice_weight_h.sum())  # rows as mean Mtok/h (resilience.py)
            annual = (d.demand * d.slice_weight_h[None, None, :]).sum(axis=(0, 2)) / hours
            items = list(L.procs_of_lk)
            it_of = {k: i for i, k in enumerate(items)}
            lhs = _gsum((w / hours * q).sum("t"), [it_of[k] for k in proc_lk], "proc", "lkp",
                        len(items))
            rhs = _da([pol.max_site_share * float(annual[k]) for _l, k in items], "lkp")
            m.add_constraints(lhs <= rhs, name="c_site_share")

        # --- 8c single sourcing --------------------------------------------------------------
        if pol.single_sourcing:
            Q = len(L.route_group)
            z = m.add_variables(coords=_c(route=Q), binary=True, name="v_assign")
            self.z = z
            if len(fq):
                zf = (1.0 * z.isel(route=fq)).rename({"route": "fr"}).assign_coords(
                    fr=rng(len(fq)))
                m.add_constraints(x - _da(dem[L.route_group[fq]], "fr", "t") * zf <= 0,
                                  name="c_single_source_link")
            if len(sq):
                zs = (1.0 * z.isel(route=sq)).rename({"route": "sr"}).assign_coords(
                    sr=rng(len(sq)))
                m.add_constraints(y - _da(mean[L.route_group[sq]], "sr", "day") * zs <= 0,
                                  name="c_single_source_link_daily")
            with_routes = np.unique(L.route_group)
            gr = np.full(len(L.group_workload), -1)
            gr[with_routes] = rng(len(with_routes))
            lhs = _gsum(1.0 * z, gr[L.route_group], "route", "gq", len(with_routes))
            if allow:
                m.add_constraints(lhs <= 1, name="c_single_source_choose")
            else:
                m.add_constraints(lhs == 1, name="c_single_source_choose")

        # --- objective -----------------------------------------------------------------------
        total = sum(self.terms_sum().values())
        if d.objective == "emissions":
            obj = OBJECTIVE_SCALE * (1e3 * self.emissions + EMISSIONS_TIEBREAK * total)
        else:
            obj = OBJECTIVE_SCALE * total
        m.add_objective(obj)

    def terms_sum(self) -> dict:
        out = {}
        for k, es in self.terms.items():
            e = es[0]
            for other in es[1:]:
                e = e + other
            out[k] = e
        return out


def warm_up() -> None:
    """Exercise linopy once on a toy model so lazy imports are not charged to the build."""
    m = linopy.Model(force_dim_names=True)
    v = m.add_variables(lower=0, coords=_c(a=3, t=2), name="v")
    e = _gsum(2.0 * v, [0, 0, 1], "a", "g", 2)
    m.add_constraints(e.add(1.0 * v.isel(a=[0, 1]).rename({"a": "g"}), join="outer") >= 1,
                      name="c")
    m.add_objective((1.0 * v).sum())
    m.solve(solver_name="highs", io_api="direct", output_flag=False, progress=False)


def build(d: ModelData, layout: Layout | None = None) -> LinopyBuild:
    require(d, IMPLEMENTED | LEFT_OUT, "benchmarks/linopy_model.py")
    return LinopyBuild(d, layout)


def solve(b: LinopyBuild, solver) -> dict:
    """linopy -> highspy (direct, in memory) -> HiGHS; same options as siteplan."""
    t0 = time.perf_counter()
    status, cond = b.m.solve(
        solver_name="highs", io_api="direct", threads=int(solver.threads),
        time_limit=float(solver.time_limit_s), mip_rel_gap=float(solver.mip_rel_gap),
        random_seed=int(solver.seed), output_flag=False, progress=False,
    )
    wall = time.perf_counter() - t0
    h: highspy.Highs = b.m.solver_model
    info = h.getInfo()
    return {"status": status, "condition": cond, "wall_s": wall, "solve_s": float(h.getRunTime()),
            "objective": info.objective_function_value / OBJECTIVE_SCALE,
            "highs_status": h.modelStatusToString(h.getModelStatus()),
            "mip_gap": float(info.mip_gap), "nodes": int(max(info.mip_node_count, 0)),
            "highs": h}


def columns(b: LinopyBuild, var) -> np.ndarray:
    """The HiGHS columns (``to_highspy``) of a linopy variable's entries, in its own order."""
    return np.searchsorted(b.m.matrices.vlabels, var.labels.values.ravel())


def assign(b: LinopyBuild, x: np.ndarray) -> None:
    """Write HiGHS column values back onto the linopy variables (as ``Model.solve`` does)."""
    vlabels = b.m.matrices.vlabels
    primal = np.full(int(vlabels.max()) + 1 if len(vlabels) else 0, np.nan)
    primal[vlabels] = x
    for _name, var in b.m.variables.items():
        start, end = var.range
        var.solution = xr.DataArray(primal[start:end].reshape(var.shape), var.coords,
                                    dims=var.dims)
    b.m.status = "ok"  # what Model.solve sets: expressions may now read their solution


def extract(b: LinopyBuild, row_dual: np.ndarray | None) -> dict:
    """Named value arrays, cost breakdown, marginal cost per region (the solver-facing part)."""
    out = {name: var.solution.values for name, var in b.m.variables.items()}
    out["cost_breakdown"] = {k: float(e.solution.sum()) if hasattr(e.solution, "sum")
                             else float(e.solution) for k, e in b.terms_sum().items()}
    out["marginal_cost_per_mtok"] = _marginal(b, row_dual)
    return out


def _marginal(b: LinopyBuild, row_dual: np.ndarray | None) -> np.ndarray:
    d, L = b.d, b.L
    n_r = len(d.regions)
    if row_dual is None:
        return np.full(n_r, np.nan)
    clabels = b.m.matrices.clabels
    num, den = np.zeros(n_r), np.zeros(n_r)
    for name, dem, hours, groups in (
        ("c_demand_balance", L.group_demand, d.slice_weight_h, np.flatnonzero(~L.group_shiftable)),
        ("c_demand_daily", b.mean, L.day_hours, np.flatnonzero(L.group_shiftable)),
    ):
        if name not in b.m.constraints:
            continue
        labels = b.m.constraints[name].labels.values
        lam = row_dual[np.searchsorted(clabels, labels.ravel())].reshape(labels.shape)
        for i, g in enumerate(groups):
            mem, share = L.group_members[g], L.group_member_share[g]
            np.add.at(num, mem, share * float(lam[i] @ dem[g]))
            np.add.at(den, mem, share * float(hours @ dem[g]))
    return np.divide(num, den, out=np.full(n_r, np.nan), where=den > 0)
