"""The siteplan LP/MIP assembled directly as sparse arrays (numpy -> HiGHS ``passModel``).

This is the floor of the benchmark: the same model as ``siteplan.model.build_model`` for the
families in ``IMPLEMENTED`` (a scenario that switches on another is refused), built from
``ModelData`` + ``Layout`` with numpy only.

Columns are declared in siteplan's block order (v_open, v_cap_mw, v_serve_mtok_h, ...), each
block flattened exactly like siteplan's flat integer indices; rows come family by family in
siteplan's declaration order and, within a family, in siteplan's loop order. Pyomo's HiGHS
interface adds a column when it first meets the variable in a row, so with ``order="pyomo"``
columns are permuted to that first-appearance order: HiGHS then receives the *identical*
matrix and follows the identical path (the same MIP incumbent). ``order="natural"`` keeps
block order (what a hand-written builder would do).

Each family emits triplets (row, col, value, seq) where ``seq`` is the position of the term
inside siteplan's expression for that row (it only matters for first-appearance ordering).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from siteplan.inputs.derive import ModelData
from siteplan.model.families import require
from siteplan.model.layout import Layout, make_layout

INF = highspy.kHighsInf
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
BIG = 1 << 40  # seq offset: "after every term named before"


@dataclass
class Block:
    name: str
    n: int
    row: list = field(default_factory=list)
    col: list = field(default_factory=list)
    val: list = field(default_factory=list)
    seq: list = field(default_factory=list)
    lb: np.ndarray | None = None
    ub: np.ndarray | None = None

    def add(self, row, col, val, seq) -> None:
        """Append terms; the four arguments broadcast against each other."""
        row, col, val, seq = np.broadcast_arrays(np.asarray(row, np.int64),
                                                 np.asarray(col, np.int64),
                                                 np.asarray(val, float), np.asarray(seq, np.int64))
        self.row.append(row.ravel())
        self.col.append(col.ravel())
        self.val.append(val.ravel())
        self.seq.append(seq.ravel())

    def arrays(self):
        if not self.row:
            z = np.zeros(0, np.int64)
            return z, z, np.zeros(0), z
        return (np.concatenate(self.row), np.concatenate(self.col), np.concatenate(self.val),
                np.concatenate(self.seq))


@dataclass
class SparseLP:
    """The assembled model, columns in natural block order (``offsets``)."""

    offsets: dict[str, tuple[int, int]]  # variable block -> (start, size)
    blocks: dict[str, tuple[int, int]]  # constraint family -> (first row, rows)
    n_col: int
    n_row: int
    cost: np.ndarray  # scaled objective (as handed to HiGHS)
    col_lb: np.ndarray
    col_ub: np.ndarray
    integer: np.ndarray  # bool
    row_lb: np.ndarray
    row_ub: np.ndarray
    row: np.ndarray
    col: np.ndarray
    val: np.ndarray
    seq: np.ndarray
    cost_terms: dict[str, np.ndarray]  # unscaled currency coefficient of each cost term
    layout: Layout
    emissions: np.ndarray  # tCO2 coefficient per column

    def pyomo_order(self) -> np.ndarray:
        """Natural column indices in the order Pyomo's HiGHS interface adds them."""
        order = np.lexsort((self.seq, self.row))
        c = self.col[order]
        uniq, first = np.unique(c, return_index=True)
        seen = uniq[np.argsort(first, kind="stable")]
        rest = np.setdiff1d(np.flatnonzero(self.cost != 0), seen)  # objective-only columns
        return np.concatenate([seen, rest])


def build(d: ModelData, layout: Layout | None = None) -> SparseLP:
    """Assemble every family of docs/model.md as triplets (no solver object yet)."""
    require(d, IMPLEMENTED | LEFT_OUT, "benchmarks/sparse_model.py")
    L = layout if layout is not None else make_layout(d)
    pol = d.policy
    T, D, w = L.n_t, L.n_d, d.slice_weight_h
    W = L.day_hours
    S, J, P = len(d.sites), len(L.site_hw), len(L.proc_site)
    NP = len(d.ppa_location)
    locs = np.asarray(L.active_locations, dtype=int)
    NLa = len(locs)
    allow = pol.unserved_cost_per_mtok is not None
    cert = pol.certificates
    on = pol.single_sourcing
    Qf, Qs = L.n_fixed_routes, L.n_shift_routes
    G = len(L.group_workload)
    n_gf, n_gs = int((~L.group_shiftable).sum()), int(L.group_shiftable.sum())
    Q = len(L.route_group)

    sizes = [("v_open", S), ("v_cap_mw", J), ("v_serve_mtok_h", Qf * T),
             ("v_serve_daily_mtok_h", Qs * D), ("v_unserved_mtok_h", n_gf * T if allow else 0),
             ("v_unserved_daily_mtok_h", n_gs * D if allow else 0),
             ("v_process_mtok_h", P * T), ("v_grid_mw", NLa * T), ("v_ppa_mw", NP),
             ("v_ppa_use_mw", NP * T), ("v_gec_mwh", NLa if cert else 0),
             ("v_assign", Q if on else 0)]
    off, start = {}, 0
    for name, n in sizes:
        off[name] = (start, n)
        start += n
    n_col = start
    o = {k: v[0] for k, v in off.items()}
    tt = np.arange(T)

    js = np.array([s for s, _ in L.site_hw], dtype=int)
    jh = np.array([h for _, h in L.site_hw], dtype=int)
    caps_of_site = [np.flatnonzero(js == s) for s in range(S)]
    hw_rank = np.zeros(J, int)  # position of j within its site
    for s in range(S):
        hw_rank[caps_of_site[s]] = np.arange(len(caps_of_site[s]))
    n_hw = np.array([len(c) for c in caps_of_site], dtype=int)
    j_of_sh = {(int(s), int(h)): j for j, (s, h) in enumerate(L.site_hw)}
    proc_j = np.array([j_of_sh[(int(s), int(h))] for s, h in zip(L.proc_site, L.proc_hardware,
                                                                   strict=True)], dtype=int)
    inv_thr = 1.0 / d.thr[L.proc_hardware, L.proc_workload] if P else np.zeros(0)
    # position of each proc inside its (s, h) list (sorted ascending, as procs_of_sh)
    proc_rank_sh = np.zeros(P, int)
    for procs in L.procs_of_sh.values():
        proc_rank_sh[procs] = np.arange(len(procs))
    grid_pos = {int(loc): i for i, loc in enumerate(locs)}

    blocks: list[Block] = []

    def block(name: str, n: int, lb, ub) -> Block:
        b = Block(name, n, lb=np.broadcast_to(np.asarray(lb, float), (n,)).copy(),
                  ub=np.broadcast_to(np.asarray(ub, float), (n,)).copy())
        blocks.append(b)
        return b

    # --- 4 build (siting.py) -------------------------------------------------------------
    col_lb = np.zeros(n_col)
    col_ub = np.full(n_col, INF)
    integer = np.zeros(n_col, bool)
    col_ub[o["v_open"]:o["v_open"] + S] = 1.0
    integer[o["v_open"]:o["v_open"] + S] = bool(d.solver.integer_sites)
    existing = d.site_existing_mw > 0
    col_lb[o["v_open"] + np.flatnonzero(existing)] = 1.0
    b = block("c_build_max", S, -INF, 0.0)
    b.add(js, o["v_cap_mw"] + np.arange(J), 1.0, hw_rank)
    b.add(np.arange(S), o["v_open"] + np.arange(S), -d.site_max_mw, n_hw)
    low = np.flatnonzero(existing | (d.site_min_mw > 0))
    rank = np.full(S, -1)
    rank[low] = np.arange(len(low))
    floor = np.where(existing, np.maximum(d.site_min_mw, d.site_existing_mw), 0.0)[low]
    b = block("c_build_min", len(low), floor, INF)
    jl = np.flatnonzero(rank[js] >= 0)
    b.add(rank[js[jl]], o["v_cap_mw"] + jl, 1.0, hw_rank[jl])
    mins = low[~existing[low]]
    b.add(rank[mins], o["v_open"] + mins, -d.site_min_mw[mins], n_hw[mins])
    uniq, counts = np.unique(d.site_location, return_counts=True)
    multi = uniq[counts > 1]
    b = block("c_one_option_per_location", len(multi), -INF, 1.0)
    if len(multi):
        mrow = {int(loc): i for i, loc in enumerate(multi)}
        ss = np.flatnonzero(np.isin(d.site_location, multi))
        b.add([mrow[int(v)] for v in d.site_location[ss]], o["v_open"] + ss, 1.0, ss)

    # --- 1 demand (demand.py) ------------------------------------------------------------
    dem = L.group_demand
    mean = _daily_mean(L, w, dem)
    route_rank = np.zeros(Q, int)
    for routes in L.routes_of_group:
        route_rank[routes] = np.arange(len(routes))
    gf, gs = np.flatnonzero(~L.group_shiftable), np.flatnonzero(L.group_shiftable)
    fq, sq = np.flatnonzero(~L.route_shiftable), np.flatnonzero(L.route_shiftable)
    b = block("c_demand_balance", n_gf * T, dem[gf].ravel(), dem[gf].ravel())
    gp = L.group_pos[L.route_group[fq]]
    b.add((gp[:, None] * T + tt).ravel(), (o["v_serve_mtok_h"] + L.route_pos[fq][:, None] * T
                                           + tt).ravel(), 1.0, np.repeat(route_rank[fq], T))
    if allow:
        b.add(np.arange(n_gf * T), o["v_unserved_mtok_h"] + np.arange(n_gf * T), 1.0, BIG)
    dd = np.arange(D)
    b = block("c_demand_daily", n_gs * D, mean[gs].ravel(), mean[gs].ravel())
    gp = L.group_pos[L.route_group[sq]]
    b.add((gp[:, None] * D + dd).ravel(), (o["v_serve_daily_mtok_h"]
                                           + L.route_pos[sq][:, None] * D + dd).ravel(),
          1.0, np.repeat(route_rank[sq], D))
    if allow:
        b.add(np.arange(n_gs * D), o["v_unserved_daily_mtok_h"] + np.arange(n_gs * D), 1.0, BIG)

    # --- 2 routing (routing.py) ----------------------------------------------------------
    lk_fixed = [(key, r) for key, r in L.routes_of_lk.items() if not d.workload_shiftable[key[1]]]
    lk_shift = [(key, r) for key, r in L.routes_of_lk.items() if d.workload_shiftable[key[1]]]
    b = block("c_routing", len(lk_fixed) * T, 0.0, 0.0)
    for i, (key, routes) in enumerate(lk_fixed):
        procs = L.procs_of_lk.get(key, np.zeros(0, int))
        rows = i * T + tt
        pos = L.route_pos[routes]
        b.add(np.repeat(rows[None, :], len(pos), 0), o["v_serve_mtok_h"] + pos[:, None] * T + tt,
              1.0, np.arange(len(pos))[:, None])
        b.add(np.repeat(rows[None, :], len(procs), 0), o["v_process_mtok_h"]
              + procs[:, None] * T + tt, -1.0, len(pos) + np.arange(len(procs))[:, None])
    day_order = np.concatenate(L.day_slices) if D else np.zeros(0, int)  # peak-row order
    t_rank = np.zeros(T, int)  # position of slice t inside its day
    for ts in L.day_slices:
        t_rank[ts] = np.arange(len(ts))
    daily = block("c_routing_daily", len(lk_shift) * D, 0.0, 0.0)
    peak = block("c_shift_peak", len(lk_shift) * T, -INF, 0.0)
    peak_row_of_t = np.empty(T, int)
    peak_row_of_t[day_order] = np.arange(T)
    for i, (key, routes) in enumerate(lk_shift):
        procs = L.procs_of_lk.get(key, np.zeros(0, int))
        pos = L.route_pos[routes]
        npr, nro = len(procs), len(pos)
        pf = float(d.workload_peak_factor[key[1]])
        daily.add(np.repeat(i * D + dd[None, :], nro, 0), o["v_serve_daily_mtok_h"]
                  + pos[:, None] * D + dd, np.repeat(W[None, :], nro, 0),
                  np.arange(nro)[:, None])
        prow = i * D + d.slice_day  # (T,)
        daily.add(np.repeat(prow[None, :], npr, 0), o["v_process_mtok_h"] + procs[:, None] * T
                  + tt, np.repeat(-w[None, :], npr, 0),
                  nro + t_rank[None, :] * npr + np.arange(npr)[:, None])
        prow = i * T + peak_row_of_t
        peak.add(np.repeat(prow[None, :], npr, 0), o["v_process_mtok_h"] + procs[:, None] * T
                 + tt, 1.0, np.arange(npr)[:, None])
        peak.add(np.repeat(prow[None, :], nro, 0), o["v_serve_daily_mtok_h"] + pos[:, None] * D
                 + d.slice_day[None, :], -pf, npr + np.arange(nro)[:, None])

    # --- 3 capacity (capacity.py) --------------------------------------------------------
    j_has = np.zeros(J, bool)
    j_has[proc_j] = True
    jrow = np.full(J, -1)
    jrow[j_has] = np.arange(int(j_has.sum()))
    b = block("c_capacity", int(j_has.sum()) * T, -INF, 0.0)
    b.add(jrow[proc_j][:, None] * T + tt, o["v_process_mtok_h"] + np.arange(P)[:, None] * T + tt,
          inv_thr[:, None], proc_rank_sh[:, None])
    jj = np.flatnonzero(j_has)
    b.add(jrow[jj][:, None] * T + tt, o["v_cap_mw"] + jj[:, None], -pol.utilisation_max, BIG)

    # --- 5 utilisation (utilisation.py) --------------------------------------------------
    if pol.utilisation_min > 0:
        hours = float(w.sum())
        b = block("c_utilisation_floor", S, 0.0, INF)
        stride = T * (P + 1) + 1
        b.add(np.repeat(js[proc_j][:, None], T, 1), o["v_process_mtok_h"]
              + np.arange(P)[:, None] * T + tt, inv_thr[:, None] * w[None, :],
              hw_rank[proc_j][:, None] * stride + tt * (P + 1) + proc_rank_sh[:, None])
        b.add(js, o["v_cap_mw"] + np.arange(J), -pol.utilisation_min * hours,
              hw_rank * stride + stride - 1)
    else:
        block("c_utilisation_floor", 0, 0.0, INF)

    # --- 6 power (power.py) --------------------------------------------------------------
    ppa_rank = np.zeros(NP, int)
    for ppas in L.ppas_of_location.values():
        ppa_rank[ppas] = np.arange(len(ppas))
    ppa_row = np.array([grid_pos[int(v)] for v in d.ppa_location], dtype=int)
    b = block("c_power_balance", NLa * T, 0.0, 0.0)
    b.add(np.arange(NLa * T), o["v_grid_mw"] + np.arange(NLa * T), 1.0, 0)
    b.add(ppa_row[:, None] * T + tt, o["v_ppa_use_mw"] + np.arange(NP)[:, None] * T + tt, 1.0,
          1 + ppa_rank[:, None])
    s_of_p = L.proc_site
    pue_p = d.site_pue[s_of_p]
    idle_p = d.hw_idle_share[L.proc_hardware]
    lrow_p = np.array([grid_pos[int(v)] for v in d.site_location[s_of_p]], dtype=int)
    b.add(lrow_p[:, None] * T + tt, o["v_process_mtok_h"] + np.arange(P)[:, None] * T + tt,
          (-(pue_p * (inv_thr * (1.0 - idle_p))))[:, None], BIG)
    idle_j = d.hw_idle_share[jh]
    jk = np.flatnonzero(idle_j > 0)
    lrow_j = np.array([grid_pos.get(int(v), -1) for v in d.site_location[js]], dtype=int)
    b.add(lrow_j[jk][:, None] * T + tt, o["v_cap_mw"] + jk[:, None],
          (-(d.site_pue[js[jk]] * idle_j[jk]))[:, None], BIG)
    b = block("c_ppa_output", NP * T, -INF, 0.0)
    b.add(np.arange(NP * T), o["v_ppa_use_mw"] + np.arange(NP * T), 1.0, 0)
    b.add(np.arange(NP)[:, None] * T + tt, o["v_ppa_mw"] + np.arange(NP)[:, None],
          -d.ppa_cf, 1)
    if NP:
        ppa_bounds = np.where(np.isinf(d.ppa_max_mw), INF, d.ppa_max_mw)
        col_ub[o["v_ppa_mw"]:o["v_ppa_mw"] + NP] = ppa_bounds

    # --- 7 green (green.py) --------------------------------------------------------------
    green_l = d.location_green[locs]  # (NLa, T)
    gec_cols = o["v_gec_mwh"] + np.arange(NLa) if cert else np.zeros(0, int)

    def energy(b: Block, rows_grid, rows_ppa, share: float, weighted: bool, sign: float):
        cg = (green_l - share) if weighted else np.full_like(green_l, share)
        b.add(rows_grid, o["v_grid_mw"] + np.arange(NLa * T), sign * (w[None, :] * cg).ravel(), 0)
        cp = (1.0 - share) if weighted else share
        b.add(rows_ppa, o["v_ppa_use_mw"] + np.arange(NP)[:, None] * T + tt,
              np.repeat(sign * (w * cp)[None, :], NP, 0), 0)

    if pol.min_green_share > 0:
        b = block("c_green_share", 1, 0.0, INF)
        energy(b, np.zeros(NLa * T, int), np.zeros((NP, T), int), pol.min_green_share, True, 1.0)
        b.add(np.zeros(len(gec_cols), int), gec_cols, 1.0, BIG + np.arange(len(gec_cols)))
    else:
        block("c_green_share", 0, 0.0, INF)
    if pol.min_site_green_share > 0:
        b = block("c_site_green_share", NLa, 0.0, INF)
        energy(b, np.repeat(np.arange(NLa), T), np.repeat(ppa_row[:, None], T, 1),
               pol.min_site_green_share, True, 1.0)
        b.add(np.arange(len(gec_cols)), gec_cols, 1.0, BIG)
    else:
        block("c_site_green_share", 0, 0.0, INF)
    if cert:  # per location: gec[l] <= max_share x energy[l]
        b = block("c_certificate_cap", NLa, -INF, 0.0)
        energy(b, np.repeat(np.arange(NLa), T), np.repeat(ppa_row[:, None], T, 1),
               cert.max_share, False, -1.0)
        b.add(np.arange(NLa), gec_cols, 1.0, BIG)
    else:
        block("c_certificate_cap", 0, -INF, 0.0)

    # --- 8a carbon (carbon.py) -----------------------------------------------------------
    ef_w = (d.location_ef[locs] * w[None, :]).ravel()
    if pol.carbon_cap_t is not None:
        b = block("c_carbon_cap", 1, -INF, float(pol.carbon_cap_t))
        b.add(np.zeros(NLa * T, int), o["v_grid_mw"] + np.arange(NLa * T), ef_w, np.arange(NLa * T))
    else:
        block("c_carbon_cap", 0, -INF, 0.0)

    # --- 8b resilience (resilience.py) ---------------------------------------------------
    if pol.max_site_share is not None:
        hours = float(w.sum())  # rows stated as mean Mtok/h (resilience.py)
        annual = (d.demand * w[None, None, :]).sum(axis=(0, 2)) / hours
        items = list(L.procs_of_lk.items())
        b = block("c_site_share", len(items),
                  -INF, np.array([pol.max_site_share * float(annual[k]) for (_l, k), _ in items]))
        for i, (_key, procs) in enumerate(items):
            b.add(np.full((len(procs), T), i), o["v_process_mtok_h"] + procs[:, None] * T + tt,
                  np.repeat(w[None, :] / hours, len(procs), 0),
                  np.arange(len(procs) * T).reshape(len(procs), T))
    else:
        block("c_site_share", 0, -INF, 0.0)

    # --- 8c single sourcing (sourcing.py) ------------------------------------------------
    if on:
        n_link = np.where(L.route_shiftable, D, T)
        first = np.concatenate([[0], np.cumsum(n_link)[:-1]])
        b = block("c_single_source_link", int(n_link.sum()), -INF, 0.0)
        zc = o["v_assign"] + np.arange(Q)
        g_of = L.route_group
        b.add(first[fq][:, None] + tt, o["v_serve_mtok_h"] + L.route_pos[fq][:, None] * T + tt,
              1.0, 0)
        b.add(first[fq][:, None] + tt, zc[fq][:, None], -dem[g_of[fq]], 1)
        b.add(first[sq][:, None] + dd, o["v_serve_daily_mtok_h"] + L.route_pos[sq][:, None] * D
              + dd, 1.0, 0)
        b.add(first[sq][:, None] + dd, zc[sq][:, None], -mean[g_of[sq]], 1)
        integer[zc] = True
        col_ub[zc] = 1.0
        with_routes = [g for g in range(G) if len(L.routes_of_group[g])]
        b = block("c_single_source_choose", len(with_routes), 0.0 if not allow else -INF, 1.0)
        if not allow:
            b.lb[:] = 1.0
        for i, g in enumerate(with_routes):
            rts = L.routes_of_group[g]
            b.add(np.full(len(rts), i), zc[rts], 1.0, np.arange(len(rts)))
    else:
        block("c_single_source_link", 0, -INF, 0.0)
        block("c_single_source_choose", 0, -INF, 1.0)

    # --- objective (objective.py, terms registered in costs.py) --------------------------
    terms = {}

    def term(name: str, block_name: str, coefs) -> None:
        v = terms.setdefault(name, np.zeros(n_col))
        s0, n = off[block_name]
        v[s0:s0 + n] += coefs

    term("fixed", "v_open", d.site_fixed_cost)
    term("hardware", "v_cap_mw", d.hw_capex_per_mw[jh] if J else np.zeros(0))
    term("facility", "v_cap_mw", d.site_facility_cost_per_mw[js] if J else np.zeros(0))
    term("network", "v_serve_mtok_h", (L.route_cost_per_mtok[fq][:, None] * w[None, :]).ravel())
    term("network", "v_serve_daily_mtok_h",
         (L.route_cost_per_mtok[sq][:, None] * W[None, :]).ravel())
    if allow:
        voll = pol.unserved_cost_per_mtok
        term("unserved", "v_unserved_mtok_h", np.tile(w, n_gf) * voll)
        term("unserved", "v_unserved_daily_mtok_h", np.tile(W, n_gs) * voll)
    term("electricity", "v_grid_mw", (d.location_price[locs] * w[None, :]).ravel())
    term("ppa", "v_ppa_mw", d.ppa_cost_per_mw)
    if cert:
        term("certificates", "v_gec_mwh", np.full(NLa, cert.price_per_mwh))
    emissions = np.zeros(n_col)
    emissions[o["v_grid_mw"]:o["v_grid_mw"] + NLa * T] = ef_w
    if pol.carbon_price_per_t > 0:
        term("carbon", "v_grid_mw", pol.carbon_price_per_t * ef_w)
    total = sum(terms.values())
    if d.objective == "emissions":
        cost = OBJECTIVE_SCALE * (emissions * 1e3 + EMISSIONS_TIEBREAK * total)
    else:
        cost = OBJECTIVE_SCALE * total

    # --- assemble ------------------------------------------------------------------------
    rows, cols, vals, seqs, lbs, ubs, spans = [], [], [], [], [], [], {}
    base = 0
    for b in blocks:
        r, c, v, s = b.arrays()
        rows.append(r + base)
        cols.append(c)
        vals.append(v)
        seqs.append(s)
        lbs.append(b.lb)
        ubs.append(b.ub)
        spans[b.name] = (base, b.n)
        base += b.n
    return SparseLP(
        offsets=off, blocks=spans, n_col=n_col, n_row=base, cost=cost, col_lb=col_lb,
        col_ub=col_ub, integer=integer, row_lb=np.concatenate(lbs), row_ub=np.concatenate(ubs),
        row=np.concatenate(rows), col=np.concatenate(cols), val=np.concatenate(vals),
        seq=np.concatenate(seqs), cost_terms=terms, layout=L, emissions=emissions,
    )


def _daily_mean(L: Layout, w: np.ndarray, rate: np.ndarray) -> np.ndarray:
    if L.n_d == 0:
        return np.zeros(rate.shape[:-1] + (0,))
    return np.stack([(rate[..., ts] * w[ts]).sum(axis=-1) / L.day_hours[i]
                     for i, ts in enumerate(L.day_slices)], axis=-1)


def to_highs(lp: SparseLP, order: str = "pyomo") -> tuple[highspy.Highs, np.ndarray]:
    """A ``Highs`` instance holding ``lp``; returns it and the natural index of each column."""
    perm = lp.pyomo_order() if order == "pyomo" else np.arange(lp.n_col)
    new_of = np.full(lp.n_col, -1, np.int64)
    new_of[perm] = np.arange(len(perm))
    keep = new_of[lp.col] >= 0
    n = len(perm)
    A = sp.csc_matrix((lp.val[keep], (lp.row[keep], new_of[lp.col[keep]])), shape=(lp.n_row, n))
    A.sum_duplicates()
    A.sort_indices()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n, lp.n_row
    model.col_cost_ = lp.cost[perm]
    model.col_lower_ = lp.col_lb[perm]
    model.col_upper_ = lp.col_ub[perm]
    model.row_lower_ = lp.row_lb
    model.row_upper_ = lp.row_ub
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = A.indptr.astype(np.int32)
    model.a_matrix_.index_ = A.indices.astype(np.int32)
    model.a_matrix_.value_ = A.data
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = n, lp.n_row
    h.passModel(model)
    integ = np.flatnonzero(lp.integer[perm]).astype(np.int32)
    if len(integ):
        h.changeColsIntegrality(len(integ), integ,
                                np.full(len(integ), highspy.HighsVarType.kInteger))
    return h, perm


def set_options(h: highspy.Highs, solver) -> None:
    """The options siteplan.solve.solve_model hands HiGHS (through Pyomo)."""
    h.setOptionValue("threads", int(solver.threads))
    h.setOptionValue("time_limit", float(solver.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(solver.mip_rel_gap))
    h.setOptionValue("random_seed", int(solver.seed))
    h.setOptionValue("output_flag", False)


def siteplan_solve(h: highspy.Highs, d: ModelData, L: Layout, open_cols: np.ndarray,
                   cap_cols: np.ndarray, solver):
    """Solve ``h`` by siteplan's own strategy (``siteplan.solve.solve_highs``: LP, or
    relax-and-fix then branch and bound, then the fixed-integer duals), so that every variant
    takes the same solver path and their totals compare like for like.

    ``open_cols[s]`` / ``cap_cols[j]`` are the HiGHS columns of open[s] and of the capacity
    of ``L.site_hw[j]``. An option with existing capacity is open by its bounds ([1, 1]) here,
    where siteplan fixes it (a constant, not a column): it is made continuous, and
    relax-and-fix leaves it alone, as siteplan does.
    """
    from siteplan.scaling import Scaling, attach
    from siteplan.solve import Siting, solve_highs

    # this build scales its objective itself: results (objective, duals) come back unscaled
    attach(h, Scaling.identity(h.getNumRow(), h.getNumCol(), obj=OBJECTIVE_SCALE))
    lp = h.getLp()
    preset = (d.site_existing_mw > 0)[None, :]
    integer = np.array([int(v) != 0 for v in lp.integrality_] or [False] * h.getNumCol(),
                       dtype=bool)
    fixed_open = np.asarray(open_cols)[preset[0]].astype(np.int32)
    if integer.any() and len(fixed_open):
        h.changeColsIntegrality(len(fixed_open), fixed_open,
                                np.full(len(fixed_open), highspy.HighsVarType.kContinuous))
        integer[fixed_open] = False
    open_col = np.where(preset, -1, np.asarray(open_cols, np.int64)[None, :])
    site = np.array([s for s, _h in L.site_hw], dtype=np.int64)
    siting = Siting(open_col, np.zeros(len(site), np.int64), site,
                    np.asarray(cap_cols, np.int64), (dict(L.sites_of_location),), preset)
    return solve_highs(h, integer, solver, siting)


def extract(lp: SparseLP, d: ModelData, x: np.ndarray, row_dual: np.ndarray | None) -> dict:
    """Named value arrays, the cost breakdown and each region's marginal cost (vectorised).

    ``x`` is in natural column order. This is the part of siteplan's results extraction that
    needs the solver (values, duals, costs); the report tables are built from these arrays.
    """
    L = lp.layout
    out = {}
    for name, (s0, n) in lp.offsets.items():
        out[name] = x[s0:s0 + n]
    T, D, w = L.n_t, L.n_d, d.slice_weight_h
    out["v_serve_mtok_h"] = out["v_serve_mtok_h"].reshape(L.n_fixed_routes, T)
    out["v_process_mtok_h"] = out["v_process_mtok_h"].reshape(len(L.proc_site), T)
    breakdown = {k: float(v @ x) for k, v in lp.cost_terms.items()}
    out["cost_breakdown"] = breakdown
    out["marginal_cost_per_mtok"] = _marginal(lp, d, row_dual)
    del D, w
    return out


def _marginal(lp: SparseLP, d: ModelData, row_dual: np.ndarray | None) -> np.ndarray:
    """Demand-weighted dual of the demand rows per region (as siteplan's _marginal_cost)."""
    n_r = len(d.regions)
    if row_dual is None:
        return np.full(n_r, np.nan)
    L, w = lp.layout, d.slice_weight_h
    T, D = L.n_t, L.n_d
    num, den = np.zeros(n_r), np.zeros(n_r)
    mean = _daily_mean(L, w, L.group_demand)
    for name, n_per, dem, hours, groups in (
        ("c_demand_balance", T, L.group_demand, w, np.flatnonzero(~L.group_shiftable)),
        ("c_demand_daily", D, mean, L.day_hours, np.flatnonzero(L.group_shiftable)),
    ):
        r0, n = lp.blocks[name]
        lam = row_dual[r0:r0 + n].reshape(len(groups), n_per)  # unscaled (siteplan_solve)
        for i, g in enumerate(groups):
            mem, share = L.group_members[g], L.group_member_share[g]
            np.add.at(num, mem, share * float(lam[i] @ dem[g]))
            np.add.at(den, mem, share * float(hours @ dem[g]))
    return np.divide(num, den, out=np.full(n_r, np.nan), where=den > 0)
