"""Results are replaced atomically: a killed or interrupted run never leaves a broken folder.

``siteplan run`` runs in a subprocess with the test hook ``SITEPLAN_TEST_PAUSE_WRITE_S``
(results/tables.py), which sleeps before each file it writes, so the test can kill it while
it writes into its hidden ``.<name>.partial-<pid>`` folder.

Decision tested here: after SIGKILL the hidden ``.partial-<pid>`` folder may remain (nothing
can run on SIGKILL); it is never visible as a result (hidden name), and the next write to
the same target removes it. After SIGTERM or Ctrl-C (SIGINT) nothing is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.results.tables import PAUSE_ENV, clean_stale

PAUSE_S = 2.0  # sleep before each file: the test kills the run within one of these pauses
RESULT_NAMES = {"allocation.csv", "sites.csv", "regions.csv", "site_hours.csv", "excluded.csv",
                "summary.json", "scenario.yaml", "record.json", "places.csv"}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _good_result(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    path = write_scenario(tmp_path, tiny_tables())
    out = tmp_path / "res"
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    snap = _snapshot(out)
    assert set(snap) == RESULT_NAMES
    return path, out, snap


def _spawn(path: Path, out: Path, pause: float, *extra: str) -> subprocess.Popen:
    env = {**os.environ, PAUSE_ENV: str(pause)}
    return subprocess.Popen(
        [sys.executable, "-m", "siteplan.cli", "run", str(path), "-o", str(out), "-q", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # as from a terminal: a background job of a script inherits SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_partial(out: Path, proc: subprocess.Popen, min_files: int = 1,
                      timeout: float = 120.0) -> Path:
    """Wait until the run's hidden temp folder holds ``min_files`` files."""
    partial = out.parent / f".{out.name}.partial-{proc.pid}"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.returncode} {proc.communicate()}")
        if partial.is_dir() and len(list(partial.iterdir())) >= min_files:
            return partial
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the run never started writing")


def _visible(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def test_sigkill_mid_write_keeps_the_old_results_and_the_next_run_cleans_up(tmp_path):
    path, out, snap = _good_result(tmp_path)
    proc = _spawn(path, out, PAUSE_S, "--force")
    partial = _wait_for_partial(out, proc, min_files=2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert _snapshot(out) == snap  # byte-identical earlier results
    assert _visible(tmp_path) == {"data", "s.yaml", "res"}  # nothing new is visible
    assert partial.exists() and partial.name.startswith(".")  # SIGKILL: hidden leftover

    result = CliRunner().invoke(main, ["run", str(path), "-o", str(out), "--force", "-q"])
    assert result.exit_code == 0, result.output
    assert not partial.exists()  # the dead run's temp folder is gone
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name or ".old-" in p.name]
    assert set(_snapshot(out)) == RESULT_NAMES


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_mid_write_leave_nothing_behind(tmp_path, sig, code):
    path, out, snap = _good_result(tmp_path)
    proc = _spawn(path, out, PAUSE_S, "--force")
    _wait_for_partial(out, proc, min_files=1)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert "interrupted" in err
    assert _snapshot(out) == snap
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "res", "s.yaml"]


def test_sigterm_on_a_first_run_leaves_no_folder(tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    out = tmp_path / "fresh"
    proc = _spawn(path, out, PAUSE_S)
    _wait_for_partial(out, proc, min_files=1)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "s.yaml"]


def test_existing_output_is_kept_without_force(tmp_path):
    path, out, snap = _good_result(tmp_path)
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(out)])
    assert result.exit_code == 5
    assert "output folder exists; use --force to replace it" in result.output
    assert _snapshot(out) == snap


def test_force_replaces_a_results_folder(tmp_path):
    path, out, snap = _good_result(tmp_path)
    (out / "sites.csv").write_text("stale\n")
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(out), "--force", "-q"])
    assert result.exit_code == 0, result.output
    csv = {k: v for k, v in snap.items() if k.endswith(".csv")}
    assert {k: v for k, v in _snapshot(out).items() if k.endswith(".csv")} == csv  # same bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "res", "s.yaml"]


def test_force_never_replaces_a_folder_that_is_not_a_result(tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    for target in (tmp_path / "data", tmp_path):  # a dataset, a project folder
        before = _snapshot(target) if target.name == "data" else None
        result = CliRunner().invoke(main, ["run", str(path), "-o", str(target), "--force"])
        assert result.exit_code == 5
        assert "not replacing it even with --force" in result.output
        if before is not None:
            assert _snapshot(target) == before


def test_force_refuses_a_file(tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(target), "--force"])
    assert result.exit_code == 5
    assert "not a results folder" in result.output
    assert target.read_text() == "keep me"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_old_folder_is_restored_when_the_target_is_missing(tmp_path):
    # a run killed between "move the old results aside" and "move the new ones in"
    out = tmp_path / "res"
    old = tmp_path / f".res.old-{_dead_pid()}"
    old.mkdir()
    (old / "summary.json").write_text("{}\n")
    assert clean_stale(out) == [old]
    assert (out / "summary.json").read_text() == "{}\n"
    assert not old.exists()


def test_temp_folders_of_live_runs_are_left_alone(tmp_path):
    out = tmp_path / "res"
    live = tmp_path / f".res.partial-{os.getppid()}"  # our parent: certainly alive
    other = tmp_path / f".other.partial-{_dead_pid()}"  # another target: not ours to clean
    for p in (live, other):
        p.mkdir()
    assert clean_stale(out) == []
    assert live.exists() and other.exists()
