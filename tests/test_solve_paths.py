"""The solver strategy's LP paths: interior-point relaxations, their bounds, and the
Pyomo-free entry point (``solve_highs`` with a ``Siting``)."""

from __future__ import annotations

import importlib
import time
from types import SimpleNamespace

import numpy as np
import pytest

import siteplan
from builders import sweep_tables, write_scenario
from siteplan.model import build_model
from siteplan.pipeline import Reuse, prepare
from siteplan.scaling import Scaling
from siteplan.standard_form import compile_form

solve_mod = importlib.import_module("siteplan.solve")  # ``siteplan.solve`` is the function
S = solve_mod.S


def _info(**kw) -> SimpleNamespace:
    """What HiGHS reports after an interior-point run without crossover."""
    base = {"basis_validity": 0, "ipm_iteration_count": 30, "primal_solution_status": 2,
            "dual_solution_status": 2, "primal_dual_objective_error": 1e-6,
            "objective_function_value": 2e9 * SCALE.obj}
    return SimpleNamespace(**{**base, **kw})


SCALE = Scaling.identity(0, 0, obj=1e-6)  # HiGHS holds the objective in millions


def test_interior_bound_is_the_objective_less_the_primal_dual_gap():
    """2e9 currency is 2,000 in HiGHS's units (objective factor 1e-6). HiGHS's error is
    |p - d| / (1 + |p| + |d|) <= 1e-6, so |p - d| <= 1e-6 x (1 + 2 x 2,000) = 4.001e-3,
    i.e. 4,001 currency: the bound is 2e9 - 4,001."""
    status, bound = solve_mod._lp_bound(S.kUnknown, _info(), 2e9, SCALE)
    assert status == S.kOptimal
    assert bound == pytest.approx(2e9 - 4001.0, rel=0, abs=1e-3)


def test_a_vertex_optimum_is_its_own_bound():
    status, bound = solve_mod._lp_bound(
        S.kOptimal, _info(basis_validity=1, ipm_iteration_count=0), 2e9, SCALE)
    assert (status, bound) == (S.kOptimal, 2e9)


@pytest.mark.parametrize("kw", [{"dual_solution_status": 1}, {"primal_solution_status": 1}])
def test_an_imprecise_interior_point_without_valid_solutions_gives_no_bound(kw):
    status, bound = solve_mod._lp_bound(S.kUnknown, _info(**kw), 2e9, SCALE)
    assert (status, bound) == (S.kUnknown, None)


def _mip(tmp_path):
    return write_scenario(tmp_path / "sc", sweep_tables(), name="paths",
                          solver={"integer_sites": True, "mip_rel_gap": 0.0})


def _spy_crossover(monkeypatch) -> list[tuple[str, str]]:
    """Record (solver, run_crossover) of every LP run; send every LP to the interior point
    solver, as the 20k-column threshold does for China-sized models."""
    seen: list[tuple[str, str]] = []
    original = solve_mod._lp_method

    def spy(highs, warm=None, vertex=True):
        interior = original(highs, warm, vertex)
        seen.append((highs.getOptionValue("solver")[1], highs.getOptionValue("run_crossover")[1]))
        return interior

    monkeypatch.setattr(solve_mod, "IPM_MIN_COLS", 0)
    monkeypatch.setattr(solve_mod, "_lp_method", spy)
    return seen


def test_a_fresh_relaxation_is_interior_and_reaches_the_vertex_paths_optimum(tmp_path,
                                                                            monkeypatch):
    """The same MIP solved with vertex relaxations (the default below 20k columns) and with an
    interior relaxation: the same proven optimum (gap 0, so relax-and-fix must prove it or
    branch and bound runs), a bound below the plan, and crossover off only for the relaxation.
    """
    sc = siteplan.load_scenario(_mip(tmp_path))
    vertex = siteplan.solve(sc)
    seen = _spy_crossover(monkeypatch)
    interior = siteplan.solve(sc)
    assert seen[0] == ("ipm", "off")  # the relaxation: a bound and a rounding guide
    assert all(c == "on" for _s, c in seen[1:])  # fixed LPs and duals end at vertices
    assert interior.summary["objective"] == pytest.approx(vertex.summary["objective"], rel=1e-7)
    assert interior.summary["objective_bound"] <= interior.summary["objective"] * (1 + 1e-9)
    assert interior.summary["status"] == "optimal"


def test_a_reused_model_keeps_the_vertex_for_the_next_point(tmp_path, monkeypatch):
    """A sweep's relaxation crosses over: its basis is the next point's warm start (so a
    sweep never leaves its links out of the relaxation, which would end it interior)."""
    sc = siteplan.load_scenario(_mip(tmp_path))
    seen = _spy_crossover(monkeypatch)
    monkeypatch.setattr(solve_mod, "LINKS_LEFT_OUT_MIN_COLS", 0)
    siteplan.solve(sc, reuse=Reuse())
    assert seen[0] == ("ipm", "on")


def test_siting_of_names_the_open_and_capacity_columns(tmp_path):
    """``siting_of`` finds open[s] and cap[s, h] among the columns; ``capacity`` sums each
    option's hardware at given column values."""
    built = build_model(prepare(siteplan.load_scenario(_mip(tmp_path))))
    m = built.model
    form = compile_form(m)
    siting = solve_mod.siting_of(built, form.var_col)
    for s in m.v_open:
        assert siting.open_col[0, s] == form.var_col[id(m.v_open[s])]
    x = np.arange(len(form.cols), dtype=float)
    want = np.zeros(len(m.v_open))
    for j, (s, _h) in enumerate(built.years[0].layout.site_hw):
        want[s] += form.var_col[id(m.v_cap_mw[j])]
    np.testing.assert_array_equal(siting.capacity(x)[0], want)
    assert sorted(int(s) for v in siting.locations[0].values() for s in v) == list(m.v_open)


def test_above_the_crossover_limit_every_lp_is_interior_and_sweeps_still_match(tmp_path,
                                                                               monkeypatch):
    """Past ``CROSSOVER_MAX_COLS`` no LP crosses over, not even a sweep's relaxation: the held
    model then keeps no basis (an interior point has none) and the next point starts cold,
    with the same optimum as a fresh solve."""
    path = _mip(tmp_path)
    seen = _spy_crossover(monkeypatch)
    monkeypatch.setattr(solve_mod, "CROSSOVER_MAX_COLS", 0)
    reuse = Reuse()
    first = siteplan.solve(siteplan.load_scenario(path), reuse=reuse)
    assert seen and all(c == "off" for _s, c in seen)
    assert reuse.highs.warm.basis is None
    sc = siteplan.load_scenario(path, ["prices.scale=1.3"])
    again = siteplan.solve(sc, reuse=reuse)
    assert again.summary["highs_model_reused"] is True
    fresh = siteplan.solve(sc)
    assert again.summary["objective"] == pytest.approx(fresh.summary["objective"], rel=1e-7)
    assert first.summary["objective"] < again.summary["objective"]


def test_an_unusable_interior_point_is_solved_again_with_crossover(tmp_path, monkeypatch):
    """When IPX ends without valid solutions (seen on the 1.4M-column prefecture LP), the LP
    is not given up: it is solved again with crossover, and the plan is the usual one."""
    path = write_scenario(tmp_path / "lp", sweep_tables(), name="lp",
                          solver={"integer_sites": False})
    want = siteplan.solve(siteplan.load_scenario(path)).summary["objective"]
    seen = _spy_crossover(monkeypatch)
    monkeypatch.setattr(solve_mod, "CROSSOVER_MAX_COLS", 0)
    original, calls = solve_mod._read, []

    def unusable_first(highs, is_mip, method):
        out = original(highs, is_mip, method)
        calls.append(out.status)
        if len(calls) == 1:  # the first interior point: "Unknown", no valid solutions
            out.status, out.objective = solve_mod.Status.ERROR, None
        return out

    monkeypatch.setattr(solve_mod, "_read", unusable_first)
    res = siteplan.solve(siteplan.load_scenario(path))
    assert seen[:2] == [("ipm", "off"), ("ipm", "on")]
    assert res.summary["status"] == "optimal"
    assert res.summary["objective"] == pytest.approx(want, rel=1e-7)


def test_a_drop_over_its_iteration_budget_is_skipped_not_taken_for_the_clock(tmp_path,
                                                                               monkeypatch):
    """A drop move whose LP runs past its simplex-iteration budget (an infeasible drop took
    dual simplex 52k iterations and 260 s on china-2026 at 12 h slices) is a drop that does
    not pay: the moves go on, the plan stays within the gap, and nothing says "time limit".
    With a budget of 0 every drop stops at once, so the plan is the rounding's (as with no
    drop moves at all), dearer than the one the drops find. Without the strong links (family
    13) the rounding opens sites a drop closes profitably."""
    from test_time_limit import hard_cfl

    original = solve_mod._run
    stops = []

    def run(highs, deadline, is_mip, method, *args, **kw):
        res = original(highs, deadline, is_mip, method, *args, **kw)
        if res.highs_status == solve_mod.ITERATION_LIMIT:
            stops.append(res.status)
        return res

    def solved(name):
        path = write_scenario(tmp_path / name, hard_cfl(30, 120), solver__mip_rel_gap=0.5,
                              solver__strong_links=False)
        return siteplan.solve(siteplan.load_scenario(path))

    monkeypatch.setattr(solve_mod, "_run", run)
    free = solved("free")
    assert not stops  # the default budget is never reached on this small family
    monkeypatch.setattr(solve_mod, "DROP_MIN_ITERATIONS", 0)
    monkeypatch.setattr(solve_mod, "DROP_ITERATION_FACTOR", 0)
    starved = solved("starved")
    assert stops and set(stops) == {solve_mod.Status.TIME_LIMIT}  # HiGHS's own reading
    s = starved.summary
    assert s["status"] in ("optimal", "gap_limit") and s["mip_gap"] <= 0.5
    assert starved.objective > free.objective * (1 + 1e-9)  # the drops that paid were lost
    monkeypatch.setattr(solve_mod, "MAX_DROP_TRIES", 0)
    assert solved("rounded").objective == pytest.approx(starved.objective, rel=1e-9)


def test_a_start_highs_misreads_is_dropped_and_branch_and_bound_runs_again(tmp_path):
    """HiGHS 1.16 values a MIP start in presolve's reduced space without the offset of the
    columns it removed, and stops at once: here 0 for a plan costing 1,752,000. Two 1 MW
    sites in b and la (100 MW free, never cheaper): rounding opens la alone (1,752,000 =
    2 MW x 8760 h x 100/MWh at la), the relaxation's bound is the optimum 554,200 (a direct
    line of 1 MW, 0.5 MW of wheeled PPA and 0.5 MW of grid in b: test_grid_tiers), so branch
    and bound runs from la's plan. Without the guard the answer is `unverified` at 1,752,000."""
    from builders import solve_tiny, tiny_tables
    from test_grid_tiers import _direct
    from test_supply_costs import _two_sites_in_b

    t = _direct(_two_sites_in_b(tiny_tables()), max_mw=1.0, wheeling=30.0)
    t["ppa"][0]["max_mw"] = 0.5
    s = solve_tiny(tmp_path, t).summary
    assert s["status"] == "optimal"
    assert s["objective"] == pytest.approx(554_200.0, rel=1e-9)
    assert s["solver"]["check"]["ok"]


def _reduced(col_dual, objective=1000.0):
    return solve_mod.SolveResult(solve_mod.Status.OPTIMAL, "", objective, objective, 0.0, False,
                                 0.0, col_dual=np.asarray(col_dual, dtype=float))


def test_a_drop_is_tried_only_if_its_reduced_cost_says_it_may_pay():
    """Cost 1,000; floor 1e-3 x 1,000 = 1: only open[0] (d = 5) may save more than 1."""
    candidates = [(0, s, s) for s in range(4)]
    got = solve_mod._drop_savings(_reduced([5.0, 0.0, -3.0, 0.4]), candidates, 1e-3)
    assert got == {0: True, 1: False, 2: False, 3: False}
    assert solve_mod._drop_savings(_reduced([5.0, 0.0, -3.0, 0.4]), candidates, 0.0) == {
        0: True, 1: False, 2: False, 3: True}  # floor 0: only d > 0
    no_duals = solve_mod.SolveResult(solve_mod.Status.OPTIMAL, "", 1.0, 1.0, 0.0, False, 0.0)
    assert solve_mod._drop_savings(no_duals, candidates, 1e-3) == {}  # every drop is tried


def test_what_a_drop_saves_is_at_most_its_reduced_cost(tmp_path):
    """The rule's ground: the fixed LP's cost is convex in the value open[s] is fixed at, so
    closing an open option saves at most its reduced cost d (cost(0) >= cost(1) - d). Checked
    drop by drop on a 12-facility instance (rounding without strong links opens many)."""
    from siteplan.pipeline import build
    from test_time_limit import hard_cfl

    path = write_scenario(tmp_path, hard_cfl(12, 40), solver__strong_links=False)
    sc = siteplan.load_scenario(path)
    built = build(sc).built
    highs, var_col, con_row = solve_mod.load_highs(built.model)
    solve_mod._configure(highs, sc.solver)
    siting = solve_mod.siting_of(built, var_col, con_row)
    cols = siting.open_col[0].astype(np.int32)
    solve_mod._set_integrality(highs, cols, integer=False)
    far = 1e9

    def lp(values):
        highs.changeColsBounds(len(cols), cols, values, values)
        return solve_mod._run(highs, time.monotonic() + far, False, "relax-and-fix")

    relaxed = solve_mod._run(highs, time.monotonic() + far, False, "relax-and-fix")
    fixed = solve_mod._round_open(siting, relaxed.col_value, cols, 0.0)
    base = lp(fixed)
    d = base.col_dual[cols].copy()
    opened = np.flatnonzero(fixed > 0.5)
    assert len(opened) >= 4
    checked = 0
    for i in opened:
        trial = fixed.copy()
        trial[i] = 0.0
        res = lp(trial)
        if res.status == "optimal":
            assert res.objective >= base.objective - d[i] - 1e-6 * abs(base.objective)
            checked += 1
    assert checked >= 4
    assert (d[opened] <= 0).any()  # drops the rule skips without an LP (here 6 of 11)


def test_drop_lps_side_by_side_take_the_moves_one_at_a_time_takes(tmp_path, monkeypatch):
    """solver.threads 2: the drop LPs (interior point from nothing, as on China-sized models)
    run two at once on a copy of the model; a trial after the first that pays is dropped
    unseen, so the plan is the sequential one, found with fewer rounds of LPs."""
    from test_time_limit import hard_cfl

    monkeypatch.setattr(solve_mod, "IPM_MIN_COLS", 0)
    rounds = []
    original = solve_mod._side_by_side

    def spy(models, cols, trials, budget, deadline):
        rounds.append(len(trials))
        return original(models, cols, trials, budget, deadline)

    monkeypatch.setattr(solve_mod, "_side_by_side", spy)

    def solved(threads):
        path = write_scenario(tmp_path / str(threads), hard_cfl(30, 120), solver__mip_rel_gap=0.5,
                              solver__strong_links=False, solver__threads=threads)
        return siteplan.solve(siteplan.load_scenario(path))

    one = solved(1)
    assert rounds == []
    two = solved(2)
    assert rounds and set(rounds) <= {1, 2} and 2 in rounds
    assert two.objective == pytest.approx(one.objective, rel=1e-9)
    opened = [sorted(r.sites.loc[r.sites["open"] > 0.5, "site"]) for r in (one, two)]
    assert opened[0] == opened[1]
