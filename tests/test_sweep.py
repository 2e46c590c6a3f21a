"""siteplan sweep: grids and samples, failures recorded, resume, local pool and Dask agree."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import trade_off_tables, write_scenario
from siteplan.cli import main
from siteplan.errors import OutputExistsError
from siteplan.study import StudyError, plan_runs, run_id, runs, sweep
from siteplan.study.sweep import NUMERIC_RESULTS, parse_dist, parse_grid


@pytest.fixture
def scenario(tmp_path):
    return write_scenario(tmp_path / "sc", trade_off_tables(), name="trade")


GRID12 = ["policy.min_green_share=0.2:0.8:4", "prices.scale=1,1.5,2"]


class Counter:
    """Counts solver invocations (patches siteplan.study.runs.solve_scenario, in-process)."""

    def __init__(self, monkeypatch, fail_after: int | None = None):
        self.n = 0
        self.fail_after = fail_after
        real = runs.solve_scenario

        def counting(sc, reuse=None):
            if self.fail_after is not None and self.n >= self.fail_after:
                raise KeyboardInterrupt  # as if Ctrl-C hit the sweep here
            self.n += 1
            return real(sc, reuse)

        monkeypatch.setattr(runs, "solve_scenario", counting)


def test_grid_and_samples_parse():
    assert parse_grid(["a.b=0.2:0.8:4"]) == [("a.b", ["0.2", "0.4", "0.6", "0.8"])]
    assert parse_grid(["policy.exclude_zones=[],[west, north],[east]"]) == \
        [("policy.exclude_zones", ["[]", "[west, north]", "[east]"])]
    assert parse_grid(["k=1:3:3"]) == [("k", ["1", "2", "3"])]
    for bad in ["k", "k=", "k=1:2:x", "k=1:2:0", "k=a:2:3"]:
        with pytest.raises(StudyError):
            parse_grid([bad])
    with pytest.raises(StudyError):
        parse_dist(["k=beta:1:2"])
    d = parse_dist(["demand.scale=triangular:0.8:1:1.5", "prices.scale=normal:1:0.1"])
    one = plan_runs(dists=d, samples=5, seed=3)
    assert [s.run_id for s in one] == [s.run_id for s in plan_runs(dists=d, samples=5, seed=3)]
    assert [s.run_id for s in one] != [s.run_id for s in plan_runs(dists=d, samples=5, seed=4)]
    assert all(0.8 <= float(dict(s.values)["demand.scale"]) <= 1.5 for s in one)
    # 12 combinations; the id depends on the overrides, not on their order
    assert len(plan_runs(parse_grid(GRID12))) == 12
    assert run_id(["b=1", "a=2"]) == run_id(["a=2", "b=1"]) != run_id(["a=2", "b=2"])


def test_sweep_writes_runs_and_table(scenario, tmp_path):
    out = tmp_path / "sw"
    res = sweep(scenario, grid=GRID12, outdir=out, progress=False)
    t = pd.read_csv(out / "sweep.csv")
    assert len(t) == 12 and res.solved == 12 and res.failed == 0
    for col in ("run_id", "policy.min_green_share", "prices.scale", "status", "objective",
                "avg_cost_per_mtok", "green_share", "tco2", "west_share", "sites_open",
                "mip_gap", "error"):
        assert col in t.columns
    for rid in t["run_id"]:
        assert (out / "runs" / rid / "summary.json").is_file()
        assert (out / "runs" / rid / "allocation.csv").is_file()
    # a higher green floor costs at least as much at each price level
    for _, part in t.groupby("prices.scale"):
        cost = part.sort_values("policy.min_green_share")["objective"].to_numpy()
        assert (cost[1:] >= cost[:-1] - 1e-6).all()
    # the run's inputs are recorded in its summary
    s = json.loads((out / "runs" / t["run_id"][0] / "summary.json").read_text())
    assert s["inputs"]["scenario"]["policy"]["min_green_share"] == 0.2


def test_failed_runs_are_recorded_and_do_not_stop_the_sweep(scenario, tmp_path, monkeypatch):
    out = tmp_path / "sw"
    grid = ["policy.min_green_share=0.5,0.99,2"]  # 0.99: infeasible (at most 95 %); 2: invalid
    res = sweep(scenario, grid=grid, outdir=out, progress=False)
    t = pd.read_csv(out / "sweep.csv").set_index("policy.min_green_share")
    assert t.loc[0.5, "status"] == "optimal" and pd.isna(t.loc[0.5, "error"])
    assert t.loc[0.99, "status"] == "infeasible" and "green" in t.loc[0.99, "error"]
    assert pd.isna(t.loc[0.99, "objective"])
    assert t.loc[2, "status"] == "bad_input" and "min_green_share" in t.loc[2, "error"]
    assert res.failed == 2
    assert (out / "runs" / t.loc[0.99, "run_id"] / "error.json").is_file()
    # resuming re-runs nothing (failures too), unless asked to retry them
    count = Counter(monkeypatch)
    sweep(scenario, grid=grid, outdir=out, progress=False)
    assert count.n == 0
    sweep(scenario, grid=grid, outdir=out, progress=False, retry_failed=True)
    assert count.n == 1  # the infeasible one (the invalid one never reaches the solver)
    # the CLI reports them and still exits 0
    r = CliRunner().invoke(main, ["sweep", str(scenario), "--grid", grid[0], "-o", str(out),
                                  "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "2 failed" in r.output and "infeasible" in r.output


def test_resume_skips_finished_runs(scenario, tmp_path, monkeypatch):
    out = tmp_path / "sw"
    grid = ["policy.min_green_share=0.2:0.8:4"]
    count = Counter(monkeypatch)
    sweep(scenario, grid=grid, outdir=out, progress=False)
    assert count.n == 4
    first = pd.read_csv(out / "sweep.csv")
    mtimes = {rid: (out / "runs" / rid / "summary.json").stat().st_mtime_ns
              for rid in first["run_id"]}
    gone = first["run_id"][1]
    shutil.rmtree(out / "runs" / gone)
    res = sweep(scenario, grid=grid, outdir=out, progress=False)
    assert count.n == 5 and res.solved == 1 and res.skipped == 3  # only the deleted run
    for rid, m in mtimes.items():
        if rid != gone:
            assert (out / "runs" / rid / "summary.json").stat().st_mtime_ns == m
    again = pd.read_csv(out / "sweep.csv")
    pd.testing.assert_frame_equal(again[["run_id", *NUMERIC_RESULTS]],
                                  first[["run_id", *NUMERIC_RESULTS]])


def test_interrupted_sweep_resumes(scenario, tmp_path, monkeypatch):
    out = tmp_path / "sw"
    grid = ["policy.min_green_share=0.2:0.8:4", "prices.scale=1,2"]  # 8 runs
    count = Counter(monkeypatch, fail_after=3)
    with pytest.raises(KeyboardInterrupt):
        sweep(scenario, grid=grid, outdir=out, progress=False)
    partial = pd.read_csv(out / "sweep.csv")
    assert (partial["status"] == "optimal").sum() == 3
    assert (partial["status"] == "not_run").sum() == 5
    count.fail_after = None
    res = sweep(scenario, grid=grid, outdir=out, progress=False)
    assert count.n == 8  # 3 before the interruption + the 5 left, none twice
    assert res.skipped == 3 and res.solved == 5
    assert (pd.read_csv(out / "sweep.csv")["status"] == "optimal").all()


def test_a_changed_scenario_is_not_taken_from_the_cache(scenario, tmp_path, monkeypatch):
    out = tmp_path / "sw"
    grid = ["prices.scale=1,2"]
    sweep(scenario, grid=grid, outdir=out, progress=False)
    text = scenario.read_text().replace("overhead_ms: 0.0", "overhead_ms: 1.0")
    scenario.write_text(text)
    count = Counter(monkeypatch)
    sweep(scenario, grid=grid, outdir=out, progress=False)
    assert count.n == 2


def test_sweep_refuses_a_foreign_folder(scenario, tmp_path):
    (tmp_path / "data.csv").write_text("x\n")
    with pytest.raises(OutputExistsError, match="not sweep results"):
        sweep(scenario, grid=["prices.scale=1"], outdir=tmp_path, progress=False)


def test_process_pool_and_dask_match_in_process(scenario, tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    local = sweep(scenario, grid=GRID12, outdir=tmp_path / "local", progress=False)
    cols = ["run_id", "policy.min_green_share", "prices.scale", "status", *NUMERIC_RESULTS]
    expected = pd.read_csv(tmp_path / "local" / "sweep.csv")[cols]
    assert len(expected) == 12 and local.failed == 0

    pool = sweep(scenario, grid=[GRID12[0], "prices.scale=1"], outdir=tmp_path / "pool",
                 workers=2, progress=False)
    assert pool.solved == 4
    got = pd.read_csv(tmp_path / "pool" / "sweep.csv")[cols]
    want = expected[expected["prices.scale"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        res = sweep(scenario, grid=GRID12, outdir=tmp_path / "dask",
                    scheduler=cluster.scheduler_address, progress=False)
        assert res.solved == 12
        with Client(cluster) as client:  # both workers took part
            assert len(client.scheduler_info()["workers"]) == 2
    got = pd.read_csv(tmp_path / "dask" / "sweep.csv")[cols]
    pd.testing.assert_frame_equal(got, expected)  # the same rows, to the last digit


def test_cli_sweep(scenario, tmp_path):
    out = tmp_path / "sw"
    r = CliRunner().invoke(main, ["sweep", str(scenario), "--samples", "3", "--seed", "1",
                                  "--dist", "demand.scale=uniform:0.5:1.5", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "3 runs: 3 solved now" in r.output
    assert len(pd.read_csv(out / "sweep.csv")) == 3
    r = CliRunner().invoke(main, ["sweep", str(scenario), "--grid", "k=1:2:x"])
    assert r.exit_code == 2 and r.output.startswith("error: --grid")
    r = CliRunner().invoke(main, ["sweep", "--help"])
    assert "Examples:" in r.output


def test_scheduler_without_the_distributed_extra_is_one_line(scenario, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    r = CliRunner().invoke(main, ["sweep", str(scenario), "--grid", "prices.scale=1,2",
                                  "--scheduler", "tcp://127.0.0.1:1", "-o", str(tmp_path / "sw"),
                                  "--no-progress"])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'siteplan[distributed]'" in lines[0]
    assert not (tmp_path / "sw" / "runs").exists()  # nothing solved or written
