"""Family 13, strong linking (model/linking.py): flow <= demand x open, by hand.

Two regions of 1 Mtok/h each (one demand group: same locations, zero network cost), two
locations of 100 MW with a fixed cost of 1,000,000 each; energy at 50 (lb) or 100 (la) per
MWh, 1 MW-IT per Mtok/h, PUE 1. The optimum opens lb: 2 x 8760 x 50 + 1e6 = 1,876,000.
- LP relaxation without the links: open_lb >= capacity / max_mw = 2 / 100, so it pays 2 % of
  the fixed cost: 876,000 + 20,000 = 896,000.
- with them: x[g, lb] <= 2 open_lb (and likewise at la), so the fixed cost paid is at least
  1e6 x (x_la + x_lb) / 2 = 1e6: the relaxation is 1,876,000, the optimum itself.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.model import build_model
from siteplan.solve import solve_model

H = 8760.0
OPTIMUM = 2 * H * 50 + 1e6


def _tables():
    t = tiny_tables()
    for loc in t["locations"]:
        loc["fixed_cost_per_year"] = 1e6
    return t


def _model(tmp_path, tables=None, **keys):
    path = write_scenario(tmp_path, tables or _tables(), **keys)
    sc = siteplan.load_scenario(path)
    return build_model(siteplan.prepare(sc)), sc


def _relaxation(m, sc, links: bool) -> float:
    for v in m.model.v_open.values():
        v.domain = pyo.UnitInterval
    if not links:
        m.model.c_strong_link.deactivate()
    return solve_model(m, sc.solver, want_duals=False).objective


def test_links_lift_the_relaxation_to_the_optimum(tmp_path):
    m, sc = _model(tmp_path)
    assert len(m.model.c_strong_link) == 2  # one group x two locations x one slice
    assert _relaxation(m, sc, links=True) == pytest.approx(OPTIMUM)


def test_removing_the_links_lowers_the_relaxation_bound(tmp_path):
    m, sc = _model(tmp_path)
    assert _relaxation(m, sc, links=False) == pytest.approx(2 * H * 50 + 0.02 * 1e6)


@pytest.mark.parametrize("links", [True, False])
def test_the_integer_optimum_is_the_same_with_or_without(tmp_path, links):
    m, sc = _model(tmp_path, solver__mip_rel_gap=0.0)
    if not links:
        m.model.c_strong_link.deactivate()
    res = solve_model(m, sc.solver, want_duals=False)
    assert res.objective == pytest.approx(OPTIMUM)
    assert res.bound_lp == pytest.approx(OPTIMUM if links else 2 * H * 50 + 0.02 * 1e6)


def test_links_only_with_integer_siting_and_locations_not_open_already(tmp_path):
    m, _ = _model(tmp_path / "lp", solver__integer_sites=False)  # would change the LP
    assert len(m.model.c_strong_link) == 0
    t = _tables()
    t["site_options"][1]["existing_mw"] = 1.0  # lb is open already: no row
    t["locations"][0]["max_mw"] = 1.5  # la cannot hold the 2 Mtok/h: the row stays as is
    m, _ = _model(tmp_path / "ex", t)
    assert len(m.model.c_strong_link) == 1
    row = m.model.c_strong_link[0].body
    assert sorted(row.linear_coefs) == [-2.0, 1.0]


def test_the_summary_reports_the_relaxation_bound(tmp_path):
    path = write_scenario(tmp_path, _tables(), solver__mip_rel_gap=0.0)
    s = siteplan.solve(siteplan.load_scenario(path)).summary
    assert s["solver"]["strong_links"] == 2
    assert s["solver"]["relaxation_bound"] == pytest.approx(OPTIMUM)
    assert s["objective"] == pytest.approx(OPTIMUM)


def test_lazy_separation_gives_the_full_relaxation_and_the_same_optimum(tmp_path, monkeypatch):
    """Separated lazily (solve._separate_links), the links give the relaxation all of them
    give; the rows left out come back for the duals and the next solve."""
    import importlib

    solve_mod = importlib.import_module("siteplan.solve")
    monkeypatch.setattr(solve_mod, "LAZY_LINKS", 0)
    m, sc = _model(tmp_path, solver__mip_rel_gap=0.0)
    res = solve_model(m, sc.solver, want_duals=True)
    assert res.objective == pytest.approx(OPTIMUM)
    assert res.bound_lp == pytest.approx(OPTIMUM)
    assert res.links["rows"] == 2
    assert res.links["relaxation_bound_without"] == pytest.approx(2 * H * 50 + 0.02 * 1e6)
    assert 1 <= res.links["separated"] <= 2
    assert res.check.ok and res.status == "optimal"


def test_lazy_separation_on_cap71_matches_all_rows(tmp_path, monkeypatch):
    """OR-Library cap71 (800 links): the relaxation separated lazily equals the one with every
    row, with part of the rows, and the published optimum is proven either way."""
    import importlib

    from test_textbook_cfl import FIXTURE, PUBLISHED_OPTIMUM, cfl_tables

    solve_mod = importlib.import_module("siteplan.solve")
    path = write_scenario(tmp_path, cfl_tables(FIXTURE), solver__mip_rel_gap=0.0)
    sc = siteplan.load_scenario(path)
    full = solve_model(build_model(siteplan.prepare(sc)), sc.solver, want_duals=False)
    monkeypatch.setattr(solve_mod, "LAZY_LINKS", 0)
    lazy = solve_model(build_model(siteplan.prepare(sc)), sc.solver, want_duals=False)
    for res in (full, lazy):
        assert res.status == "optimal"
        assert res.objective == pytest.approx(PUBLISHED_OPTIMUM, rel=1e-9)
        assert res.bound <= res.objective * (1 + 1e-9)
    assert lazy.bound_lp == pytest.approx(full.bound_lp, rel=1e-7)
    assert lazy.links["rows"] == 800
    assert 0 < lazy.links["separated"] < 800
    assert lazy.links["relaxation_bound_without"] < lazy.bound_lp


def test_separation_cut_short_still_gives_a_valid_bound(tmp_path, monkeypatch):
    """One round of separation only: the bound is that of fewer rows (between the weak and
    the full relaxation), never above the optimum, and branch and bound still proves it."""
    import importlib

    from test_textbook_cfl import FIXTURE, PUBLISHED_OPTIMUM, cfl_tables

    solve_mod = importlib.import_module("siteplan.solve")
    monkeypatch.setattr(solve_mod, "LAZY_LINKS", 0)
    monkeypatch.setattr(solve_mod, "MAX_SEPARATION_ROUNDS", 2)
    path = write_scenario(tmp_path, cfl_tables(FIXTURE), solver__mip_rel_gap=0.0)
    sc = siteplan.load_scenario(path)
    res = solve_model(build_model(siteplan.prepare(sc)), sc.solver, want_duals=True)
    assert res.links["rounds"] == 2
    assert res.links["relaxation_bound_without"] < res.bound_lp <= PUBLISHED_OPTIMUM
    assert res.status == "optimal" and res.check.ok
    assert res.objective == pytest.approx(PUBLISHED_OPTIMUM, rel=1e-9)
    assert res.row_dual is not None and len(res.row_dual) == len(res.con_row)


def _left_out(monkeypatch):
    """Send every relaxation through solve._relax_without_links (China-sized models do)."""
    import importlib

    solve_mod = importlib.import_module("siteplan.solve")
    monkeypatch.setattr(solve_mod, "LINKS_LEFT_OUT_MIN_COLS", 0)
    return solve_mod


def test_links_left_out_give_the_weak_bound_when_it_meets_the_gap(tmp_path, monkeypatch):
    """At a 60 % gap the relaxation without links (896,000) is bound enough for the plan the
    rounding finds (1,876,000: gap 52.2 %): the links are never solved with."""
    _left_out(monkeypatch)
    m, sc = _model(tmp_path, solver__mip_rel_gap=0.6)
    res = solve_model(m, sc.solver, want_duals=True)
    weak = 2 * H * 50 + 0.02 * 1e6
    assert res.objective == pytest.approx(OPTIMUM)
    assert res.bound_lp == pytest.approx(weak) and res.bound == pytest.approx(weak)
    assert res.gap == pytest.approx((OPTIMUM - weak) / OPTIMUM)
    assert res.status == "gap_limit" and res.check.ok
    assert res.links["relaxation_bound_without"] == pytest.approx(weak)
    assert res.links["max_violation"] > 0  # the weak relaxation breaks a link
    assert m.model.c_strong_link[0].active  # and the rows are back (duals, the next solve)


def test_links_left_out_come_back_when_the_gap_is_wide(tmp_path, monkeypatch):
    """At gap 0 the weak bound (896,000) cannot prove the plan: the relaxation is solved again
    with the links, and its bound (1,876,000, the optimum itself) is the one reported."""
    _left_out(monkeypatch)
    m, sc = _model(tmp_path, solver__mip_rel_gap=0.0)
    res = solve_model(m, sc.solver, want_duals=True)
    assert res.objective == pytest.approx(OPTIMUM)
    assert res.bound_lp == pytest.approx(OPTIMUM)
    assert res.status == "optimal" and res.check.ok
    assert res.links["relaxation_bound_without"] == pytest.approx(2 * H * 50 + 0.02 * 1e6)


def test_links_left_out_on_cap71_prove_the_published_optimum(tmp_path, monkeypatch):
    """OR-Library cap71 solved with the links first left out: the published optimum, proven,
    with a bound never above it."""
    from test_textbook_cfl import FIXTURE, PUBLISHED_OPTIMUM, cfl_tables

    _left_out(monkeypatch)
    path = write_scenario(tmp_path, cfl_tables(FIXTURE), solver__mip_rel_gap=0.0)
    sc = siteplan.load_scenario(path)
    res = solve_model(build_model(siteplan.prepare(sc)), sc.solver, want_duals=False)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(PUBLISHED_OPTIMUM, rel=1e-9)
    assert res.bound <= res.objective * (1 + 1e-9)
    assert res.links["rows"] == 800
