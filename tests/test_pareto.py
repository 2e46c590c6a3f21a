"""siteplan pareto: the cost-green and cost-emissions frontiers (epsilon constraint)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from builders import trade_off_tables, write_scenario
from siteplan.cli import main
from siteplan.study import pareto


@pytest.fixture
def scenario(tmp_path):
    return write_scenario(tmp_path / "sc", trade_off_tables(), name="trade")


def test_green_frontier_is_monotone(scenario, tmp_path):
    out = tmp_path / "p"
    res = pareto(scenario, points=5, outdir=out, progress=False, bisect_steps=8)
    t = pd.read_csv(out / "pareto.csv")
    assert list(t.columns[:7]) == ["point", "epsilon", "cost", "green_share", "tco2",
                                   "avg_cost_per_mtok", "status"]
    assert len(t) == 5 and (t["status"] == "optimal").all()
    # low end: the cost-optimal plan (all in the cheap east, 20 % green)
    assert t["epsilon"].iloc[0] == pytest.approx(0.2)
    assert t["cost"].iloc[0] == pytest.approx(2 * 8760 * 50)
    # high end: near the reachable maximum (95 %); floor 1 was tried and is infeasible
    assert 0.94 <= t["epsilon"].iloc[-1] <= 0.95
    assert res.search[0]["floor"] == 1.0 and res.search[0]["status"] == "infeasible"
    assert (np.diff(t["epsilon"]) > 0).all()
    assert (np.diff(t["cost"]) >= -1e-6).all()  # cost never falls as the floor rises
    assert (np.diff(t["cost"]) > 0).any()
    assert (t["green_share"] >= t["epsilon"] - 1e-6).all()
    assert (np.diff(t["tco2"]) <= 1e-6).all()
    assert res.violations == []
    # a second call solves nothing new (every point is cached in DIR/runs)
    again = pareto(scenario, points=5, outdir=out, progress=False, bisect_steps=8)
    pd.testing.assert_frame_equal(again.table, res.table)


def test_floors_past_the_maximum_are_recorded_infeasible(scenario, tmp_path):
    res = pareto(scenario, points=4, outdir=tmp_path / "p", progress=False, upto=1.0)
    t = res.table
    assert list(t["status"]) == ["optimal", "optimal", "optimal", "infeasible"]
    assert pd.isna(t["cost"].iloc[-1]) and "infeasible" in t["error"].iloc[-1]
    ok = t[t["status"] == "optimal"]
    assert (np.diff(ok["cost"]) >= -1e-6).all()


def test_cost_emissions_frontier(scenario, tmp_path):
    res = pareto(scenario, between=("cost", "emissions"), points=4, outdir=tmp_path / "p",
                 progress=False)
    t = res.table
    assert (t["status"] == "optimal").all()
    assert (np.diff(t["tco2"]) <= 1e-6).all()  # the cap tightens ...
    assert (np.diff(t["cost"]) >= -1e-6).all()  # ... and cost never falls
    low = res.anchors["emissions_optimal"]["tco2"]
    assert t["tco2"].iloc[-1] == pytest.approx(low, rel=1e-6, abs=1e-3)


def test_cli_pareto(scenario, tmp_path):
    out = tmp_path / "p"
    r = CliRunner().invoke(main, ["pareto", str(scenario), "--between", "cost", "green_share",
                                  "--points", "3", "--bisect-steps", "3", "-o", str(out),
                                  "--no-progress"])
    assert r.exit_code == 0, r.output
    assert (out / "pareto.csv").is_file() and (out / "pareto.json").is_file()
    r = CliRunner().invoke(main, ["pareto", str(scenario), "--between", "cost", "water"])
    assert r.exit_code == 2 and r.output.startswith("error: --between")
    r = CliRunner().invoke(main, ["pareto", "--help"])
    assert "Examples:" in r.output
