"""One self-contained HTML report of one or more results (inline CSS, images as data URIs).

The file makes no request of any kind: no scripts, no fonts, no external style sheets; the
map and charts are PNG images embedded as ``data:image/png;base64`` URIs. Every text taken
from a result (names, ids, the scenario description) is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import os
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from siteplan.report.map import figure_png, fmt_tokens, render_map
from siteplan.report.result import ReportError, ResultFolder, load_result
from siteplan.safe_output import MARKER

_BREAKDOWN_LABELS = {
    "fixed": "Site fixed costs", "hardware": "Hardware (annualised)",
    "facility": "Facility and cooling", "electricity": "Grid electricity",
    "ppa": "Renewable PPAs", "certificates": "Green certificates",
    "storage": "Battery storage", "curtailment": "Curtailed renewables", "network": "Network",
    "carbon": "Carbon", "unserved": "Unserved demand penalty",
}

CSS = """
:root { --ink:#1d2733; --muted:#5b6672; --line:#d9dee4; --band:#f5f7f9; --accent:#1f4e79; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0; background: #fff; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 6px;
     border-bottom: 2px solid var(--accent); }
h3 { font-size: 16px; margin: 24px 0 8px; }
p.lead { font-size: 15px; color: var(--ink); max-width: 900px; }
p.meta, .note { color: var(--muted); font-size: 13px; }
nav.toc { font-size: 14px; margin: 12px 0 0; }
nav.toc a { color: var(--accent); margin-right: 16px; text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
         gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
        background: var(--band); }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase;
               letter-spacing: .03em; }
.card .value { font-size: 20px; font-weight: 600; margin-top: 2px; }
.card .unit { font-size: 12px; color: var(--muted); }
.status-ok { color: #1a7f37; } .status-warn { color: #9a6700; } .status-bad { color: #b42318; }
figure { margin: 14px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.table-wrap { overflow-x: auto; margin: 8px 0 4px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left;
         white-space: nowrap; }
th { background: var(--band); font-weight: 600; white-space: normal; vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fbfcfd; }
td.pos { color: #b42318; } td.neg { color: #1a7f37; }
section.result { page-break-before: always; }
@media print { main { padding: 0; } h2 { page-break-after: avoid; }
               figure { page-break-inside: avoid; } }
"""


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


def _pct(x, digits: int = 1) -> str:
    v = _num(x)
    return "–" if v is None else f"{v * 100:,.{digits}f} %"


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


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# ----------------------------------------------------------------------------- tables


class Column:
    """How one table column is shown: header, cell text, numeric or not."""

    def __init__(self, key: str, header: str, fmt=None, numeric: bool = True):
        self.key, self.header, self.fmt, self.numeric = key, header, fmt, numeric


def _table(df: pd.DataFrame, columns: list[Column], css_class: str = "") -> str:
    cols = [c for c in columns if c.key in df.columns]
    head = "".join(f'<th class="num">{escape(c.header)}</th>' if c.numeric
                   else f"<th>{escape(c.header)}</th>" for c in cols)
    rows = []
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            value = row[c.key]
            text = c.fmt(value) if c.fmt else ("–" if pd.isna(value) else str(value))
            cls = ' class="num"' if c.numeric else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    klass = f' class="{escape(css_class)}"' if css_class else ""
    return (f'<div class="table-wrap"><table{klass}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def pathway_table(res: ResultFolder) -> str:
    """The years of a pathway: annual cost, cost per Mtok, tokens, GW built and standing."""
    s, cur = res.summary, res.currency
    df = pd.DataFrame(s["pathway_years"])
    for col in ("mw_built_east", "mw_built_west", "mw_standing_east", "mw_standing_west"):
        df[col.replace("mw_", "gw_")] = df[col] / 1e3
    npc, npc_unit = _money(s.get("net_present_cost"), cur)
    note = (f"Net present cost {npc} {npc_unit} at {int(df['year'].iloc[0])}; the figures above "
            f"and below are year {s.get('pathway_year')}. Annual costs are undiscounted.")
    return "<h3>Build-out by year</h3>" + f'<p class="note">{escape(note)}</p>' + _table(df, [
        Column("year", "Year", lambda v: str(int(v))),
        Column("objective", f"Annual cost, bn {cur}", lambda v: _fmt(_num(v) / 1e9, 3)),
        Column("avg_cost_per_mtok", f"Cost, {cur}/Mtok", lambda v: _fmt(v, 4)),
        Column("served_tokens_per_day", "Served, tokens/day", lambda v: fmt_tokens(float(v))),
        Column("gw_built_east", "GW built, east", lambda v: _fmt(v, 2)),
        Column("gw_built_west", "GW built, west", lambda v: _fmt(v, 2)),
        Column("gw_standing_east", "GW standing, east", lambda v: _fmt(v, 2)),
        Column("gw_standing_west", "GW standing, west", lambda v: _fmt(v, 2)),
        Column("green_share", "Green share", _pct),
    ])


def regions_table(res: ResultFolder) -> str:
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
        Column("avg_cost_per_mtok", f"Average cost, {cur}/Mtok", lambda v: _fmt(v, 4)),
        Column("marginal_cost_per_mtok", f"Marginal cost, {cur}/Mtok", lambda v: _fmt(v, 4)),
        Column("mean_latency_ms", "Mean latency, ms", lambda v: _fmt(v, 1)),
        Column("west_share", "Served from west", _pct),
    ], "regions")


def sites_table(res: ResultFolder, names: dict | None = None) -> str:
    df = res.open_sites.sort_values("mw_it_total", ascending=False)
    if df.empty:
        return '<p class="note">No site is open in this plan.</p>'
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
        Column("pue", "PUE", lambda v: _fmt(v, 3)),
        Column("mw_it_total", "MW IT", lambda v: _fmt(v, 1)),
    ]
    cols += [Column(c, f"MW {c.removeprefix('mw_it_')}", lambda v: _fmt(v, 1)) for c in hw]
    cols += [
        Column("utilisation", "Utilisation", _pct),
        Column("tokens_per_day", f"{tword} tokens/day".strip(),
               lambda v: _fmt(_num(v) / tdiv if _num(v) is not None else None, 3)),
        Column("energy_mwh", "Energy, GWh",
               lambda v: _fmt(_num(v) / 1e3 if _num(v) is not None else None, 1)),
        Column("green_share", "Green share", _pct),
        Column("tco2", "tCO2", lambda v: _fmt(v, 0)),
        Column("cost_total", f"Annual cost, {cword} {cur}".replace("  ", " ").strip(),
               lambda v: _fmt(_num(v) / cdiv if _num(v) is not None else None, 3)),
        Column("cost_per_mtok", f"{cur}/Mtok", lambda v: _fmt(v, 4)),
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
    ax.set_yticks(y, [_BREAKDOWN_LABELS.get(k, k) for k in comps], fontsize=9)
    ax.set_xlabel(f"annual cost, {word} {cur}".replace("  ", " ").strip(), fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, values.max() / div * 1.15 if values.max() > 0 else 1.0)
    if n > 1:
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    return figure_png(fig, dpi=110)


# ----------------------------------------------------------------------------- sections


def _headline(res: ResultFolder) -> list[tuple[str, str, str, str]]:
    """(label, value, unit, css class) of the headline figures of one result."""
    s, cur = res.summary, res.currency
    cost, cost_unit = _money(s.get("objective"), cur)
    gap = _num(s.get("mip_gap"))
    status = str(s.get("status", "unknown"))
    mw = _num(s.get("mw_it_total"))
    co2 = _num(s.get("tco2"))
    rows = [
        ("Annual cost", cost, cost_unit, ""),
        ("Cost per million tokens", _fmt(s.get("avg_cost_per_mtok"), 4), f"{cur}/Mtok", ""),
        ("Demand", fmt_tokens(float(s.get("demand_tokens_per_day", 0) or 0)), "tokens/day",
         ""),
        ("Unserved", fmt_tokens(float(s.get("unserved_tokens_per_day", 0) or 0)),
         "tokens/day", ""),
        ("Electricity", _fmt(s.get("energy_twh"), 2), "TWh/year", ""),
        ("Green share", _pct(s.get("green_share")), "of electricity", ""),
        ("Emissions", _fmt(co2 / 1e6 if co2 is not None else None, 3), "MtCO2/year", ""),
        ("Tokens per kWh", _fmt(s.get("tokens_per_kwh"), 0), "tokens/kWh", ""),
        ("Sites opened", str(s.get("sites_open", len(res.open_sites))),
         f"{mw:,.0f} MW IT" if mw is not None else "", ""),
        ("Served from west", _pct(s.get("west_share")), "of tokens", ""),
        ("Solver status", status, f"gap {gap:.3%}" if gap is not None else "",
         _status_class(status)),
    ]
    return rows


def _cards(res: ResultFolder) -> str:
    out = []
    for label, value, unit, cls in _headline(res):
        klass = f"value {cls}".strip()
        out.append(f'<div class="card"><div class="label">{escape(label)}</div>'
                   f'<div class="{klass}">{escape(value)}</div>'
                   f'<div class="unit">{escape(unit)}</div></div>')
    return '<div class="cards">' + "".join(out) + "</div>"


def _lead(res: ResultFolder) -> str:
    """Two or three plain sentences a decision-maker can read without the tables."""
    s, cur = res.summary, res.currency
    cost, cost_unit = _money(s.get("objective"), cur)
    parts = [f"Serving {fmt_tokens(float(s.get('demand_tokens_per_day', 0) or 0))} tokens a "
             f"day costs {cost} {cost_unit} a year, {_fmt(s.get('avg_cost_per_mtok'), 4)} "
             f"{cur} per million tokens on average, from {s.get('sites_open', '?')} sites."]
    reg = res.regions.dropna(subset=["avg_cost_per_mtok"])
    if len(reg) > 1:
        name = "name" if "name" in reg.columns else "region"
        hi = reg.loc[reg["avg_cost_per_mtok"].idxmax()]
        lo = reg.loc[reg["avg_cost_per_mtok"].idxmin()]
        parts.append(f"Tokens cost most in {hi[name]} ({float(hi['avg_cost_per_mtok']):,.4f}) "
                     f"and least in {lo[name]} ({float(lo['avg_cost_per_mtok']):,.4f} "
                     f"{cur}/Mtok).")
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
    return '<p class="lead">' + escape(" ".join(parts)) + "</p>"


def _result_section(res: ResultFolder, idx: int, label: str, map_opts: dict | None,
                    warnings: list[str]) -> str:
    s = res.summary
    html = [f'<section class="result" id="result-{idx}">',
            f"<h2>{escape(label)}</h2>"]
    if s.get("description"):
        html.append(f'<p class="meta">{escape(str(s["description"]))}</p>')
    html.append(_lead(res))
    html.append(_cards(res))
    if s.get("pathway_years"):
        html.append(pathway_table(res))
    names: dict = {}
    if map_opts is not None:
        try:
            fig, info = render_map(res, **map_opts)
        except ReportError as exc:
            raise ReportError(f"{res.path}: map: {exc} (or use --no-map)") from None
        warnings.extend(f"{res.path}: {w}" for w in info["warnings"])
        if info.get("dataset") is not None:
            from siteplan.report.map import read_points

            names = read_points(info["dataset"])[2]
        caption = (f"Regions shaded by {info['color']} cost per million tokens; circles: open "
                   "sites sized by IT capacity and coloured by green share; lines: demand "
                   "served in another region, width by tokens/day. Boundaries: "
                   f"{info['boundaries'].name}.")
        alt = f"Map of {res.scenario}"
        html.append(
            f'<figure><img class="map" alt="{escape(alt)}" '
            f'src="{_data_uri(figure_png(fig, dpi=100))}" width="1300" height="900">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")
    html.append("<h3>Annual cost by component</h3>")
    html.append(f'<figure><img class="chart" alt="Cost breakdown" '
                f'src="{_data_uri(breakdown_chart([res], [label]))}"></figure>')
    html.append("<h3>Regions</h3>")
    html.append('<p class="note">Sorted by average cost per million tokens, highest first. '
                "The marginal cost is the cost of one more million tokens demanded in the "
                "region.</p>")
    html.append(regions_table(res))
    html.append(f"<h3>Open sites ({len(res.open_sites)})</h3>")
    html.append(sites_table(res, names))
    if len(res.excluded):
        html.append(f"<h3>Site options excluded before solving ({len(res.excluded)})</h3>")
        cols = [Column(c, c.replace("_", " "), numeric=False) for c in res.excluded.columns]
        html.append(_table(res.excluded, cols, "excluded"))
    html.append("</section>")
    return "\n".join(html)


def _comparison(results: list[ResultFolder], labels: list[str]) -> str:
    head = "".join(f'<th class="num">{escape(lab)}</th>' for lab in labels)
    rows = []
    base_h = _headline(results[0])
    heads = [_headline(r) for r in results]
    for i, (label, _, _, _) in enumerate(base_h):
        sep = ", " if label in ("Sites opened", "Solver status") else " "
        cells = "".join(f'<td class="num">{escape(sep.join(x for x in (h[i][1], h[i][2]) if x))}'
                        "</td>" for h in heads)
        rows.append(f"<tr><th>{escape(label)}</th>{cells}</tr>")
    base_cost = _num(results[0].summary.get("objective"))
    if base_cost:
        cells = ['<td class="num">baseline</td>']
        for r in results[1:]:
            c = _num(r.summary.get("objective"))
            d = f"{(c / base_cost - 1) * 100:+.2f} %" if c is not None else "–"
            cells.append(f'<td class="num">{escape(d)}</td>')
        rows.append(f"<tr><th>{escape('Annual cost vs ' + labels[0])}</th>{''.join(cells)}</tr>")
    headline = (f'<div class="table-wrap"><table class="compare"><thead><tr><th>Figure</th>'
                f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")

    # per-region average cost, side by side, with the change against the first result
    frames = []
    for r in results:
        df = r.regions.set_index(r.regions["region"].astype(str))
        frames.append(df)
    regions: list[str] = []
    for df in frames:
        regions += [x for x in df.index if x not in regions]
    names = {}
    for df in frames:
        if "name" in df.columns:
            names.update({k: str(v) for k, v in df["name"].items() if k not in names})
    cur = results[0].currency
    rhead = "".join(f'<th class="num">{escape(lab)}</th>' for lab in labels)
    rhead += "".join(f'<th class="num">{escape("Δ " + lab)}</th>' for lab in labels[1:])
    rrows = []
    for reg in regions:
        vals = [(_num(df.at[reg, "avg_cost_per_mtok"]) if reg in df.index else None)
                for df in frames]
        cells = "".join(f'<td class="num">{escape(_fmt(v, 4))}</td>' for v in vals)
        for v in vals[1:]:
            if v is None or vals[0] in (None, 0):
                cells += '<td class="num">–</td>'
            else:
                d = v / vals[0] - 1
                cls = "pos" if d > 1e-9 else "neg" if d < -1e-9 else ""
                cells += f'<td class="num {cls}">{escape(f"{d * 100:+.2f} %")}</td>'
        rrows.append(f"<tr><td>{escape(names.get(reg, reg))}</td>{cells}</tr>")
    region_table = (f'<div class="table-wrap"><table class="compare-regions"><thead><tr>'
                    f"<th>Region</th>{rhead}</tr></thead><tbody>{''.join(rrows)}</tbody>"
                    "</table></div>")
    chart = breakdown_chart(results, labels)
    note = f"{len(results)} results side by side; differences are against {labels[0]}."
    return "\n".join([
        '<section id="comparison"><h2>Comparison</h2>',
        f'<p class="note">{escape(note)}</p>',
        "<h3>Headline figures</h3>", headline,
        "<h3>Annual cost by component</h3>",
        f'<figure><img class="chart" alt="Cost breakdown comparison" src="{_data_uri(chart)}">'
        "</figure>",
        f"<h3>Average cost per million tokens by region, {escape(cur)}/Mtok</h3>", region_table,
        "</section>",
    ])


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
    toc = "".join(f'<a href="#result-{i}">{escape(lab)}</a>' for i, lab in enumerate(labels))
    if len(results) > 1:
        toc = '<a href="#comparison">Comparison</a>' + toc
    made = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    meta = f"Prepared with siteplan on {made} from: " + ", ".join(str(r.path) for r in results)
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="meta">{escape(meta)}</p>',
            f'<nav class="toc">{toc}</nav>']
    if len(results) > 1:
        body.append(_comparison(results, labels))
    for i, (res, lab) in enumerate(zip(results, labels, strict=True)):
        body.append(_result_section(res, i, lab, map_opts, warnings))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="{MARKER}">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def write_report(results, out: str | Path, **options) -> Path:
    """Write the report of ``results`` to ``out`` (atomically: temp file, then rename)."""
    out = Path(out)
    if out.parent and not out.parent.is_dir():
        raise ReportError(f"{out.parent}: folder not found")
    if out.is_dir():
        raise ReportError(f"{out}: is a folder; give the report's file name, e.g. report.html")
    text = build_report(results, **options)
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
