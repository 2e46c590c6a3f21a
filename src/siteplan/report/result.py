"""The result folder as the map and the report read it (:mod:`siteplan.results.folder`)."""

from __future__ import annotations

from pathlib import Path

from siteplan.results.folder import ResultFolder, ResultFolderError, read_result

__all__ = ["ReportError", "ResultFolder", "load_result"]


class ReportError(ResultFolderError):
    """A result folder, boundary file or dataset the map/report cannot use (bad input)."""


def load_result(path: str | Path, year: int | None = None) -> ResultFolder:
    """Read ``path`` (a folder written by ``siteplan run``); ReportError if it is not one."""
    try:
        return read_result(path, year)
    except ReportError:
        raise
    except ResultFolderError as exc:
        raise ReportError(str(exc)) from None
