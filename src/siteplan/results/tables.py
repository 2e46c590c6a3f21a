"""The :class:`Results` container and its atomic, deterministic writer.

Atomicity: the files are written (and fsynced) into a hidden sibling folder
``.<name>.partial-<pid>``, which then replaces ``<name>`` in one step (Linux
``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, with the old folder kept aside as
``.<name>.old-<pid>`` until the new one is in place). A reader therefore sees either the
old results or the new ones, never a mix. A run killed with SIGKILL can leave its hidden
``.partial-<pid>`` (or ``.old-<pid>``) folder behind; the next write to the same target
removes those of processes that no longer run (and puts an ``.old`` folder back if the
target is missing). ``--force`` only replaces a folder that holds nothing but result files.

Test hook: ``SITEPLAN_TEST_PAUSE_WRITE_S`` (seconds, float) sleeps before each file is
written, so tests can kill a run in the middle of writing. It is meant for tests only.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from siteplan import outputs
from siteplan.errors import OutputExistsError
from siteplan.results.record import RECORD_FILES, Record, record_texts
from siteplan.safe_output import spreadsheet_safe_frame

TABLE_FILES = ("allocation", "sites", "regions", "site_hours")
RESULT_FILES = frozenset({*(f"{n}.csv" for n in TABLE_FILES), "excluded.csv", "summary.json",
                          "builds.csv", *RECORD_FILES})
# drawn from a result by `siteplan map` and `siteplan report`; replaced with it
DERIVED_FILES = frozenset({"map.png", "report.html"})
PAUSE_ENV = "SITEPLAN_TEST_PAUSE_WRITE_S"  # test hook, see the module docstring


@dataclass
class Results:
    """Tables of one solved scenario (DataFrames) plus the summary (JSON-able dict)."""

    scenario: str
    allocation: pd.DataFrame
    sites: pd.DataFrame
    regions: pd.DataFrame
    excluded: pd.DataFrame
    summary: dict = field(default_factory=dict)
    site_hours: pd.DataFrame = field(default_factory=pd.DataFrame)  # open sites x slices
    builds: pd.DataFrame | None = None  # pathways only: what is built and retired when
    record: Record | None = None  # what was solved (results/record.py); set by siteplan.solve

    @property
    def objective(self) -> float:
        return float(self.summary["objective"])

    def write(self, outdir: str | Path, force: bool = False) -> Path:
        """Write CSVs + summary.json into ``outdir`` atomically (temp folder, then swap)."""
        outdir = Path(outdir)
        check_outdir(outdir, force)
        outdir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(outdir)
        tmp = outdir.parent / f".{outdir.name}.partial-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        try:
            for name in TABLE_FILES:
                _pause()
                _write_csv(getattr(self, name), tmp / f"{name}.csv")
            _pause()
            _write_csv(self.excluded, tmp / "excluded.csv")
            if self.builds is not None:
                _write_csv(self.builds, tmp / "builds.csv")
            _pause()
            text = json.dumps(_jsonable(self.summary), indent=2, sort_keys=False) + "\n"
            _write_text(tmp / "summary.json", text)
            for name, body in (record_texts(self.record) if self.record else {}).items():
                _write_text(tmp / name, body)
            _fsync_dir(tmp)
            _replace_dir(tmp, outdir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return outdir


def check_outdir(outdir: str | Path, force: bool) -> None:
    """Raise unless ``outdir`` may be written: absent, or (with ``force``) an old results folder.

    A folder holding anything but result files is never replaced, even with ``force``: a
    mistyped ``-o`` must not delete a dataset or a home folder.
    """
    outdir = Path(outdir)
    if not (outdir.exists() or outdir.is_symlink()):
        return
    if not force:
        raise OutputExistsError(f"{outdir}: output folder exists; use --force to replace it")
    if outdir.is_symlink() or not outdir.is_dir():
        raise OutputExistsError(f"{outdir}: exists and is not a results folder (a file or a link); "
                            "not replacing it; choose another -o")
    foreign = sorted(p.name for p in outdir.iterdir()
                     if p.name not in RESULT_FILES | DERIVED_FILES)
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise OutputExistsError(f"{outdir}: holds files that are not siteplan results ({shown}); "
                            "not replacing it even with --force; choose another -o")


_STALE = re.compile(r"\.(?P<name>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)")


def clean_stale(outdir: str | Path) -> list[Path]:
    """Remove hidden temp folders left next to ``outdir`` by runs that no longer exist.

    An ``.old-<pid>`` folder whose target is missing (a run killed between its two renames)
    is put back as the target instead. Returns the folders removed or restored.
    """
    outdir = Path(outdir)
    parent = outdir.parent
    done = []
    if not parent.is_dir():
        return done
    for path in sorted(parent.iterdir()):
        m = _STALE.fullmatch(path.name)
        if not m or m["name"] != outdir.name or not path.is_dir() or path.is_symlink():
            continue
        pid = int(m["pid"])
        if pid == os.getpid() or _alive(pid):
            continue
        if m["kind"] == "old" and not (outdir.exists() or outdir.is_symlink()):
            with contextlib.suppress(OSError):
                os.rename(path, outdir)
                done.append(path)
                continue
        shutil.rmtree(path, ignore_errors=True)
        done.append(path)
    return done


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


def _pause() -> None:
    text = os.environ.get(PAUSE_ENV)
    if text:
        with contextlib.suppress(ValueError):
            time.sleep(max(0.0, float(text)))


def format_table(df: pd.DataFrame) -> pd.DataFrame:
    """Round each float column to its decimals in the outputs registry (stable bytes)."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        decimals = outputs.decimals(col)
        vals = out[col].round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        if decimals == 0 and vals.notna().all():
            out[col] = vals.astype("int64")
        else:
            out[col] = vals
    return out


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    table = spreadsheet_safe_frame(format_table(df))  # no cell runs as a formula
    _write_text(path, table.to_csv(index=False, lineterminator="\n"))


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a folder's entries (new files, renames) durable; a no-op where unsupported."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _replace_dir(tmp: Path, outdir: Path) -> None:
    """Put ``tmp`` in place of ``outdir`` in one step where possible; remove the old folder."""
    if outdir.exists():
        if _exchange(tmp, outdir):  # tmp now holds the old results
            _fsync_dir(outdir.parent)
            shutil.rmtree(tmp, ignore_errors=True)
            return
        old = outdir.parent / f".{outdir.name}.old-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(outdir, old)
        try:
            os.replace(tmp, outdir)
        except BaseException:
            os.replace(old, outdir)  # put the old results back
            raise
        _fsync_dir(outdir.parent)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(tmp, outdir)
    _fsync_dir(outdir.parent)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        if not np.isfinite(obj):
            return None
        return float(f"{obj:.10g}")
    if isinstance(obj, Path):
        return str(obj)
    return obj
