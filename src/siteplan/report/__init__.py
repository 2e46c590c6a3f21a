"""Maps and a self-contained HTML report of solved results (``siteplan map``, ``report``)."""

from siteplan.report.result import ReportError, ResultFolder, load_result

__all__ = ["ReportError", "ResultFolder", "load_result", "render_map", "write_map",
           "build_report", "write_report"]


def __getattr__(name):  # heavy imports (matplotlib, geopandas) only when used
    if name in ("render_map", "write_map"):
        from siteplan.report import map as _map

        return getattr(_map, name)
    if name in ("build_report", "write_report"):
        from siteplan.report import html as _html

        return getattr(_html, name)
    raise AttributeError(name)
