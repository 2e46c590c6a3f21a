"""Read a result folder written by ``siteplan run`` (CSV tables + summary.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from siteplan.errors import SiteplanError
from siteplan.results.pathway import select_year

REQUIRED = ("summary.json", "regions.csv", "sites.csv", "allocation.csv")

# columns the map and the report read, per table
_COLUMNS = {
    "regions": ("region", "avg_cost_per_mtok", "marginal_cost_per_mtok"),
    "sites": ("site", "location", "region", "open", "mw_it_total", "green_share"),
    "allocation": ("region", "location", "tokens_per_day"),
}


class ReportError(SiteplanError):
    """A result folder, boundary file or dataset the map/report cannot use (bad input)."""

    exit_code = 2


@dataclass
class ResultFolder:
    """The tables and summary of one solved scenario, as read back from its folder."""

    path: Path
    summary: dict
    regions: pd.DataFrame
    sites: pd.DataFrame
    allocation: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)  # e.g. which year of a pathway is shown

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


def load_result(path: str | Path, year: int | None = None) -> ResultFolder:
    """Read ``path`` (a folder written by ``siteplan run``); ReportError if it is not one.

    A pathway's folder is read as one of its years (``year``; default the final one).
    """
    path = Path(path)
    if not path.is_dir():
        raise ReportError(f"{path}: not a folder; expected a result folder from 'siteplan run'")
    missing = [n for n in REQUIRED if not (path / n).is_file()]
    if missing:
        raise ReportError(f"{path}: not a siteplan result folder (missing {', '.join(missing)})")
    try:
        summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path / 'summary.json'}: cannot be read as JSON ({exc})") from None
    if not isinstance(summary, dict):
        raise ReportError(f"{path / 'summary.json'}: expected a JSON object")
    tables = {}
    for name, cols in _COLUMNS.items():
        file = path / f"{name}.csv"
        try:
            df = pd.read_csv(file, dtype={"region": str, "location": str, "site": str})
        except (OSError, UnicodeDecodeError, pd.errors.ParserError,
                pd.errors.EmptyDataError) as exc:
            raise ReportError(f"{file}: cannot be read as CSV ({' '.join(str(exc).split())})") \
                from None
        lacking = [c for c in cols if c not in df.columns]
        if lacking:
            raise ReportError(f"{file}: missing column(s) {', '.join(lacking)}")
        tables[name] = df
    excluded = pd.DataFrame()
    if (path / "excluded.csv").is_file():
        try:
            excluded = pd.read_csv(path / "excluded.csv")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            excluded = pd.DataFrame()
    try:
        summary, tables, note = select_year(summary, {**tables, "excluded": excluded}, year,
                                            str(path))
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    excluded = tables.pop("excluded")
    return ResultFolder(path=path, summary=summary, excluded=excluded, notes=[note] if note else [],
                        **tables)
