"""Elastic re-solve: when HiGHS proves a plan infeasible, say which limits must give, by how much.

The built Pyomo model gets one nonnegative slack per row of each *soft* constraint family
(two on equality rows), added on the existing rows with ``ConstraintData.set_value``. The
objective becomes the total penalised slack; HiGHS then finds the smallest change to the
scenario's limits that makes a plan possible. Families that stand for physics or
bookkeeping (routing, power balance, PPA output, one option per location) stay hard.

Penalties make units comparable: each slack is divided by the natural size of its family,
so one unit of penalty is "1 of the scenario's total": the whole year's demand (Mtok), the
peak IT capacity the demand needs (MW, or MW x 8760 h for energy rows), the facility energy
(MWh), the emissions of that energy (tCO2), a class's national demand. Unserved demand is
weighted ``DEMAND_PRIORITY`` times more, so the report names the limits to move before it
falls back to saying that demand must go unserved.

Each family's slack is reported in planning units: tokens/day of demand, MW of capacity,
percentage points of green share, utilisation or site share, tCO2 of the carbon cap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siteplan.inputs.derive import ModelData
from siteplan.model.context import BuildContext, Built
from siteplan.model.siting import caps_of_site
from siteplan.results.synergy import supply_by_location

DEMAND_PRIORITY = 10.0  # unserved demand is the last thing to give
CAPACITY_ROW_EXTRA = 2.0  # prefer "location needs more MW" over "work beyond the ceiling"
REPORT_TOL = 1e-7  # relative (penalised) slack below which a family is not reported
TOKENS_PER_MTOK = 1e6
MAX_NAMED = 5

SOFT_FAMILIES = (
    "c_demand_balance", "c_demand_daily", "c_single_source_link", "c_build_max",
    "c_build_min", "c_capacity", "c_utilisation_floor", "c_green_share",
    "c_site_green_share", "c_certificate_cap", "c_carbon_cap", "c_site_share",
    "c_hourly_clean",
)


@dataclass
class _Slack:
    family: str
    plus: pyo.Var  # raises the row's body (helps a >= row); one per row
    minus: pyo.Var | None  # lowers it (helps a <= row); on equality rows both exist
    weight: np.ndarray  # penalty per unit of slack, per row


@dataclass
class ElasticResult:
    causes: list[str]  # one line per family that must give, in planning units
    slack: dict[str, np.ndarray]  # family -> per-row slack (model units; +/- summed)


def explain(built: Built, options) -> ElasticResult | None:
    """Relax a single-year model in place, solve, and describe the smallest change; None if
    that fails.

    The model is changed (slacks added, objective replaced): do not reuse it for the plan.
    """
    from siteplan.solve import solve_model

    ctx = built.years[0]
    m, d = ctx.block, ctx.data
    scales = _scales(d)
    slacks = _add_slacks(ctx, scales)
    if not slacks:
        return None
    for obj in m.component_data_objects(pyo.Objective, active=True):
        obj.deactivate()
    terms = []
    for sl in slacks:
        for i in range(len(sl.weight)):
            terms.append((float(sl.weight[i]), sl.plus[i]))
            if sl.minus is not None:
                terms.append((float(sl.weight[i]), sl.minus[i]))
    from siteplan.model.expr import lin

    # HiGHS sees these costs directly: scale the largest to 1 so none falls below its
    # tolerances (the penalties only matter relative to each other)
    top = max((w for w, _ in terms), default=1.0) or 1.0
    m.elastic_obj = pyo.Objective(
        expr=lin([w / top for w, _ in terms], [v for _, v in terms]), sense=pyo.minimize)
    res = solve_model(built, options, want_duals=False)
    if not res.has_solution:
        return None
    values = {}
    for sl in slacks:
        v = np.clip(res.values(sl.plus), 0.0, None)
        if sl.minus is not None:
            v = v + np.clip(res.values(sl.minus), 0.0, None)
        values[sl.family] = v
    causes = []
    for sl in slacks:
        v = values[sl.family]
        if float((v * sl.weight).sum()) <= REPORT_TOL:
            continue
        describe = _DESCRIBE.get(sl.family, _describe_generic)
        try:
            causes.append(describe(ctx, v, res))
        except Exception:  # noqa: BLE001 - row layout changed: still name the family
            causes.append(_describe_generic(ctx, v, res, family=sl.family))
    return ElasticResult(causes=causes, slack=values)


# --- scales and slack variables --------------------------------------------------------------
@dataclass(frozen=True)
class _Scales:
    annual_mtok: float  # Mtok/yr of all demand
    need_mw: float  # peak IT MW the demand needs at the best throughput and the ceiling
    energy_mwh: float  # facility MWh/yr of that work
    tco2: float  # emissions of that energy at the dirtiest grid
    class_annual: np.ndarray  # (K,) Mtok/yr per class
    hours: float


def _scales(d: ModelData) -> _Scales:
    from siteplan.diagnose import _need_mw

    w = d.slice_weight_h
    annual = float((d.demand * w).sum())
    need = _need_mw(d).sum(axis=(0, 1))  # (T,)
    need_mw = float(need.max()) / max(d.policy.utilisation_max, 1e-9) if need.size else 0.0
    pue = float(np.mean(d.site_pue)) if len(d.site_pue) else 1.0
    energy = float((need * w).sum()) * pue
    ef = float(d.location_ef.max()) if d.location_ef.size else 0.0
    return _Scales(
        annual_mtok=annual if annual > 0 else 1.0,
        need_mw=need_mw if need_mw > 0 else 1.0,
        energy_mwh=energy if energy > 0 else 1.0,
        tco2=energy * ef if energy * ef > 0 else 1.0,
        class_annual=(d.demand * w).sum(axis=(0, 2)),
        hours=float(w.sum()),
    )


def _row_weights(ctx: BuildContext, sc: _Scales, family: str, n: int) -> np.ndarray:
    d, L = ctx.data, ctx.layout
    w = d.slice_weight_h
    if family == "c_demand_balance":
        keys = ctx.handle("demand").balance_keys
        return np.array([DEMAND_PRIORITY * w[t] / sc.annual_mtok for _g, t in keys])
    if family == "c_demand_daily":
        keys = ctx.handle("demand").daily_keys
        return np.array([DEMAND_PRIORITY * L.day_hours[day] / sc.annual_mtok
                         for _g, day in keys])
    if family == "c_single_source_link":
        rows = _source_link_rows(d, L)
        if len(rows) == n:
            return np.array([(w[t] if not daily else L.day_hours[t]) / sc.annual_mtok
                             for _a, t, daily in rows])
        return np.full(n, float(w.mean()) / sc.annual_mtok)
    if family in ("c_build_max", "c_build_min"):
        return np.full(n, 1.0 / sc.need_mw)
    if family == "c_capacity":
        rows = _capacity_rows(d, L)
        if len(rows) == n:
            return np.array([CAPACITY_ROW_EXTRA * w[t] / (sc.hours * sc.need_mw)
                             for _s, _h, t in rows])
        return np.full(n, CAPACITY_ROW_EXTRA / (L.n_t * sc.need_mw))
    if family == "c_utilisation_floor":
        return np.full(n, 1.0 / (sc.hours * sc.need_mw))
    if family in ("c_green_share", "c_site_green_share", "c_certificate_cap"):
        return np.full(n, 1.0 / sc.energy_mwh)
    if family == "c_hourly_clean":  # MW short per (location, slice): weigh by its hours
        return np.tile(w, max(n // L.n_t, 1))[:n] / sc.energy_mwh
    if family == "c_carbon_cap":
        return np.full(n, 1.0 / sc.tco2)
    if family == "c_site_share":
        ks = [k for (_loc, k) in L.procs_of_lk]
        if len(ks) == n:
            return np.array([1.0 / sc.class_annual[k] if sc.class_annual[k] > 0 else 1.0
                             for k in ks])
        return np.full(n, 1.0 / sc.annual_mtok)
    return np.full(n, 1.0)


def _add_slacks(ctx: BuildContext, sc: _Scales) -> list[_Slack]:
    m = ctx.block
    out = []
    for family in SOFT_FAMILIES:
        con = getattr(m, family, None)
        if con is None or not isinstance(con, pyo.Constraint) or not con.active:
            continue
        rows = [c for c in con.values() if c.active]
        if not rows or len(rows) != len(con):
            continue
        n = len(rows)
        eq = [c.equality for c in rows]
        need_plus = any(eq) or any(c.has_lb() for c in rows)
        need_minus = any(eq) or any(c.has_ub() for c in rows)
        plus = pyo.Var(range(n), domain=pyo.NonNegativeReals)
        setattr(m, f"{family}_slack_up", plus)
        minus = None
        if need_minus:
            minus = pyo.Var(range(n), domain=pyo.NonNegativeReals)
            setattr(m, f"{family}_slack_down", minus)
        for i, c in enumerate(rows):
            lb = pyo.value(c.lower) if c.has_lb() else None
            ub = pyo.value(c.upper) if c.has_ub() else None
            body = c.body
            if c.equality or (lb is not None and ub is not None):
                body = body + plus[i] - minus[i]
            elif lb is not None:
                body = body + plus[i]
            else:
                body = body - minus[i]
            c.set_value((lb, body, ub))
        if not need_plus:  # only <= rows: the 'up' slack is unused; fix it at 0
            for v in plus.values():
                v.fix(0.0)
        out.append(_Slack(family, plus, minus, _row_weights(ctx, sc, family, n)))
    return out


# --- row layouts (mirror the loops in src/siteplan/model/*.py) -------------------------------
def _capacity_rows(d: ModelData, L) -> list[tuple[int, int, int]]:
    return [(s, h, t) for (s, h) in L.site_hw if (s, h) in L.procs_of_sh for t in range(L.n_t)]


def _source_link_rows(d: ModelData, L) -> list[tuple[int, int, bool]]:
    rows = []
    for a in range(len(L.route_group)):
        if L.route_shiftable[a]:
            rows += [(a, day, True) for day in range(L.n_d)]
        else:
            rows += [(a, t, False) for t in range(L.n_t)]
    return rows


def _build_min_sites(d: ModelData) -> list[int]:
    return [s for s in range(len(d.sites))
            if d.site_existing_mw[s] > 0 or d.site_min_mw[s] > 0]


def _cap_of_site(ctx: BuildContext, res) -> np.ndarray:
    caps = res.values(ctx.block.v_cap_mw)
    out = np.zeros(len(caps_of_site(ctx)))
    for s, cols in enumerate(caps_of_site(ctx)):
        out[s] = float(caps[cols].sum()) if len(cols) else 0.0
    return out


def _energy_mwh(ctx: BuildContext, res) -> tuple[float, dict[int, float]]:
    """Facility MWh/yr in the elastic plan, total and per location (grid + clean supply:
    PPA used, curtailed energy, storage discharge - charge)."""
    m, d, L = ctx.block, ctx.data, ctx.layout
    T, w = L.n_t, d.slice_weight_h
    grid = res.values(m.v_grid_mw)
    use = res.values(m.v_ppa_use_mw)
    sup = supply_by_location(ctx, res)
    other = sup["curtail_mw"] + sup["discharge_mw"] - sup["charge_mw"]  # (L, T)
    per = {}
    for loc, i in ctx.handle("power").grid_pos.items():
        e = float(((grid[i * T:(i + 1) * T] + other[loc]) * w).sum())
        for p in L.ppas_of_location.get(loc, []):
            e += float((use[p * T:(p + 1) * T] * w).sum())
        per[loc] = e
    return float(sum(per.values())), per


def _mtok_h_to_tokens_day(d: ModelData, annual_mtok: float) -> float:
    return annual_mtok * TOKENS_PER_MTOK / (float(d.slice_weight_h.sum()) / 24.0)


def _top(items: list[tuple[str, float]], fmt: Callable[[float], str]) -> str:
    items = sorted((i for i in items if i[1] > 0), key=lambda x: (-x[1], x[0]))
    shown = ", ".join(f"{name} {fmt(v)}" for name, v in items[:MAX_NAMED])
    return shown + (f" and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else "")


def _g(x: float) -> str:
    return f"{x:,.4g}"


# --- descriptions, one per family ------------------------------------------------------------
def _describe_demand(ctx: BuildContext, v: np.ndarray, res, daily: bool = False) -> str:
    d = ctx.data
    L = ctx.layout
    h = ctx.handle("demand")
    keys = h.daily_keys if daily else h.balance_keys
    hours = L.day_hours if daily else d.slice_weight_h
    per: dict[tuple[int, int], float] = {}
    for (g, t), s in zip(keys, v, strict=True):
        if s <= 0:
            continue
        k = int(L.group_workload[g])
        for r, share in zip(L.group_members[g], L.group_member_share[g], strict=True):
            per[(int(r), k)] = per.get((int(r), k), 0.0) + float(s * hours[t] * share)
    total = _mtok_h_to_tokens_day(d, sum(per.values()))
    all_demand = _mtok_h_to_tokens_day(d, float((d.demand * d.slice_weight_h).sum()))
    items = [(f"{d.regions[r]}/{d.workloads[k]}", _mtok_h_to_tokens_day(d, x))
             for (r, k), x in per.items()]
    kind = "shiftable" if daily else "time-fixed"
    return (f"demand must give: {_g(total)} tokens/day of {kind} demand cannot be served "
            f"({total / all_demand:.2%} of all demand), by region/class: {_top(items, _g)}")


def _describe_demand_daily(ctx: BuildContext, v: np.ndarray, res) -> str:
    return _describe_demand(ctx, v, res, daily=True)


def _describe_source_link(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    L = ctx.layout
    per: dict[tuple[int, int, int], float] = {}
    for (a, t, daily), s in zip(_source_link_rows(d, L), v, strict=True):
        if s <= 0:
            continue
        g = int(L.route_group[a])
        r = int(L.group_members[g][0])
        key = (r, int(L.group_workload[g]), int(L.route_location[a]))
        hours = L.day_hours[t] if daily else d.slice_weight_h[t]
        per[key] = per.get(key, 0.0) + float(s * hours)
    items = [(f"{d.regions[r]}/{d.workloads[k]} from {d.locations[loc]}",
              _mtok_h_to_tokens_day(d, x)) for (r, k, loc), x in per.items()]
    total = _mtok_h_to_tokens_day(d, sum(per.values()))
    return (f"single-sourcing must give: {_g(total)} tokens/day must come from a second "
            f"location: {_top(items, _g)} tokens/day")


def _describe_build_max(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    per: dict[int, float] = {}
    for s, x in enumerate(v):
        if x > 0:
            loc = int(d.site_location[s])
            per[loc] = per.get(loc, 0.0) + float(x)
    items = [(f"{d.locations[loc]} (max_mw {d.site_max_mw[d.site_location == loc].max():g})",
              x) for loc, x in per.items()]
    return (f"capacity must give: locations need {_g(sum(per.values()))} MW IT beyond their "
            f"max_mw: {_top(items, lambda x: f'+{_g(x)} MW')}")


def _describe_build_min(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    sites = _build_min_sites(d)
    items = []
    for s, x in zip(sites, v, strict=True):
        floor = max(d.site_existing_mw[s], d.site_min_mw[s])
        what = "existing_mw" if d.site_existing_mw[s] > 0 else "min_mw"
        items.append((f"{d.sites[s]} ({what} {floor:g})", float(x)))
    return (f"capacity floors must give: existing or minimum capacity must fall by "
            f"{_g(float(v.sum()))} MW IT: {_top(items, lambda x: f'-{_g(x)} MW')}")


def _describe_capacity(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    per: dict[int, float] = {}
    for (s, _h, _t), x in zip(_capacity_rows(d, ctx.layout), v, strict=True):
        per[s] = max(per.get(s, 0.0), float(x) / d.policy.utilisation_max)
    items = [(d.sites[s], x) for s, x in per.items()]
    return (f"capacity must give: sites need more IT capacity than the utilisation ceiling "
            f"{d.policy.utilisation_max:g} allows, at the peak: "
            f"{_top(items, lambda x: f'+{_g(x)} MW')}")


def _describe_utilisation(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    cap = _cap_of_site(ctx, res)
    hours = float(d.slice_weight_h.sum())
    u = d.policy.utilisation_min
    items, worst = [], 0.0
    for s, x in enumerate(v):
        if x <= 0:
            continue
        pts = float(x) / (hours * cap[s]) if cap[s] > 0 else u
        worst = max(worst, pts)
        items.append((d.sites[s], pts * 100))
    return (f"utilisation floor must give: policy.utilisation_min {u:.0%} must fall by up to "
            f"{worst * 100:.3g} percentage points (to {max(u - worst, 0):.1%}) at: "
            f"{_top(items, lambda x: f'-{x:.3g} pts')}")


def _describe_green(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    total, _ = _energy_mwh(ctx, res)
    g = d.policy.min_green_share
    pts = float(v.sum()) / total if total > 0 else g
    return (f"green share must give: policy.min_green_share {g:.1%} must fall by "
            f"{pts * 100:.3g} percentage points (to {max(g - pts, 0):.1%}); "
            f"{_g(float(v.sum()))} MWh a year of green energy is missing")


def _describe_site_green(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    _, per = _energy_mwh(ctx, res)
    locs = [int(x) for x in ctx.layout.active_locations]
    items = []
    for loc, x in zip(locs, v, strict=True):
        if x > 0:
            e = per.get(loc, 0.0)
            items.append((d.locations[loc], (float(x) / e * 100) if e > 0 else 100.0))
    g = d.policy.min_site_green_share
    return (f"site green share must give: policy.min_site_green_share {g:.1%} must fall at: "
            f"{_top(items, lambda x: f'-{x:.3g} pts')}")


def _describe_certificates(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    total, _ = _energy_mwh(ctx, res)
    pts = float(v.sum()) / total * 100 if total > 0 else 0.0
    cap = d.policy.certificates.max_share if d.policy.certificates else 0.0
    return (f"certificate cap must give: policy.certificates.max_share {cap:.1%} must rise by "
            f"{pts:.3g} percentage points ({_g(float(v.sum()))} MWh of certificates)")


def _describe_hourly(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    L = ctx.layout
    short = v.reshape(-1, L.n_t)  # (locations, slices) MW of clean supply missing
    locs = [int(x) for x in L.active_locations]
    items = [(d.locations[loc], float((row * d.slice_weight_h).sum()))
             for loc, row in zip(locs, short, strict=True)]
    i, t = np.unravel_index(int(np.argmax(short)), short.shape)
    return (f"hourly matching must give: policy.hourly_clean_share "
            f"{d.policy.hourly_clean_share:.0%} leaves {_g(float(sum(x for _n, x in items)))} "
            f"MWh a year of clean supply missing (worst: {d.locations[locs[i]]} in slice "
            f"{d.slices[t]}, {_g(float(short[i, t]))} MW short) at: "
            f"{_top(items, lambda x: f'{_g(x)} MWh')}; lower the share, or allow "
            "synergy.storage or synergy.absorb_curtailment")


def _describe_carbon(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    cap = d.policy.carbon_cap_t or 0.0
    x = float(v.sum())
    return (f"carbon cap must give: policy.carbon_cap_t {_g(cap)} tCO2 must rise by {_g(x)} "
            f"tCO2 (to {_g(cap + x)} tCO2)")


def _describe_site_share(ctx: BuildContext, v: np.ndarray, res) -> str:
    d = ctx.data
    L = ctx.layout
    share = d.policy.max_site_share or 0.0
    annual = (d.demand * d.slice_weight_h).sum(axis=(0, 2))
    items, worst = [], 0.0
    for (loc, k), x in zip(L.procs_of_lk, v, strict=True):
        if x <= 0 or annual[k] <= 0:
            continue
        pts = float(x) / float(annual[k])
        worst = max(worst, pts)
        items.append((f"{d.locations[loc]}/{d.workloads[k]}", pts * 100))
    return (f"site share must give: policy.max_site_share {share:.0%} must rise by up to "
            f"{worst * 100:.3g} percentage points (to {min(share + worst, 1):.1%}) at: "
            f"{_top(items, lambda x: f'+{x:.3g} pts')}")


def _describe_generic(ctx: BuildContext, v: np.ndarray, res, family: str = "") -> str:
    n = int((v > 0).sum())
    return f"{family or 'a constraint family'} must give: {n} rows violated, total {_g(v.sum())}"


_DESCRIBE = {
    "c_demand_balance": _describe_demand,
    "c_demand_daily": _describe_demand_daily,
    "c_single_source_link": _describe_source_link,
    "c_build_max": _describe_build_max,
    "c_build_min": _describe_build_min,
    "c_capacity": _describe_capacity,
    "c_utilisation_floor": _describe_utilisation,
    "c_green_share": _describe_green,
    "c_site_green_share": _describe_site_green,
    "c_certificate_cap": _describe_certificates,
    "c_carbon_cap": _describe_carbon,
    "c_site_share": _describe_site_share,
    "c_hourly_clean": _describe_hourly,
}
