"""The one reader of a result folder (``siteplan run`` output), shared by map, report and studies.

A folder holds the tables (allocation, sites, regions, excluded), summary.json and the record
(:mod:`siteplan.results.record`: resolved scenario, hashes, places). A folder written before
records existed is still read; :attr:`ResultFolder.notes` then carries a one-line warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from siteplan.errors import SiteplanError
from siteplan.results.pathway import select_year
from siteplan.results.record import Record, RecordError, read_record

REQUIRED = ("summary.json", "regions.csv", "sites.csv", "allocation.csv")

# columns every reader relies on, per table
_COLUMNS = {
    "regions": ("region", "avg_cost_per_mtok", "marginal_cost_per_mtok"),
    "sites": ("site", "location", "region", "open", "mw_it_total", "green_share"),
    "allocation": ("region", "location", "tokens_per_day"),
}
_IDS = {"region": str, "location": str, "site": str, "zone": str}


class ResultFolderError(SiteplanError):
    """A folder that is not a readable result (bad input: exit code 2)."""

    exit_code = 2


@dataclass
class ResultFolder:
    """The tables, summary and record of one solved scenario, as read back from its folder."""

    path: Path
    summary: dict
    regions: pd.DataFrame
    sites: pd.DataFrame
    allocation: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    record: Record | None = None  # None: written before records existed
    notes: list[str] = field(default_factory=list)  # pathway year shown, missing record

    @property
    def scenario(self) -> str:
        return str(self.summary.get("scenario") or self.path.name)

    @property
    def currency(self) -> str:
        return str(self.summary.get("currency") or "")

    @property
    def open_sites(self) -> pd.DataFrame:
        s = self.sites
        return s[(s["open"] > 0.5) & (s["mw_it_total"] > 1e-9)].copy()

    @property
    def resolved_scenario(self) -> dict | None:
        """The resolved scenario: from the record, else from an older study's summary."""
        if self.record is not None:
            return self.record.scenario
        inputs = self.summary.get("inputs")
        if isinstance(inputs, dict) and isinstance(inputs.get("scenario"), dict):
            return inputs["scenario"]
        return None

    def places(self, kind: str) -> pd.DataFrame:
        """Rows of places.csv of ``kind`` ("region" or "location"), indexed by id (may be empty)."""
        if self.record is None or self.record.places.empty:
            return pd.DataFrame(columns=["name", "region", "zone", "lat", "lon"])
        p = self.record.places
        return p[p["kind"] == kind].set_index("id")


def read_result(path: str | Path, year: int | None = None) -> ResultFolder:
    """Read ``path``; a pathway's folder is read as one of its years (default the final one).

    Raises :class:`ResultFolderError` (one line) if it is not a result folder.
    """
    path = Path(path)
    if not path.is_dir():
        raise ResultFolderError(f"{path}: not a folder; expected a result folder from "
                                "'siteplan run'")
    missing = [n for n in REQUIRED if not (path / n).is_file()]
    if missing:
        raise ResultFolderError(f"{path}: not a siteplan result folder (missing "
                                f"{', '.join(missing)})")
    try:
        summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultFolderError(f"{path / 'summary.json'}: cannot be read as JSON ({exc})") \
            from None
    if not isinstance(summary, dict):
        raise ResultFolderError(f"{path / 'summary.json'}: expected a JSON object")
    tables = {name: _table(path / f"{name}.csv", cols) for name, cols in _COLUMNS.items()}
    excluded = pd.DataFrame()
    if (path / "excluded.csv").is_file():
        try:
            excluded = pd.read_csv(path / "excluded.csv")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            excluded = pd.DataFrame()
    try:
        record = read_record(path)
    except RecordError as exc:
        raise ResultFolderError(str(exc)) from None
    try:
        summary, tables, note = select_year(summary, {**tables, "excluded": excluded}, year,
                                            str(path))
    except ValueError as exc:
        raise ResultFolderError(str(exc)) from None
    notes = [note] if note else []
    if record is None:
        notes.append(f"{path}: no record of its inputs (written by an older siteplan): its "
                     "scenario and data cannot be checked; places come from the dataset")
    excluded = tables.pop("excluded")
    return ResultFolder(path=path, summary=summary, excluded=excluded, record=record,
                        notes=notes, **tables)


def _table(file: Path, cols: tuple[str, ...]) -> pd.DataFrame:
    try:
        df = pd.read_csv(file, dtype=_IDS)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise ResultFolderError(f"{file}: cannot be read as CSV "
                                f"({' '.join(str(exc).split())})") from None
    lacking = [c for c in cols if c not in df.columns]
    if lacking:
        raise ResultFolderError(f"{file}: missing column(s) {', '.join(lacking)}")
    return df
