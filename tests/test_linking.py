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
