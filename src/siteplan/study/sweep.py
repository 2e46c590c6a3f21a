"""Parameter sweeps: every combination of a grid, or seeded Monte Carlo samples, one solve each.

Layout of a sweep folder ``DIR``::

    DIR/sweep.csv            one row per run: run id, swept values, headline results, error
    DIR/sweep.json           what was asked (scenario, grid, distributions, seed)
    DIR/runs/<run-id>/       that run's results (as 'siteplan run' writes them), or error.json

The run id is a stable hash of the run's overrides (:func:`siteplan.study.runs.run_id`), so
running the same sweep again resumes it: a run whose folder holds ``summary.json`` (or
``error.json``: a failed run, re-tried only with ``retry_failed``) is not solved again, unless
the resolved scenario recorded there differs from today's (the YAML or its dataset path
changed). A failed run is recorded with its error and never stops the sweep.

Executors: in-process (``workers=1``), a local process pool (``workers>1``), or an existing
Dask distributed cluster (``scheduler="tcp://host:8786"``). Workers only solve; the calling
process writes every folder and sweep.csv. With ``reuse_model`` (the default) the runs a
worker solves one after the other share one HiGHS model (:class:`siteplan.pipeline.Reuse`):
in-process every run; in a pool or on Dask the runs are split into one contiguous chain per
worker, whose results arrive (and are written) when the chain ends. Dask workers must see the
scenario and dataset files at the same paths (same machine or a shared file system) and run
the same siteplan.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from siteplan.errors import OutputExistsError
from siteplan.results.record import dataset_hash, make_record
from siteplan.safe_output import default_outdir
from siteplan.study import runs as _runs
from siteplan.study.runs import (
    ERROR_FILE,
    SUMMARY_FILE,
    Outcome,
    StudyError,
    normalise_overrides,
    run_id,
    write_outcome,
)

# sweep.csv: these, with the share served from each zone (<zone>_share) after tco2
NUMERIC_RESULTS = ("objective", "avg_cost_per_mtok", "green_share", "tco2", "sites_open",
                   "mip_gap")
SWEEP_FILES = frozenset({"sweep.csv", "sweep.json", "runs", "pareto.csv", "pareto.json",
                         "sensitivity.csv", "sensitivity.json", "sensitivity.html", "data"})


# --- what to run ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    """One run: overrides (base --set items and the swept values) and its id."""

    overrides: tuple[str, ...]
    values: tuple[tuple[str, str], ...] = ()  # swept key -> value text, in sweep order
    run_id: str = ""

    @classmethod
    def make(cls, base: Iterable[str], values: Sequence[tuple[str, str]]) -> RunSpec:
        overrides = normalise_overrides([*base, *(f"{k}={v}" for k, v in values)])
        return cls(overrides=overrides, values=tuple(values), run_id=run_id(overrides))


def _split_values(text: str) -> list[str]:
    """Split on commas outside brackets: ``[west],[west, north]`` is two values."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def _number(text: str, item: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise StudyError(f"{item}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise StudyError(f"{item}: {text!r} is not a finite number")
    return value


def fmt_number(value: float, digits: int = 12) -> str:
    """Shortest stable text of a number (integers without a decimal point)."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, f".{digits}g")


def parse_grid(items: Iterable[str]) -> list[tuple[str, list[str]]]:
    """``KEY=V1,V2,...`` or ``KEY=START:STOP:N`` (N evenly spaced values, both ends included)."""
    grid: list[tuple[str, list[str]]] = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or not text.strip():
            raise StudyError(f"--grid {item}: expected KEY=V1,V2,... or KEY=START:STOP:N")
        if any(k == key for k, _ in grid):
            raise StudyError(f"--grid {item}: key {key} is already swept")
        parts = text.split(":")
        if len(parts) == 3 and "," not in text and "[" not in text:
            start = _number(parts[0], f"--grid {item}")
            stop = _number(parts[1], f"--grid {item}")
            try:
                n = int(parts[2])
            except ValueError:
                raise StudyError(f"--grid {item}: N must be a whole number, got {parts[2]!r}") \
                    from None
            if n < 1:
                raise StudyError(f"--grid {item}: N must be at least 1")
            values = [fmt_number(v) for v in np.linspace(start, stop, n)]
        else:
            values = _split_values(text)
            if any(not v for v in values):
                raise StudyError(f"--grid {item}: empty value in the list")
            for v in values:
                try:
                    yaml.safe_load(v)
                except yaml.YAMLError:
                    raise StudyError(f"--grid {item}: value {v!r} is not valid YAML") from None
        grid.append((key, list(dict.fromkeys(values))))
    return grid


@dataclass(frozen=True)
class Dist:
    key: str
    kind: str
    params: tuple[float, ...]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.kind == "uniform":
            return rng.uniform(self.params[0], self.params[1], n)
        if self.kind == "normal":
            return rng.normal(self.params[0], self.params[1], n)
        return rng.triangular(self.params[0], self.params[1], self.params[2], n)


_DIST_ARITY = {"uniform": 2, "normal": 2, "triangular": 3}


def parse_dist(items: Iterable[str]) -> list[Dist]:
    """``KEY=uniform:a:b``, ``KEY=normal:mu:sigma`` or ``KEY=triangular:a:mode:b``."""
    out: list[Dist] = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        kind, *params = text.split(":")
        kind = kind.strip().lower()
        usage = "expected KEY=uniform:a:b, KEY=normal:mu:sigma or KEY=triangular:a:mode:b"
        if not sep or not key or kind not in _DIST_ARITY:
            raise StudyError(f"--dist {item}: {usage}")
        if len(params) != _DIST_ARITY[kind]:
            raise StudyError(f"--dist {item}: {kind} takes {_DIST_ARITY[kind]} numbers; {usage}")
        p = tuple(_number(x, f"--dist {item}") for x in params)
        if kind == "uniform" and not p[0] < p[1]:
            raise StudyError(f"--dist {item}: uniform needs a < b")
        if kind == "normal" and not p[1] > 0:
            raise StudyError(f"--dist {item}: normal needs sigma > 0")
        if kind == "triangular" and not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
            raise StudyError(f"--dist {item}: triangular needs a <= mode <= b and a < b")
        if any(d.key == key for d in out):
            raise StudyError(f"--dist {item}: key {key} already has a distribution")
        out.append(Dist(key, kind, p))
    return out


def plan_runs(grid: Sequence[tuple[str, list[str]]] = (), dists: Sequence[Dist] = (),
              samples: int | None = None, seed: int = 0,
              base: Iterable[str] = ()) -> list[RunSpec]:
    """Every grid combination, times ``samples`` seeded draws of the distributions.

    Sample i draws the same values whatever the grid (one generator, keys in the given
    order), so adding a grid key does not change the samples. Drawn values keep 10
    significant digits (the run id hashes their text).
    """
    base = list(base)
    grid_keys = {k for k, _ in grid}
    if any(d.key in grid_keys for d in dists):
        raise StudyError("a key cannot be both in --grid and --dist")
    if dists and not samples:
        raise StudyError("--dist needs --samples N (the number of Monte Carlo draws)")
    if samples is not None and samples < 1:
        raise StudyError("--samples must be at least 1")
    draws: list[list[tuple[str, str]]] = [[]]
    if samples:
        rng = np.random.default_rng(seed)
        cols = [(d.key, d.draw(rng, samples)) for d in dists]
        draws = [[(k, fmt_number(v[i], 10)) for k, v in cols] for i in range(samples)]
    combos = list(itertools.product(*[[(k, v) for v in vals] for k, vals in grid]))
    specs: list[RunSpec] = []
    seen: set[str] = set()
    for combo in combos:
        for draw in draws:
            spec = RunSpec.make(base, [*combo, *draw])
            if spec.run_id not in seen:  # identical overrides are one run
                seen.add(spec.run_id)
                specs.append(spec)
    return specs


# --- running ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    table: pd.DataFrame  # sweep.csv
    outdir: Path
    solved: int = 0  # runs solved by this call
    skipped: int = 0  # finished earlier (resumed)
    failed: int = 0  # runs (this call or earlier) that failed
    interrupted: bool = False
    wall_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def check_sweep_dir(outdir: Path) -> None:
    """A sweep folder is new, empty, or holds only sweep files: never write into other data."""
    if not outdir.exists():
        return
    if not outdir.is_dir():
        raise OutputExistsError(f"{outdir}: exists and is not a folder; not replacing it; "
                                "choose another -o")
    foreign = sorted(p.name for p in outdir.iterdir() if p.name not in SWEEP_FILES
                     and not p.name.startswith("."))
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise OutputExistsError(f"{outdir}: holds files that are not sweep results ({shown}); "
                                "not writing into it; choose another -o")


def _finished(folder: Path, want, retry_failed: bool) -> tuple[bool, str | None]:
    """Whether a run folder already holds the answer for ``want`` (a Record, None: the
    scenario does not load), and if it holds another answer, why it is not re-used."""
    from siteplan.results.record import Record, RecordError, read_record, stale_reason

    if (folder / SUMMARY_FILE).is_file():
        try:
            have = read_record(folder)
        except RecordError as exc:
            return False, str(exc)
        reason = stale_reason(have, want) if want is not None else None
        return reason is None, reason
    err = folder / ERROR_FILE
    if err.is_file() and not retry_failed:
        try:
            e = json.loads(err.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False, None
        if want is None or e.get("scenario") is None:  # it failed before its scenario loaded
            return True, None
        have = Record(scenario=e["scenario"], scenario_sha256=str(e.get("scenario_sha256")),
                      dataset_sha256=str(e.get("dataset_sha256")),
                      version=str(e.get("siteplan_version")))
        reason = stale_reason(have, want)
        return reason is None, reason
    return False, None


def _result_keys(summary: dict) -> list[str]:
    """NUMERIC_RESULTS with the summary's <zone>_share keys after tco2."""
    from siteplan.outputs import zone_share_keys

    zones = zone_share_keys(summary)
    cut = NUMERIC_RESULTS.index("tco2") + 1
    return [*NUMERIC_RESULTS[:cut], *zones, *NUMERIC_RESULTS[cut:]]


def row_of(spec: RunSpec, folder: Path) -> dict[str, Any]:
    """sweep.csv row of a run, read from its folder (the same whoever solved it)."""
    row: dict[str, Any] = {"run_id": spec.run_id}
    row.update({k: _value(v) for k, v in spec.values})
    summary = folder / SUMMARY_FILE
    err = folder / ERROR_FILE
    values: dict[str, Any] = dict.fromkeys(NUMERIC_RESULTS)
    row["error"], row["wall_s"] = "", None
    if summary.is_file():
        s = json.loads(summary.read_text(encoding="utf-8"))
        row["status"] = s.get("status")
        final = (s.get("years") or [{}])[-1]  # a pathway: net present cost, final-year figures
        values = {key: s.get(key) if key in s else final.get(key)
                  for key in _result_keys({**final, **s})}
        row["wall_s"] = (s.get("times") or {}).get("run_wall_s")
    elif err.is_file():
        e = json.loads(err.read_text(encoding="utf-8"))
        row["status"] = e.get("status") or "error"
        row["error"] = e.get("error") or ""
        row["wall_s"] = e.get("wall_s")
    else:
        row["status"] = "not_run"
    row = {**{k: v for k, v in row.items() if k not in ("error", "wall_s")}, **values,
           "error": row["error"], "wall_s": row["wall_s"]}
    row["overrides"] = " ".join(spec.overrides)
    return row


def _value(text: str):
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, int | float | str | bool) else text


def frame(rows: list[dict]) -> pd.DataFrame:
    """sweep.csv rows as a table, columns in a solved row's order (failed rows lack some)."""
    if not rows:
        return pd.DataFrame()
    cols = list(max(rows, key=len))
    cols += [k for r in rows for k in r if k not in cols]
    return pd.DataFrame(rows).reindex(columns=list(dict.fromkeys(cols)))


def write_table(rows: list[dict], path: Path) -> pd.DataFrame:
    table = frame(rows)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    table.to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g")
    os.replace(tmp, path)
    return table


class _Progress:
    """tqdm on stderr (bar, rate, ETA); silent when disabled."""

    def __init__(self, total: int, skipped: int, enabled: bool, desc: str):
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="run", file=sys.stderr,
                            dynamic_ncols=True, smoothing=0.1)
            if skipped:
                self.bar.set_postfix_str(f"{skipped} done earlier")
        self.failed = 0

    def update(self, failed: bool) -> None:
        self.failed += failed
        if self.bar is not None:
            if failed:
                self.bar.set_postfix_str(f"{self.failed} failed")
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _tasks(todo: list[RunSpec], n: int, reuse: bool) -> list[list[RunSpec]]:
    """One task per run, or (``reuse``) ``n`` contiguous chains of runs, each solved on one
    re-used HiGHS model: neighbouring grid points differ least."""
    if not reuse:
        return [[spec] for spec in todo]
    size = math.ceil(len(todo) / max(1, min(n, len(todo))))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def _submit_args(scenario_file, task: list[RunSpec], reuse: bool):
    if reuse:
        return _runs.execute_chain, scenario_file, [s.overrides for s in task]
    return _runs.execute, scenario_file, task[0].overrides


def _deliver(task: list[RunSpec], fut, on_done) -> None:
    try:
        got = fut.result()
        outcomes = got if isinstance(got, list) else [got]
    except Exception as exc:  # the worker process died
        outcomes = [_lost(spec, exc) for spec in task]
    for spec, outcome in zip(task, outcomes, strict=True):
        on_done(spec, outcome)


def _run_local(todo, scenario_file, workers, on_done, reuse):
    if not todo:
        return
    if workers <= 1:
        from siteplan.pipeline import Reuse

        shared = Reuse() if reuse else None
        for spec in todo:
            on_done(spec, _runs.execute(scenario_file, spec.overrides, shared))
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: a clean interpreter per worker (no forked locks or threads from the parent)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)) or 1,
                               mp_context=mp.get_context("spawn"))
    try:
        futures = {pool.submit(*_submit_args(scenario_file, task, reuse)): task
                   for task in _tasks(todo, workers, reuse)}
        for fut in as_completed(futures):
            _deliver(futures[fut], fut, on_done)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # do not wait for running solves
        raise
    pool.shutdown(wait=True)


def require_distributed():
    """(Client, as_completed) of dask.distributed; a one-line StudyError if not installed."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise StudyError("--scheduler needs the distributed extra (dask and distributed are "
                         "not installed): pip install 'siteplan[distributed]'") from None
    return Client, as_completed


def _run_dask(todo, scenario_file, scheduler, on_done, reuse):
    if not todo:
        return
    Client, as_completed = require_distributed()
    own = not hasattr(scheduler, "submit")
    try:
        client = Client(scheduler, timeout="10s") if own else scheduler
    except OSError as exc:
        raise StudyError(f"cannot reach the Dask scheduler at {scheduler}: "
                         f"{' '.join(str(exc).split())}") from None
    try:
        futures = {}
        n = sum(client.ncores().values()) or 1
        for task in _tasks(todo, n, reuse):
            fut = client.submit(*_submit_args(scenario_file, task, reuse), pure=False,
                                key=f"siteplan-run-{task[0].run_id}-{os.getpid()}-"
                                    f"{time.time_ns()}")
            futures[fut] = task
        try:
            for fut in as_completed(list(futures)):
                _deliver(futures[fut], fut, on_done)  # worker lost, deserialisation error...
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if own:
            client.close()


def _lost(spec: RunSpec, exc: BaseException) -> Outcome:
    return Outcome(overrides=spec.overrides, status="error", exit_code=1,
                   error=f"worker failed: {type(exc).__name__}: {' '.join(str(exc).split())}",
                   error_type=type(exc).__name__)


def run_batch(scenario_file: str | Path, specs: Sequence[RunSpec], outdir: str | Path,
              workers: int = 1, scheduler=None, progress: bool = True,
              retry_failed: bool = False, desc: str = "sweep",
              table_name: str | None = "sweep.csv", reuse_model: bool = True) -> SweepResult:
    """Solve the runs not finished yet into ``outdir/runs/<run-id>``; return the table.

    ``reuse_model``: runs solved one after the other in a worker share one HiGHS model,
    updated in place while the structure allows (:class:`siteplan.pipeline.Reuse`).
    """
    import siteplan

    t_start = time.perf_counter()
    scenario_file = str(Path(scenario_file).resolve())
    outdir = Path(outdir)
    check_sweep_dir(outdir)
    if scheduler is not None and not hasattr(scheduler, "submit"):
        require_distributed()  # say so before anything is solved or written
    runs_dir = outdir / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    result = SweepResult(table=pd.DataFrame(), outdir=outdir)

    todo: list[RunSpec] = []
    data_hashes: dict[Path, tuple] = {}  # dataset folder -> its hash, computed once
    stale: list[str] = []
    for spec in specs:
        folder = runs_dir / spec.run_id
        try:  # resolving is cheap: bad overrides fail here, stale folders show
            sc = siteplan.load_scenario(scenario_file, list(spec.overrides))
        except siteplan.ScenarioError as exc:
            if not _finished(folder, None, retry_failed)[0]:
                write_outcome(Outcome(overrides=spec.overrides, status="bad_input",
                                      exit_code=exc.exit_code, error_type="ScenarioError",
                                      error="; ".join(exc.problems)), folder)
            else:
                result.skipped += 1
            continue
        ds = Path(sc.dataset).resolve()
        if ds not in data_hashes:
            data_hashes[ds] = dataset_hash(ds)
        done, reason = _finished(folder, make_record(sc, data_hashes[ds], places=False),
                                 retry_failed)
        if done:
            result.skipped += 1
        else:
            todo.append(spec)
            if reason:
                stale.append(f"run {spec.run_id}: {reason}")
    if stale:
        result.notes.append(f"{len(stale)} earlier run(s) solved again, their results were for "
                            f"other inputs (first: {stale[0]})")

    bar = _Progress(len(todo), result.skipped, progress, desc)

    def done(spec: RunSpec, outcome: Outcome) -> None:
        write_outcome(outcome, runs_dir / spec.run_id)
        result.solved += 1
        bar.update(not outcome.ok)

    try:
        if scheduler is not None:
            _run_dask(todo, scenario_file, scheduler, done, reuse_model)
        else:
            _run_local(todo, scenario_file, workers, done, reuse_model)
    except KeyboardInterrupt:
        result.interrupted = True
        raise
    finally:
        bar.close()
        rows = [row_of(spec, runs_dir / spec.run_id) for spec in specs]
        if table_name:
            result.table = write_table(rows, outdir / table_name)
        else:
            result.table = frame(rows)
        result.failed = int((~result.table["status"].isin(
            ["optimal", "gap_limit", "time_limit", "not_run"])).sum()) if rows else 0
        result.wall_s = time.perf_counter() - t_start
    return result


def sweep(scenario_file: str | Path, grid: Iterable[str] = (), dists: Iterable[str] = (),
          samples: int | None = None, seed: int = 0, overrides: Iterable[str] = (),
          outdir: str | Path | None = None, workers: int = 1, scheduler=None,
          progress: bool = True, retry_failed: bool = False,
          reuse_model: bool = True) -> SweepResult:
    """Run a sweep (see the module docstring); ``grid``/``dists`` take the CLI's text forms.

    ``scheduler`` is a Dask scheduler address or a ``dask.distributed.Client``;
    ``reuse_model`` see :func:`run_batch`.
    """
    import siteplan

    scenario_file = Path(scenario_file)
    g = parse_grid(grid)
    d = parse_dist(dists)
    if not g and not d:
        raise StudyError("nothing to sweep: give --grid KEY=V1,V2,... and/or --samples N "
                         "with --dist KEY=...")
    base = list(overrides)
    sc = siteplan.load_scenario(scenario_file, base)  # the base scenario must be valid
    specs = plan_runs(g, d, samples, seed, base)
    outdir = Path(outdir) if outdir is not None else default_outdir(sc.name, "sweep-")
    check_sweep_dir(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    meta = {"scenario_file": str(scenario_file.resolve()), "overrides": base,
            "grid": [{"key": k, "values": v} for k, v in g],
            "dists": [{"key": x.key, "kind": x.kind, "params": list(x.params)} for x in d],
            "samples": samples, "seed": seed, "runs": len(specs)}
    tmp = outdir / f".sweep.json.{os.getpid()}"
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, outdir / "sweep.json")
    return run_batch(scenario_file, specs, outdir, workers=workers, scheduler=scheduler,
                     progress=progress, retry_failed=retry_failed, reuse_model=reuse_model)
