"""The :class:`Results` container and its atomic, deterministic writer."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from siteplan.errors import SiteplanError

TABLE_FILES = ("allocation", "sites", "regions")

# decimals per column, by name (first matching rule wins); tokens are whole numbers
_DECIMALS = (
    ("tokens_per_day", 0),
    ("share", 6),
    ("utilisation", 6),
    ("cost_per_mtok", 6),
    ("latency_ms", 3),
    ("pue", 4),
    ("mw", 4),
    ("mwh", 3),
    ("cost_", 2),
    ("tco2", 3),
    ("water_m3", 3),
)


@dataclass
class Results:
    """Tables of one solved scenario (DataFrames) plus the summary (JSON-able dict)."""

    scenario: str
    allocation: pd.DataFrame
    sites: pd.DataFrame
    regions: pd.DataFrame
    excluded: pd.DataFrame
    summary: dict = field(default_factory=dict)

    @property
    def objective(self) -> float:
        return float(self.summary["objective"])

    def write(self, outdir: str | Path, force: bool = False) -> Path:
        """Write CSVs + summary.json into ``outdir`` atomically (temp folder, then rename)."""
        outdir = Path(outdir)
        if outdir.exists() and not force:
            raise SiteplanError(f"{outdir}: output folder exists; use --force to replace it")
        outdir.parent.mkdir(parents=True, exist_ok=True)
        tmp = outdir.parent / f".{outdir.name}.partial-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        try:
            for name in TABLE_FILES:
                _write_csv(getattr(self, name), tmp / f"{name}.csv")
            _write_csv(self.excluded, tmp / "excluded.csv")
            text = json.dumps(_jsonable(self.summary), indent=2, sort_keys=False) + "\n"
            _write_text(tmp / "summary.json", text)
            _replace_dir(tmp, outdir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return outdir


def format_table(df: pd.DataFrame) -> pd.DataFrame:
    """Round each float column to its fixed decimals (stable, byte-identical output)."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        decimals = next((n for key, n in _DECIMALS if key in col), 6)
        vals = out[col].round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        if decimals == 0 and vals.notna().all():
            out[col] = vals.astype("int64")
        else:
            out[col] = vals
    return out


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    _write_text(path, format_table(df).to_csv(index=False, lineterminator="\n"))


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _replace_dir(tmp: Path, outdir: Path) -> None:
    """Move ``tmp`` to ``outdir``; an existing folder is kept aside until the move succeeded."""
    old = None
    if outdir.exists():
        old = outdir.parent / f".{outdir.name}.old-{os.getpid()}"
        os.replace(outdir, old)
    os.replace(tmp, outdir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
