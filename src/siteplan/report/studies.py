"""Report pages of the decision studies: near-optimal alternatives (range of MW per province),
sensitivity (tornado) and futures (regret table). One self-contained HTML page each, rendered
from ``templates/study.html.j2`` like the main report (autoescaped, charts as PNG data URIs).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pandas as pd

from siteplan.report.html import _data_uri, _env, _new_figure
from siteplan.report.map import figure_png
from siteplan.safe_output import MARKER, write_text_atomic


def frame_table(df: pd.DataFrame, formats: dict[str, str] | None = None) -> dict:
    """A table for the ``table`` macro: every column of ``df``; numbers with ``formats``
    (column -> format spec, default ``,.4g``), texts as they are."""
    formats = formats or {}
    cols = list(df.columns)
    numeric = {c: pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
               for c in cols}
    rows = []
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if pd.isna(v):
                text = "–"
            elif numeric[c]:
                text = format(float(v), formats.get(c, ",.4g"))
            else:
                text = str(v)
            cells.append({"text": text, "cls": "num" if numeric[c] else "", "head": False})
        rows.append(cells)
    return {"css": "", "rows": rows,
            "columns": [{"header": c, "numeric": numeric[c]} for c in cols]}


def range_chart(labels: list[str], low: list[float], high: list[float], least: list[float],
                unit: str) -> str:
    """Horizontal range bars (min to max across plans) with the least-cost plan as a dot."""
    import matplotlib as mpl

    with mpl.rc_context({"text.parse_math": False}):
        fig = _new_figure(8.0, 0.9 + 0.32 * max(1, len(labels)))
        ax = fig.add_subplot(111)
        ys = list(range(len(labels)))[::-1]
        ax.hlines(ys, low, high, color="#4c78a8", linewidth=7, alpha=0.75,
                  label="range across the plans")
        ax.plot(least, ys, "o", color="#e45756", markersize=5, label="least-cost plan")
        return _finish(fig, ax, ys, labels, unit)


def _finish(fig, ax, ys: list[int], labels: list[str], unit: str) -> str:
    """A horizontal study chart's labels, axis, grid and legend; the figure as a data URI."""
    ax.set_yticks(ys, labels)
    ax.set_xlabel(unit)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return _data_uri(figure_png(fig))


def tornado_chart(labels: list[str], low: list[float], high: list[float], unit: str) -> str:
    """Tornado: the change from the base at each input's low (one colour) and high end."""
    import matplotlib as mpl

    with mpl.rc_context({"text.parse_math": False}):
        fig = _new_figure(8.0, 0.9 + 0.36 * max(1, len(labels)))
        ax = fig.add_subplot(111)
        ys = list(range(len(labels)))[::-1]
        ax.barh(ys, low, color="#4c78a8", label="low end")
        ax.barh(ys, high, color="#f58518", alpha=0.8, label="high end")
        ax.axvline(0, color="black", linewidth=0.8)
        return _finish(fig, ax, ys, labels, unit)


def write_page(out: str | Path, title: str, intro: list[str], sections: list[dict],
               source: str) -> Path:
    """Write one study page (sections: heading, note, chart URI, table) atomically."""
    out = Path(out)
    made = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    text = _env().get_template("study.html.j2").render(
        title=title, generator=MARKER, meta=f"Prepared with siteplan on {made} from: {source}",
        intro=intro, sections=[{"heading": "", "note": "", "chart": "", "table": None, **s}
                               for s in sections])
    return write_text_atomic(out, text)
