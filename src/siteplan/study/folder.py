"""The output folder of a study that writes whole result folders (``siteplan alternatives``,
``siteplan futures``): the check that DIR may be written, atomic CSV and JSON files, the
plans' result folders tagged in their summary, and the progress bar (one step per solve)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from siteplan.errors import OutputExistsError


def check_outdir(outdir: Path, force: bool, is_own: Callable[[str], bool], what: str) -> None:
    """DIR is new, empty, or (with ``force``) holds only what an earlier run wrote
    (``is_own(name)``); ``what`` names that, e.g. ``alternatives``."""
    if not outdir.exists():
        return
    if not outdir.is_dir():
        raise OutputExistsError(f"{outdir}: exists and is not a folder; choose another -o")
    found = [p.name for p in outdir.iterdir() if not p.name.startswith(".")]
    other = sorted(n for n in found if not is_own(n))
    if other:
        raise OutputExistsError(f"{outdir}: holds files that are not {what} "
                                f"({', '.join(other[:3])}); not writing into it; choose "
                                "another -o")
    if found and not force:
        raise OutputExistsError(f"{outdir}: holds {what} already; give --force to replace "
                                "them or choose another -o")


def write_plan(result, folder: Path, key: str, tag: dict) -> None:
    """A plan's result folder, its ``summary.json`` saying what it is under ``key``."""
    result.summary[key] = tag
    result.write(folder, force=True)


def write_csv(df: pd.DataFrame, path: Path, float_format: str = "%.10g") -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    df.to_csv(tmp, index=False, lineterminator="\n", float_format=float_format)
    os.replace(tmp, path)


def write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(obj, indent=2, default=float) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class Progress:
    """tqdm on stderr when wanted."""

    def __init__(self, total: int, enabled: bool, desc: str, unit: str):
        self.t = None
        if enabled:
            from tqdm import tqdm

            self.t = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr,
                          dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        if self.t is not None:
            self.t.update(n)

    def close(self) -> None:
        if self.t is not None:
            self.t.close()
