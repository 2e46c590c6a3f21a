"""The re-used HiGHS model of sweeps: at every point the same optimum as a fresh solve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import siteplan
from builders import sweep_tables, write_scenario
from siteplan.model import build_model
from siteplan.pipeline import Reuse, prepare
from siteplan.solve import _pass_model, _update
from siteplan.standard_form import compile_form
from siteplan.study import sweep

POINTS = [  # (overrides, whether the held model fits); each point follows the one above
    ([], False),
    (["prices.scale=1.3"], True),  # costs
    (["prices.zone_scale.west=2.5"], True),  # costs: the west closes
    (["policy.carbon_price_per_t=200"], True),  # costs (a new cost term on the same columns)
    (["demand.scale=1.4"], True),  # right-hand sides
    (["demand.scale=0.6", "prices.zone_scale.west=0.5"], True),  # both
    (["policy.min_green_share=0.5"], False),  # a new row: the model is rebuilt
    (["policy.min_green_share=0.7"], True),  # matrix coefficients of that row
    (["policy.min_green_share=0.7", "policy.utilisation_max=0.8"], True),  # matrix
]


def _scenario(tmp_path, integer: bool):
    return write_scenario(tmp_path / "sc", sweep_tables(), name="sweep",
                          solver={"integer_sites": integer, "mip_rel_gap": 0.0})


def _plan(res) -> tuple[float, dict, pd.Series]:
    sites = res.sites.set_index("site")
    return (res.summary["objective"], dict(sites["open"]),
            sites.filter(like="mw").sum(axis=1).round(6))


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "mip"])
def test_each_point_matches_a_fresh_solve(tmp_path, integer):
    path = _scenario(tmp_path, integer)
    reuse = Reuse()
    opened = set()
    for overrides, fits in POINTS:
        sc = siteplan.load_scenario(path, overrides)
        fresh, warm = siteplan.solve(sc), siteplan.solve(sc, reuse=reuse)
        assert warm.summary["highs_model_reused"] is fits, overrides
        assert fresh.summary["highs_model_reused"] is False
        assert warm.summary["status"] == fresh.summary["status"] == "optimal"
        f_obj, f_open, f_mw = _plan(fresh)
        w_obj, w_open, w_mw = _plan(warm)
        assert w_obj == pytest.approx(f_obj, rel=1e-9), overrides
        assert w_open == f_open, overrides
        if integer:
            pd.testing.assert_series_equal(w_mw, f_mw, atol=1e-5, check_names=False)
            opened.add(tuple(sorted(s for s, o in w_open.items() if o)))
        got = warm.regions.set_index("region")["served_tokens_per_day"]
        want = fresh.regions.set_index("region")["served_tokens_per_day"]
        pd.testing.assert_series_equal(got, want, rtol=1e-7)
        assert list(warm.summary) == list(fresh.summary)  # the same summary keys
    if integer:
        assert len(opened) >= 2  # the sweep moves the opening decisions


def test_update_leaves_highs_with_the_new_model(tmp_path):
    """After ``_update``, HiGHS holds exactly the LP a fresh hand-off of the new model gives."""
    path = _scenario(tmp_path, integer=True)
    old = compile_form(build_model(prepare(siteplan.load_scenario(path))).model)
    highs = _pass_model(old)
    new_sc = siteplan.load_scenario(path, ["prices.zone_scale.west=1.7", "demand.scale=1.2",
                                           "policy.utilisation_max=0.9"])
    new = compile_form(build_model(prepare(new_sc)).model)
    assert _update(highs, old, new) == {"cost", "bounds", "matrix"}
    want = _pass_model(new).getLp()
    got = highs.getLp()
    for attr in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        np.testing.assert_array_equal(np.asarray(getattr(got, attr)),
                                      np.asarray(getattr(want, attr)), err_msg=attr)
    assert got.offset_ == want.offset_
    assert list(got.integrality_) == list(want.integrality_)

    def dense(lp):
        a = lp.a_matrix_
        out = np.zeros((lp.num_row_, lp.num_col_))
        start = np.asarray(a.start_)
        for j in range(lp.num_col_):
            rows = np.asarray(a.index_[start[j]:start[j + 1]])
            out[rows, j] += np.asarray(a.value_[start[j]:start[j + 1]])
        return out

    np.testing.assert_array_equal(dense(got), dense(want))


def test_sweep_with_a_reused_model_writes_the_fresh_results(tmp_path):
    path = _scenario(tmp_path, integer=True)
    grid = ["prices.zone_scale.west=0.5:2.5:5", "demand.scale=0.8,1.2"]
    a = sweep(path, grid=grid, outdir=tmp_path / "warm", progress=False)
    b = sweep(path, grid=grid, outdir=tmp_path / "fresh", progress=False,
                    reuse_model=False)
    assert a.failed == b.failed == 0
    cols = ["run_id", "status", "objective", "sites_open", "green_share", "tco2"]
    pd.testing.assert_frame_equal(a.table[cols], b.table[cols], check_exact=False, rtol=1e-9)
    run = a.table["run_id"].iloc[-1]
    # the last point has many optimal allocations (equal objective): the files agree on what
    # every optimum shares (what is open and built, what each region is served), not on the
    # tie HiGHS happens to pick from a warm basis
    shared = {"allocation.csv": ["region", "workload"], "sites.csv": None,
              "regions.csv": None}
    for name, by in shared.items():
        x = pd.read_csv(tmp_path / "warm" / "runs" / run / name)
        y = pd.read_csv(tmp_path / "fresh" / "runs" / run / name)
        assert list(x.columns) == list(y.columns)
        if by:
            x, y = (t.groupby(by)[["tokens_per_day"]].sum() for t in (x, y))
        elif name == "sites.csv":
            x, y = (t[["open", "mw_it_gpu", "mw_it_total"]] for t in (x, y))
        else:
            x, y = (t[["demand_tokens_per_day", "served_tokens_per_day"]] for t in (x, y))
        pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=1e-6, atol=1e-6)


def test_frontier_with_a_reused_model_is_the_fresh_frontier(tmp_path):
    from siteplan.study import pareto

    path = _scenario(tmp_path, integer=True)
    a = pareto(path, points=4, outdir=tmp_path / "warm", progress=False, upto=0.6)
    b = pareto(path, points=4, outdir=tmp_path / "fresh", progress=False, upto=0.6,
               reuse_model=False)
    cols = ["epsilon", "cost", "green_share", "tco2", "status"]
    pd.testing.assert_frame_equal(a.table[cols], b.table[cols], check_exact=False, rtol=1e-9)
    assert (a.table["status"] == "optimal").all()


def test_branch_and_bound_points_start_from_the_last_plan(tmp_path):
    """Single-sourcing MIPs go straight to branch and bound: the hint must not change the
    optimum."""
    path = _scenario(tmp_path, integer=True)
    reuse = Reuse()
    for west in ("1", "2.5", "0.5"):
        sc = siteplan.load_scenario(path, ["policy.single_sourcing=true",
                                           f"prices.zone_scale.west={west}"])
        fresh, warm = siteplan.solve(sc), siteplan.solve(sc, reuse=reuse)
        assert warm.summary["status"] == fresh.summary["status"] == "optimal"
        assert warm.summary["objective"] == pytest.approx(fresh.summary["objective"], rel=1e-9)
        assert _plan(warm)[1] == _plan(fresh)[1]
    assert warm.summary["highs_model_reused"] is True


def test_a_pathway_reuses_the_held_model(tmp_path):
    """A pathway goes through the same pipeline: the second point of a sweep updates the held
    HiGHS model and reaches the optimum of a fresh solve (the plan itself may be another of
    equal cost: when to build is degenerate here)."""
    path = write_scenario(tmp_path / "pw", sweep_tables(), name="pw", years=[2026, 2028],
                          solver={"mip_rel_gap": 0.0},
                          pathway={"demand_growth": {2026: 1.0, 2028: 1.5}})
    reuse = Reuse()
    first = siteplan.solve(siteplan.load_scenario(path), reuse=reuse)
    assert first.summary["highs_model_reused"] is False
    sc = siteplan.load_scenario(path, ["prices.scale=1.3"])
    warm, fresh = siteplan.solve(sc, reuse=reuse), siteplan.solve(sc)
    assert warm.summary["highs_model_reused"] is True
    assert warm.summary["objective"] == pytest.approx(fresh.summary["objective"], rel=1e-9)
    assert warm.summary["objective"] > first.summary["objective"]
