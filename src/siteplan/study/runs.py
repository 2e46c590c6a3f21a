"""What compare, sweep and pareto share: solving one run into a folder, and reading it back.

A *run* is a scenario file plus ``KEY=VALUE`` overrides. Its results folder is the one
``siteplan run`` writes, with its record (scenario.yaml, record.json, places.csv: see
:mod:`siteplan.results.record`); a cached run is re-used only when the record's hashes match.
The summary also keeps the inputs under ``"inputs"`` (scenario file, overrides, resolved
scenario), as studies wrote them before records existed.

A failed run (infeasible, bad override, no plan in the time limit, internal error) leaves
``error.json`` in its folder instead of results.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from siteplan.errors import InfeasibleError, ScenarioError, SiteplanError, SolverError
from siteplan.results.record import (  # noqa: F401  (flatten, scenario_dict re-exported)
    flatten,
    hashes,
    make_record,
    scenario_dict,
)

INPUTS_KEY = "inputs"  # summary.json key holding the run's inputs (written by this package)
ERROR_FILE = "error.json"
SUMMARY_FILE = "summary.json"


class StudyError(SiteplanError):
    """A compare / sweep / pareto request that cannot be carried out (bad option, folder)."""

    exit_code = 2


# --- scenario dicts ---------------------------------------------------------------------


def normalise_overrides(overrides) -> tuple[str, ...]:
    """``KEY=VALUE`` items with blanks trimmed; a key given twice keeps its last value; sorted."""
    last: dict[str, str] = {}
    for item in overrides:
        key, sep, value = str(item).partition("=")
        if not sep:
            raise StudyError(f"override {item!r}: expected KEY=VALUE")
        last[key.strip()] = value.strip()
    return tuple(f"{k}={v}" for k, v in sorted(last.items()))


def run_id(overrides) -> str:
    """A stable id for a set of overrides: the first 12 hex digits of their SHA-256."""
    text = "\n".join(normalise_overrides(overrides))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# --- solving one run --------------------------------------------------------------------


@dataclass
class Outcome:
    """What solving one run gave: results (and the resolved scenario) or an error."""

    overrides: tuple[str, ...]
    results: Any = None  # siteplan.Results
    scenario: dict | None = None
    error: str | None = None
    error_type: str | None = None
    status: str | None = None  # "infeasible", "no_solution", "bad_input", "error" on failure
    exit_code: int | None = None
    wall_s: float = 0.0
    hashes: dict | None = None  # scenario and dataset hashes, once the scenario loaded

    @property
    def ok(self) -> bool:
        return self.error is None


def solve_scenario(scenario, reuse=None):
    """The one place this package solves (tests patch it to count solver invocations)."""
    import siteplan

    return siteplan.solve(scenario, reuse=reuse)


def solve_recorded(scenario, scenario_file, overrides=(), reuse=None, writer="sweep"):
    """Solve ``scenario`` (raises on failure) and record its inputs in the summary; the
    record says which study wrote it (``writer``: "compare" may replace its own folders)."""
    results = solve_scenario(scenario, reuse)
    if results.record is not None:
        results.record.written_by = writer
    results.summary[INPUTS_KEY] = {
        "scenario_file": str(Path(scenario_file).resolve()),
        "overrides": list(overrides),
        "scenario": scenario_dict(scenario),
    }
    return results


def execute(scenario_file: str, overrides: tuple[str, ...], reuse=None) -> Outcome:
    """Load and solve one run; never raises for a run that fails (the error is recorded).

    Module-level and free of open handles, so that process pools and Dask workers can run it.
    ``reuse`` (a :class:`siteplan.pipeline.Reuse`) carries the dataset and the HiGHS model
    from the previous run of the same process.
    """
    import siteplan

    t0 = time.perf_counter()
    out = Outcome(overrides=tuple(overrides))
    try:
        sc = siteplan.load_scenario(scenario_file, list(overrides))
        out.scenario = scenario_dict(sc)
        out.hashes = hashes(make_record(sc, places=False))
        out.results = solve_recorded(sc, scenario_file, overrides, reuse)
    except Exception as exc:  # recorded, never raised: one failed run must not stop a sweep
        out.error = " ".join(str(exc).split()) or type(exc).__name__
        out.error_type = type(exc).__name__
        out.exit_code = getattr(exc, "exit_code", 1)
        if isinstance(exc, InfeasibleError):
            out.status = "infeasible"
        elif isinstance(exc, SolverError):
            out.status = "no_solution"
        elif isinstance(exc, ScenarioError | siteplan.InputDataError):
            out.status = "bad_input"
        else:
            out.status = "error"
    out.wall_s = time.perf_counter() - t0
    return out


def execute_chain(scenario_file: str, overrides: list[tuple[str, ...]]) -> list[Outcome]:
    """Solve runs one after the other on one re-used HiGHS model (a pool or Dask task)."""
    from siteplan.pipeline import Reuse

    reuse = Reuse()
    return [execute(scenario_file, o, reuse) for o in overrides]


def write_outcome(outcome: Outcome, folder: Path, extra: dict | None = None) -> None:
    """Put a run's results (or its ``error.json``) into ``folder``, replacing what was there."""
    folder = Path(folder)
    err = folder / ERROR_FILE
    if outcome.ok:
        outcome.results.summary.setdefault("times", {})["run_wall_s"] = outcome.wall_s
        if err.exists():
            err.unlink()
        outcome.results.write(folder, force=True)
        return
    if (folder / SUMMARY_FILE).exists():  # old results of the same run id: no longer valid
        import shutil

        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "status": outcome.status,
        "error": outcome.error,
        "error_type": outcome.error_type,
        "exit_code": outcome.exit_code,
        "overrides": list(outcome.overrides),
        "scenario": outcome.scenario,
        "wall_s": outcome.wall_s,
        **(outcome.hashes or {}),
        **(extra or {}),
    }
    tmp = folder / f".{ERROR_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, err)


# --- reading a results folder -----------------------------------------------------------


@dataclass
class RunFolder:
    """One results folder read back: summary, tables, and the scenario if it was recorded."""

    folder: Path
    summary: dict
    regions: pd.DataFrame
    sites: pd.DataFrame | None = None
    scenario: dict | None = None  # resolved scenario, when recorded
    notes: list[str] = field(default_factory=list)
    record: Any = None  # siteplan.results.record.Record, None for an old folder
    recorded: bool = True  # False: the scenario's keys are not known (an old folder)

    @property
    def name(self) -> str:
        return str(self.summary.get("scenario") or self.folder.name)


def read_summary(folder: Path) -> dict:
    path = Path(folder) / SUMMARY_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudyError(f"{folder}: not a results folder (no {SUMMARY_FILE}); give a folder "
                         "written by 'siteplan run' or a scenario YAML") from None
    except (OSError, ValueError) as exc:
        raise StudyError(f"{path}: cannot read ({exc})") from None


def read_run_folder(folder: str | Path, year: int | None = None) -> RunFolder:
    """A results folder (read by :func:`siteplan.results.folder.read_result`); a pathway's is
    read as one of its years (default the final one)."""
    from siteplan.results.folder import ResultFolderError, read_result

    try:
        res = read_result(folder, year)
    except ResultFolderError as exc:
        raise StudyError(str(exc)) from None
    run = RunFolder(folder=res.path, summary=res.summary, regions=res.regions, sites=res.sites,
                    scenario=res.resolved_scenario, notes=list(res.notes), record=res.record)
    if run.scenario is None:
        run.recorded = False
        summary = res.summary
        run.scenario = {k: summary[k] for k in ("scenario", "description", "objective_kind",
                                                "currency") if k in summary}
        run.scenario = {("name" if k == "scenario" else "objective" if k == "objective_kind"
                         else k): v for k, v in run.scenario.items()}
    return run
