"""Where and how siteplan may write: safe folder names, writability checked before a solve,
a lock per output folder, no silent overwrite of files siteplan did not write, and
spreadsheet-safe CSV cells.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from siteplan.errors import OutputExistsError, OutputIOError, OutputLockedError

MIN_FREE_BYTES = 16 * 2**20  # a result folder of the shipped scenarios is a few MB
MAX_NAME_CHARS = 80


def safe_folder_name(name: str) -> str:
    """``name`` as one folder name: letters, digits, ``. _ - @ +``; anything else (``/``,
    ``..``, spaces, control characters) becomes ``-``; never hidden, never empty."""
    text = unicodedata.normalize("NFKC", str(name))
    text = "".join(c if (c.isalnum() or c in "._-@+") and c.isprintable() else "-"
                   for c in text)
    text = re.sub(r"-{2,}", "-", text).strip("-.")[:MAX_NAME_CHARS].strip("-.")
    return text or "scenario"


def default_outdir(name: str, prefix: str = "") -> Path:
    """``out/<prefix><safe name>``: a scenario name never decides where results go."""
    return Path("out") / (prefix + safe_folder_name(name))


def check_writable(target: Path, need_bytes: int = MIN_FREE_BYTES) -> None:
    """Raise :class:`OutputIOError` unless ``target`` (a folder or file to be created) can be
    written: its parent is created and a probe file written there; the disk has room."""
    target = Path(target)
    parent = target.parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputIOError(f"{target}: cannot write there ({existing} is a file, not a "
                            "folder); choose another -o")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".siteplan-probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputIOError(f"{target}: cannot write there ({exc.strerror or exc}); choose "
                            "another -o") from None
    free = shutil.disk_usage(parent).free
    if free < need_bytes:
        raise OutputIOError(f"{target}: only {free / 2**20:.1f} MB free on that disk, need at "
                            f"least {need_bytes / 2**20:.0f} MB; free some space or choose "
                            "another -o")


def lock_path(outdir: Path) -> Path:
    return Path(outdir).parent / f".{Path(outdir).name}.lock"


@contextlib.contextmanager
def folder_lock(outdir: Path) -> Iterator[Path]:
    """Hold the lock of ``outdir`` (``.<name>.lock`` beside it) while inside.

    A second siteplan writing the same folder gets :class:`OutputLockedError` at once, naming
    the process that holds it (pid, host, start time, command). The lock is an ``flock`` on
    the file, so a killed run never leaves a held lock behind.
    """
    path = lock_path(outdir)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            raise OutputLockedError(f"{outdir}: another siteplan run is writing this folder "
                                    f"({_holder(path)}); wait for it to finish or choose "
                                    "another -o") from None
        try:  # the file may have been removed by the previous holder in between
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        info = (f"pid {os.getpid()} on {socket.gethostname()}, started "
                f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}: "
                f"{' '.join(['siteplan', *sys.argv[1:]])[:200]}")
        os.ftruncate(fd, 0)
        os.write(fd, info.encode("utf-8", "replace"))
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return " ".join(text.split())[:300] or "holder unknown"


# --- files written by report, map and compare ------------------------------------------------
MARKER = "siteplan-output"  # in every file siteplan writes outside a results folder


def check_overwrite(path: Path, force: bool) -> None:
    """Raise unless ``path`` may be written: absent, written by siteplan (its marker), or
    ``force``. A folder, a link or a file inside a dataset folder is never replaced."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputExistsError(f"{path}: exists and is not a plain file (a folder or a link); "
                                "not replacing it; choose another -o")
    if not path.exists():
        return
    if force or written_by_siteplan(path):
        return
    raise OutputExistsError(f"{path}: file exists and was not written by siteplan; not "
                            "replacing it; use --force to replace it or choose another -o")


def written_by_siteplan(path: Path) -> bool:
    """Whether ``path`` carries siteplan's marker near its start or end (HTML generator meta,
    PNG/SVG/PDF metadata, the comparison CSV's header)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
            fh.seek(max(0, os.fstat(fh.fileno()).st_size - 8192))
            tail = fh.read(8192)
    except OSError:
        return False
    if head.startswith(COMPARE_HEADER.encode()):
        return True
    if path.name.endswith("_inputs.csv") and head.startswith(b"key,"):  # compare's input diff
        return True
    return MARKER.encode() in head or MARKER.encode() in tail


COMPARE_HEADER = "scenario,scope,metric,value"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe
    (OWASP "CSV injection"); numbers and other text are unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
            return value  # a number written as text, e.g. "-5"
        except ValueError:
            return "'" + value
    return value


def spreadsheet_safe_frame(df):
    """``df`` with every text cell passed through :func:`spreadsheet_safe` (a copy)."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(spreadsheet_safe)
    return out


def write_text_atomic(out: Path, text: str) -> Path:
    """Write ``text`` to ``out`` through a hidden partial file in the same folder, so a reader
    (or a kill mid-write) never sees half a file; returns ``out``."""
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
