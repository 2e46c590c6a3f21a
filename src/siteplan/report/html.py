"""One self-contained HTML report of one or more results (inline CSS, images as data URIs).

The page is rendered from Jinja2 templates (``report/templates/``) with autoescape on, so
every text taken from a result (names, ids, the scenario description) is escaped. The file
makes no request of any kind: no scripts, no fonts, no external style sheets; the map and
charts are PNG images embedded as ``data:image/png;base64`` URIs. This module gathers the
figures (labels, units and decimals from :mod:`siteplan.outputs`); the templates lay them out.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from siteplan import outputs
from siteplan.report.map import figure_png, fmt_tokens, render_map
from siteplan.report.result import ReportError, ResultFolder, load_result
from siteplan.safe_output import MARKER, write_text_atomic

_ENV = None


def _env():
    """The Jinja2 environment of the report templates (autoescaped, strict)."""
    global _ENV
    if _ENV is None:
        from jinja2 import Environment, PackageLoader, StrictUndefined

        _ENV = Environment(loader=PackageLoader("siteplan.report", "templates"),
                           autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    return _ENV



# ----------------------------------------------------------------------------- formatting


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _fmt(x, digits: int = 2, unit: str = "") -> str:
    v = _num(x)
    if v is None:
        return "–"
    return f"{v:,.{digits}f}{unit}"


def _money(x, cur: str) -> tuple[str, str]:
    """(value, unit) of an amount of money with a scale word."""
    v = _num(x)
    if v is None:
        return "–", cur
    for div, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(v) >= div:
            return f"{v / div:,.3f}", f"{word} {cur}".strip()
    return f"{v:,.2f}", cur


def _scale(values, words=((1e12, "trillion"), (1e9, "billion"), (1e6, "million"),
                          (1e3, "thousand"))) -> tuple[float, str]:
    """A divisor and its word for a column of numbers (by its largest absolute value)."""
    arr = pd.to_numeric(pd.Series(values), errors="coerce").abs()
    top = float(arr.max()) if arr.notna().any() else 0.0
    for div, word in words:
        if top >= div:
            return div, word
    return 1.0, ""


def _status_class(status: str) -> str:
    s = str(status).lower()
    if s == "optimal":
        return "status-ok"
    if s in ("gap_limit", "time_limit", "feasible"):
        return "status-warn"
    return "status-bad"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# ----------------------------------------------------------------------------- tables


class Column:
    """How one table column is shown: header, cell text, numeric or not."""

    def __init__(self, key: str, header: str, fmt=None, numeric: bool = True):
        self.key, self.header, self.fmt, self.numeric = key, header, fmt, numeric


def _col(key: str, cur: str, header: str | None = None, fmt=None) -> Column:
    """A numeric column of output ``key``: header and format from the outputs registry."""
    out = outputs.get(key)
    unit = out.shown_unit(cur)
    header = header or _upper_first(out.label) + (
        f", {unit}" if unit and unit != "%" else "")
    return Column(key, header, fmt or (lambda v: out.fmt(v, cur, unit=unit == "%")
                                       .replace("-", "–")))


def _table(df: pd.DataFrame, columns: list[Column], css_class: str = "") -> dict:
    """A table for the ``table`` template macro (texts only: the template escapes them)."""
    cols = [c for c in columns if c.key in df.columns]
    rows = []
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            value = row[c.key]
            text = c.fmt(value) if c.fmt else ("–" if pd.isna(value) else str(value))
            cells.append({"text": text, "cls": "num" if c.numeric else "", "head": False})
        rows.append(cells)
    return {"css": css_class, "rows": rows,
            "columns": [{"header": c.header, "numeric": c.numeric} for c in cols]}


def pathway_table(res: ResultFolder) -> tuple[dict, str]:
    """The years of a pathway (annual cost, cost per Mtok, tokens, GW built and standing by
    zone) and the note above it."""
    s, cur = res.summary, res.currency
    df = pd.DataFrame(s["pathway_years"])
    zones = [c.removeprefix("mw_built_") for c in df.columns if c.startswith("mw_built_")]
    npc, npc_unit = _money(s.get("net_present_cost"), cur)
    note = (f"Net present cost {npc} {npc_unit} at {int(df['year'].iloc[0])}; the figures above "
            f"and below are year {s.get('pathway_year')}. Annual costs are undiscounted.")
    return _table(df, [
        Column("year", "Year", lambda v: str(int(v))),
        _col("objective", cur, f"Annual cost, bn {cur}"),
        _col("avg_cost_per_mtok", cur, f"Cost, {cur}/Mtok"),
        Column("served_tokens_per_day", "Served, tokens/day", lambda v: fmt_tokens(float(v))),
        *[_col(f"mw_built_{z}", cur) for z in zones],
        *[_col(f"mw_standing_{z}", cur) for z in zones],
        _col("green_share", cur),
    ]), note


def regions_table(res: ResultFolder) -> dict:
    df = res.regions.copy()
    if "name" not in df.columns:
        df["name"] = df["region"]
    cur = res.currency
    tdiv, tword = _scale(df.get("demand_tokens_per_day", pd.Series([0.0])))
    tok_unit = f"{tword} tokens/day".strip()

    def tokens(v):
        return _fmt(_num(v) / tdiv if _num(v) is not None else None, 3)

    df = df.sort_values("avg_cost_per_mtok", ascending=False, na_position="last")
    return _table(df, [
        Column("name", "Region", numeric=False),
        Column("zone", "Zone", numeric=False),
        Column("demand_tokens_per_day", f"Demand, {tok_unit}", tokens),
        Column("served_tokens_per_day", f"Served, {tok_unit}", tokens),
        Column("unserved_tokens_per_day", f"Unserved, {tok_unit}", tokens),
        _col("avg_cost_per_mtok", cur, f"Average cost, {cur}/Mtok"),
        *[_col(k, cur) for k in df.columns if k.startswith("avg_cost_per_mtok_")],
        _col("marginal_cost_per_mtok", cur),
        Column("degenerate_split", "Average rests on an arbitrary split",
               lambda v: "yes" if _num(v) == 1 else "no", numeric=False),
        _col("mean_latency_ms", cur),
        *[_col(k, cur) for k in df.columns if k.endswith("_share")],
    ], "regions")


def sites_table(res: ResultFolder, names: dict | None = None) -> dict | None:
    df = res.open_sites.sort_values("mw_it_total", ascending=False)
    if df.empty:
        return None
    cur = res.currency
    names = names or {}
    df = df.assign(location_name=[names.get(str(x), str(x)) for x in df["location"]])
    hw = [c for c in df.columns if c.startswith("mw_it_") and c != "mw_it_total"]
    tdiv, tword = _scale(df.get("tokens_per_day", pd.Series([0.0])))
    cdiv, cword = _scale(df.get("cost_total", pd.Series([0.0])),
                         ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")))
    cols = [
        Column("site", "Site", numeric=False),
        Column("location_name", "Location", numeric=False),
        Column("region", "Region", numeric=False),
        Column("zone", "Zone", numeric=False),
        Column("cooling", "Cooling", numeric=False),
        *([Column("site_type", "Site type", numeric=False)] if "site_type" in df.columns
          else []),
        _col("pue", cur, "PUE"),
        Column("mw_it_total", "MW IT", lambda v: _fmt(v, 1)),
    ]
    cols += [Column(c, f"MW {c.removeprefix('mw_it_')}", lambda v: _fmt(v, 1)) for c in hw]
    cols += [
        _col("utilisation_planned", cur),
        _col("utilisation_realised", cur),
        Column("tokens_per_day", f"{tword} tokens/day".strip(),
               lambda v: _fmt(_num(v) / tdiv if _num(v) is not None else None, 3)),
        _col("energy_mwh", cur),
        _col("green_share", cur),
        Column("tco2", "Emissions, tCO2/yr", lambda v: _fmt(v, 0)),
        Column("cost_total", f"Annual cost, {cword} {cur}/yr".replace("  ", " ").strip(),
               lambda v: _fmt(_num(v) / cdiv if _num(v) is not None else None, 3)),
        _col("cost_per_mtok", cur, f"{cur}/Mtok"),
    ]
    return _table(df, cols, "sites")


# ----------------------------------------------------------------------------- charts


def _new_figure(w: float, h: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=100)
    fig.patch.set_facecolor("white")
    return fig


def breakdown_chart(results: list[ResultFolder], labels: list[str]) -> bytes:
    """Annual cost by component: one horizontal bar per component (one per result in each).
    Labels are plain text (a ``$`` is never matplotlib math text)."""
    import matplotlib as mpl

    with mpl.rc_context({"text.parse_math": False}):
        return _breakdown_chart(results, labels)


def _breakdown_chart(results: list[ResultFolder], labels: list[str]) -> bytes:
    comps = []
    for res in results:
        for k in res.summary.get("cost_breakdown") or {}:
            if k not in comps and any(abs(float((r.summary.get("cost_breakdown") or {})
                                                .get(k, 0.0) or 0.0)) > 0 for r in results):
                comps.append(k)
    cur = results[0].currency
    fig = _new_figure(9.5, max(2.2, 0.45 * len(comps) * max(1, len(results)) + 1.2))
    ax = fig.add_axes((0.27, 0.16 if len(results) > 1 else 0.12, 0.66, 0.8))
    if not comps:
        ax.text(0.5, 0.5, "no cost breakdown in summary.json", ha="center", va="center")
        ax.set_axis_off()
        return figure_png(fig, dpi=110)
    values = np.array([[float((r.summary.get("cost_breakdown") or {}).get(k, 0.0) or 0.0)
                        for k in comps] for r in results])
    div, word = _scale(values.ravel(), ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")))
    n = len(results)
    height = 0.8 / n
    y = np.arange(len(comps))[::-1]
    palette = ["#1f4e79", "#e07b39", "#5a9e6f", "#8e6bb8", "#c9a227", "#4f9fb8"]
    for i, lab in enumerate(labels):
        pos = y + (n - 1) / 2 * height - i * height
        bars = ax.barh(pos, values[i] / div, height=height * 0.92, label=lab,
                       color=palette[i % len(palette)])
        total = values.max() / div if values.size else 1.0
        for b, v in zip(bars, values[i] / div, strict=True):
            ax.text(b.get_width() + total * 0.01, b.get_y() + b.get_height() / 2,
                    f"{v:,.2f}", va="center", fontsize=8)
    ax.set_yticks(y, [_upper_first(outputs.get(f"cost_breakdown.{k}").label) for k in comps],
                  fontsize=9)
    ax.set_xlabel(f"annual cost, {word} {cur}".replace("  ", " ").strip(), fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, values.max() / div * 1.15 if values.max() > 0 else 1.0)
    if n > 1:
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    return figure_png(fig, dpi=110)


# ----------------------------------------------------------------------------- sections


def _figure(name: str, s: dict, cur: str, label: str | None = None, cls: str = ""
            ) -> tuple[str, str, str, str]:
    """(label, value, unit, css class) of summary figure ``name`` (siteplan.outputs)."""
    out = outputs.get(name)
    label = label or _upper_first(out.label)
    return label, out.fmt(s.get(name), cur, unit=False).replace("-", "–"), \
        out.shown_unit(cur), cls


def _headline(res: ResultFolder) -> list[tuple[str, str, str, str]]:
    """(label, value, unit, css class) of the headline figures of one result."""
    s, cur = res.summary, res.currency
    cost, cost_unit = _money(s.get("objective"), cur)
    gap = _num(s.get("mip_gap"))
    status = str(s.get("status", "unknown"))
    mw = _num(s.get("mw_it_total"))
    rows = [
        ("Annual cost", cost, f"{cost_unit}/yr", ""),
        _figure("avg_cost_per_mtok", s, cur, "Cost per million tokens"),
        ("Demand", fmt_tokens(float(s.get("demand_tokens_per_day", 0) or 0)), "tokens/day",
         ""),
        ("Unserved", fmt_tokens(float(s.get("unserved_tokens_per_day", 0) or 0)),
         "tokens/day", ""),
        _figure("energy_twh", s, cur, "Electricity"),
        _figure("green_share", s, cur),
        _figure("tco2", s, cur),
        _figure("tokens_per_kwh", s, cur, "Tokens per kWh"),
        ("Sites opened", str(s.get("sites_open", len(res.open_sites))),
         outputs.fmt("mw_it_total", mw) if mw is not None else "", ""),
        *[_figure(k, s, cur) for k in outputs.zone_share_keys(s)],
        *[_figure(k, {k: v}, cur) for k, v in outputs.plan_figures(s).items()
          if not k.startswith("units_") or float(v or 0) > 0],
        ("Solver status", status, f"gap {gap:.3%}" if gap is not None else "",
         _status_class(status)),
    ]
    return rows


def _cards(res: ResultFolder) -> list[dict]:
    return [{"label": label, "value": value, "unit": unit, "cls": cls}
            for label, value, unit, cls in _headline(res)]


def _regional_sentence(regions, cur: str) -> list[str]:
    """Where tokens cost most and least, among the regions whose average is a result: those
    flagged ``degenerate_split`` rest on an arbitrary split between sites at equal marginal
    cost and are left out (and said to be)."""
    reg = regions.dropna(subset=["avg_cost_per_mtok"])
    flagged = reg["degenerate_split"].fillna(0).astype(int) == 1 \
        if "degenerate_split" in reg.columns else np.zeros(len(reg), bool)
    n_flag = int(np.sum(flagged))
    note = (f"The average cost of {n_flag} region{'s' if n_flag != 1 else ''} rests on an "
            "arbitrary split between sites at equal marginal cost (degenerate_split in "
            "regions.csv) and is not compared.") if n_flag else ""
    reg = reg[~np.asarray(flagged)]
    if len(reg) < 2:
        return [note] if note else []
    name = "name" if "name" in reg.columns else "region"
    hi = reg.loc[reg["avg_cost_per_mtok"].idxmax()]
    lo = reg.loc[reg["avg_cost_per_mtok"].idxmin()]
    out = [f"Tokens cost most in {hi[name]} ({float(hi['avg_cost_per_mtok']):,.4f}) "
           f"and least in {lo[name]} ({float(lo['avg_cost_per_mtok']):,.4f} {cur}/Mtok)."]
    return out + ([note] if note else [])


def _lead(res: ResultFolder) -> str:
    """Two or three plain sentences a decision-maker can read without the tables."""
    s, cur = res.summary, res.currency
    cost, cost_unit = _money(s.get("objective"), cur)
    compute = _num(s.get("compute_demand_mw_it"))
    also = (f" and {compute:,.0f} MW IT of compute (training, counted in busy MW of its "
            f"reference hardware, not tokens)" if compute else "")
    per_mw = (f", compute {outputs.fmt('avg_cost_per_mw_year_compute', s.get('avg_cost_per_mw_year_compute'), cur)}"  # noqa: E501
              if compute else "")
    parts = [f"Serving {fmt_tokens(float(s.get('demand_tokens_per_day', 0) or 0))} tokens a "
             f"day{also} costs {cost} {cost_unit} a year, {_fmt(s.get('avg_cost_per_mtok'), 4)} "
             f"{cur} per million tokens on average{per_mw}, from {s.get('sites_open', '?')} "
             "sites."]
    parts += _regional_sentence(res.regions, cur)
    status, gap = str(s.get("status", "")), _num(s.get("mip_gap"))
    if status == "optimal":
        parts.append("The solver proved this plan optimal.")
    elif gap is not None:
        parts.append(f"The solver stopped with the plan within {gap:.2%} of the best possible "
                     f"cost (status {status}); it is not proven optimal.")
    elif status:
        parts.append(f"Solver status: {status}.")
    unserved = _num(s.get("unserved_tokens_per_day")) or 0.0
    if unserved > 0:
        parts.append(f"{fmt_tokens(unserved)} tokens/day of demand are not served.")
    return " ".join(parts)


def _result_section(res: ResultFolder, label: str, map_opts: dict | None,
                    warnings: list[str]) -> dict:
    """What the template shows of one result."""
    s = res.summary
    names: dict = {}
    figure = None
    if map_opts is not None:
        try:
            fig, info = render_map(res, **map_opts)
        except ReportError as exc:
            raise ReportError(f"{res.path}: map: {exc} (or use --no-map)") from None
        warnings.extend(f"{res.path}: {w}" for w in info["warnings"])
        names = info["location_names"]
        figure = {
            "uri": _data_uri(figure_png(fig, dpi=100)), "alt": f"Map of {res.scenario}",
            "caption": f"Regions shaded by {info['color']} cost per million tokens; circles: "
                       "open sites sized by IT capacity and coloured by green share; lines: "
                       "demand served in another region, width by tokens/day. Boundaries: "
                       f"{info['boundaries'].name}."}
    pathway, note = pathway_table(res) if s.get("pathway_years") else (None, "")
    excluded = None
    if len(res.excluded):
        excluded = _table(res.excluded, [Column(c, c.replace("_", " "), numeric=False)
                                         for c in res.excluded.columns], "excluded")
    return {"label": label, "description": str(s.get("description") or ""),
            "lead": _lead(res),
            "case": str((s.get("headline_case") or {}).get("text", "")),
            "cards": _cards(res), "pathway": pathway,
            "pathway_note": note, "map": figure,
            "breakdown": _data_uri(breakdown_chart([res], [label])),
            "regions": regions_table(res), "n_open": len(res.open_sites),
            "sites": sites_table(res, names), "excluded": excluded,
            "n_excluded": len(res.excluded)}


def _cell(text: str, cls: str = "num", head: bool = False) -> dict:
    return {"text": text, "cls": cls, "head": head}


def _comparison(results: list[ResultFolder], labels: list[str]) -> dict:
    """Headline figures and regional average costs side by side, against the first result."""
    heads = [{row[0]: row for row in _headline(r)} for r in results]
    labels_in_order: list[str] = []  # by label: results may show different figures
    for h in heads:
        labels_in_order += [lab for lab in h if lab not in labels_in_order]
    if "Solver status" in labels_in_order:  # last, as in each result's own headline
        labels_in_order.append(labels_in_order.pop(labels_in_order.index("Solver status")))
    rows = []
    for label in labels_in_order:
        sep = ", " if label in ("Sites opened", "Solver status") else " "
        rows.append([_cell(label, "", head=True),
                     *[_cell(sep.join(x for x in (h[label][1], h[label][2]) if x)
                             if label in h else "–") for h in heads]])
    base_cost = _num(results[0].summary.get("objective"))
    if base_cost:
        row = [_cell("Annual cost vs " + labels[0], "", head=True), _cell("baseline")]
        for r in results[1:]:
            c = _num(r.summary.get("objective"))
            row.append(_cell(f"{(c / base_cost - 1) * 100:+.2f} %" if c is not None else "–"))
        rows.append(row)
    headline = {"css": "compare", "rows": rows,
                "columns": [{"header": "Figure", "numeric": False},
                            *[{"header": lab, "numeric": True} for lab in labels]]}

    # per-region average cost, side by side, with the change against the first result
    frames = [r.regions.set_index(r.regions["region"].astype(str)) for r in results]
    regions: list[str] = []
    for df in frames:
        regions += [x for x in df.index if x not in regions]
    names = {}
    for df in frames:
        if "name" in df.columns:
            names.update({k: str(v) for k, v in df["name"].items() if k not in names})
    rrows = []
    for reg in regions:
        vals = [(_num(df.at[reg, "avg_cost_per_mtok"]) if reg in df.index else None)
                for df in frames]
        row = [_cell(names.get(reg, reg), ""), *[_cell(_fmt(v, 4)) for v in vals]]
        for v in vals[1:]:
            if v is None or vals[0] in (None, 0):
                row.append(_cell("–"))
            else:
                d = v / vals[0] - 1
                cls = "num pos" if d > 1e-9 else "num neg" if d < -1e-9 else "num"
                row.append(_cell(f"{d * 100:+.2f} %", cls))
        rrows.append(row)
    region_table = {"css": "compare-regions", "rows": rrows,
                    "columns": [{"header": "Region", "numeric": False},
                                *[{"header": lab, "numeric": True} for lab in labels],
                                *[{"header": "Δ " + lab, "numeric": True}
                                  for lab in labels[1:]]]}
    return {"note": f"{len(results)} results side by side; differences are against "
                    f"{labels[0]}.",
            "headline": headline, "chart": _data_uri(breakdown_chart(results, labels)),
            "currency": results[0].currency, "regions": region_table}


def _labels(results: list[ResultFolder]) -> list[str]:
    """Scenario names, made unique with the folder name where two results share one."""
    names = [r.scenario for r in results]
    out = []
    for r, n in zip(results, names, strict=True):
        out.append(n if names.count(n) == 1 else f"{n} ({r.path.name})")
    if len(set(out)) < len(out):
        out = [f"{lab} #{i + 1}" for i, lab in enumerate(out)]
    return out


def build_report(results, *, title: str | None = None, map_options: dict | None = None,
                 maps: bool = True, warnings: list[str] | None = None) -> str:
    """The report of ``results`` (ResultFolder objects or folders) as one HTML string."""
    results = [r if isinstance(r, ResultFolder) else load_result(r) for r in results]
    if not results:
        raise ReportError("no result folder given")
    warnings = warnings if warnings is not None else []
    labels = _labels(results)
    title = title or ("Token production plan: " + labels[0] if len(results) == 1
                      else "Token production plans: " + ", ".join(labels))
    map_opts = dict(map_options or {}) if maps else None
    made = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return _env().get_template("report.html.j2").render(
        title=title, generator=MARKER,
        meta=f"Prepared with siteplan on {made} from: " + ", ".join(str(r.path) for r in results),
        comparison=_comparison(results, labels) if len(results) > 1 else None,
        results=[_result_section(res, lab, map_opts, warnings)
                 for res, lab in zip(results, labels, strict=True)],
    )


def write_report(results, out: str | Path, **options) -> Path:
    """Write the report of ``results`` to ``out`` (atomically: temp file, then rename)."""
    out = Path(out)
    if out.parent and not out.parent.is_dir():
        raise ReportError(f"{out.parent}: folder not found")
    if out.is_dir():
        raise ReportError(f"{out}: is a folder; give the report's file name, e.g. report.html")
    text = build_report(results, **options)
    return write_text_atomic(out, text)
