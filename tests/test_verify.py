"""siteplan.verify (the plan against the unscaled model) and siteplan.scaling, by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import siteplan
from builders import write_scenario
from siteplan import scaling
from siteplan.cli import format_summary
from siteplan.model.layout import same_cost_key
from siteplan.standard_form import Form
from siteplan.verify import check, lagrangian_bound
from test_textbook_cfl import FIXTURE, cfl_tables
from test_units import MONEY, _times

INF = np.inf


def _form() -> Form:
    """min x1 + 2 x2 + 5  s.t.  x1 + x2 >= 1,  x1 <= 0.8 (row);  x >= 0.  Optimum x = (0.8,
    0.2), objective 6.2; duals y = (2, -1) (the second row holds x1 down)."""
    A = sp.csc_matrix(np.array([[1.0, 1.0], [1.0, 0.0]]))
    return Form(cols=[None, None], rows=[None, None], cost=np.array([1.0, 2.0]), offset=5.0,
                col_lower=np.zeros(2), col_upper=np.full(2, INF), integer=np.zeros(2, bool),
                row_lower=np.array([1.0, -INF]), row_upper=np.array([INF, 0.8]), A=A)


def test_the_optimum_passes_and_its_duals_certify_it():
    f = _form()
    chk = check(f, np.array([0.8, 0.2]), 6.2, 6.2, np.array([2.0, -1.0]), 6.2)
    assert chk.ok, chk.reason
    assert chk.objective == pytest.approx(6.2)
    assert chk.certified_bound == pytest.approx(6.2)  # 5 + 2 x 1 + (-1) x 0.8


def test_a_violated_row_a_wrong_objective_and_an_uncertified_bound_fail():
    f = _form()
    chk = check(f, np.array([0.5, 0.0]), 5.5, None)
    # 0.5 short of 1, relative to the row's magnitudes |rhs| + |x1| = 1.5
    assert not chk.ok and "row 0 violated by 3.33e-01" in chk.reason
    chk = check(f, np.array([0.8, 0.2]), 6.0, None)
    assert not chk.ok and "objective recomputed" in chk.reason
    # duals of zero certify only the offset: an LP "optimum" of 6.2 is not proven by them
    chk = check(f, np.array([0.8, 0.2]), 6.2, 6.2, np.zeros(2), 6.2)
    assert chk.certified_bound == pytest.approx(5.0)
    assert not chk.ok and "certify a bound of 5" in chk.reason


def test_wrong_sign_duals_are_dropped_and_measured():
    """y = (3, 0): d = (1 - 3, 2 - 3) < 0 on columns without an upper bound: those terms
    cannot count; at the plan's size (|x| + unit = (1, 1)) they could move 2 + 1 = 3."""
    bound, moved = lagrangian_bound(_form(), np.array([3.0, 0.0]), np.ones(2))
    assert bound == pytest.approx(5.0 + 3.0)
    assert moved == pytest.approx(3.0)


def test_scaling_is_exact_and_moves_only_the_objective_factor_with_money():
    f = _form()
    sc = scaling.compute(f)
    g = sc.form(f)
    assert np.all(np.log2(sc.row) == np.round(np.log2(sc.row)))  # powers of two
    x = np.array([0.8, 0.2])
    np.testing.assert_array_equal(g.A @ sc.x_scaled(x), sc.row * (f.A @ x))
    money = scaling.compute(Form(**{**f.__dict__, "cost": f.cost * 1024.0}))
    assert money.obj == sc.obj / 1024.0
    np.testing.assert_array_equal(money.row, sc.row)


def test_a_negligible_bound_does_not_steer_the_scaling():
    # x2 <= 2.6e-92 (a curtailed surplus Hypothesis drew): as an observation it pulled x2's
    # factor to 2^60 and HiGHS ended 'Unknown'; far below the largest bound, it steers
    # nothing (as if x2 had no upper bound)
    f = _form()
    plain = scaling.compute(Form(**{**f.__dict__, "col_upper": np.array([3.0, INF])}))
    tiny = scaling.compute(Form(**{**f.__dict__, "col_upper": np.array([3.0, 2.6e-92])}))
    np.testing.assert_array_equal(tiny.col, plain.col)
    np.testing.assert_array_equal(tiny.row, plain.row)


def test_costs_equal_to_12_significant_digits_merge_in_any_unit():
    small = np.array([1.0e-9, 1.02e-9, 1.0e-9 * (1 + 1e-14)])
    key = same_cost_key(small)
    assert key[0] != key[1]  # 2 % apart: two groups (12 decimals made them one)
    assert key[0] == key[2]


def test_a_model_whose_costs_fall_below_highs_tolerances_is_not_called_optimal(
        tmp_path, monkeypatch):
    """The old fixed objective factor, forced back (cap71 in thousands x 1e-9 reaches HiGHS
    as costs of 1e-9): HiGHS says optimal at a plan that is not (941.84 with the strong links,
    2,047.62 without; the optimum is 932.616); the check finds the relaxation's duals (or
    the rise of the branch-and-bound bound) no proof, and the run says so."""
    monkeypatch.setattr(scaling, "compute",
                        lambda f: scaling.Scaling.identity(*f.A.shape, obj=1e-9))
    tables = _times(cfl_tables(FIXTURE), MONEY, 1e-3)
    path = write_scenario(tmp_path, tables, solver__mip_rel_gap=0.0)
    res = siteplan.solve(siteplan.load_scenario(path))
    s = res.summary
    assert res.objective > 932.61575 * 1.001  # not the optimum
    assert s["status"] == "unverified"
    assert not s["solver"]["check"]["ok"]
    reason = s["solver"]["check"]["reason"]
    assert "not certified" in reason or "not proven" in reason
    assert "FAILED against the unscaled model" in format_summary(s, Path("out"))


def test_a_branch_and_bound_bound_within_tolerance_noise_is_not_proof(tmp_path, monkeypatch):
    """The same without the strong links: the relaxation's duals certify its bound (845.07),
    and branch and bound "proves" 2,047.62 by closing a gap of 1.2e-6 in HiGHS's units."""
    from siteplan.model import build_model
    from siteplan.solve import solve_model

    monkeypatch.setattr(scaling, "compute",
                        lambda f: scaling.Scaling.identity(*f.A.shape, obj=1e-9))
    tables = _times(cfl_tables(FIXTURE), MONEY, 1e-3)
    sc = siteplan.load_scenario(write_scenario(tmp_path, tables, solver__mip_rel_gap=0.0))
    built = build_model(siteplan.prepare(sc))
    built.model.c_strong_link.deactivate()
    res = solve_model(built, sc.solver, want_duals=False)
    assert res.status.value == "unverified"
    assert "within its tolerances, not proven" in res.check.reason
    assert res.bound == pytest.approx(res.check.certified_bound)  # the bound that stands
    assert res.bound < 932.61575 < res.objective
