"""Compare solved scenarios: regional cost outcomes side by side, what differs in the inputs,
and the cost difference against the first (baseline) scenario decomposed exactly.

Each source is a results folder (``siteplan run`` output) or a scenario YAML. A YAML is
solved first into a cache folder ``<cache>/<scenario name>`` (default ``out/``, the folder
``siteplan run`` writes by default) unless that folder already holds results; with
``cache=None`` it is solved into a temporary folder that is removed afterwards. Results this
package writes record the resolved scenario in ``summary.json`` (key ``inputs``), so a cached
folder whose recorded scenario differs from the YAML's is solved again. A folder written by
``siteplan run`` records no inputs: it is reused as it is (``refresh=True`` re-solves).

Decompositions (the cost C of a scenario is the sum of its cost components, which is its
objective; see ``docs/model.md``):

- by component: ΔC = Σ_c ΔC_c, exactly.
- by region: C = Σ_r (avg_r × served_r + compute_r) + unserved penalty + unallocated site
  cost + rounding,
  where avg_r is the region's average delivered cost per Mtok and served_r its Mtok per year
  (``regions.csv``); "rounding" is what is left over: the rounding of the CSV figures (tiny),
  plus any cost that no site in sites.csv carries (e.g. certificates bought at a location
  that uses no energy) and so no region either. Each
  region's Δ(avg × served) splits into a price effect Δavg × served_baseline and a volume
  effect avg_new × Δserved; a compute class's cost (``compute_cost``, not tokens) is its own
  compute effect. The terms add up to ΔC exactly (``check`` holds the float error).
  A region whose average rests on a degenerate split (``degenerate_split`` in either
  scenario: sites at equal marginal cost, so which region got which site is arbitrary) is
  not decomposed on its own: the printed decomposition pools such regions into one row.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from siteplan.model.costs import COST_TERMS
from siteplan.outputs import plan_figures, zone_share_keys
from siteplan.safe_output import safe_folder_name, spreadsheet_safe_frame
from siteplan.study.runs import (
    RunFolder,
    StudyError,
    flatten,
    read_run_folder,
    read_summary,
    solve_recorded,
)

DAYS_PER_YEAR = 365.0  # slice weights sum to 8760 h (checked on load)
TOKENS_PER_MTOK = 1e6

# labels and units: siteplan.outputs; then the share served from each zone (<zone>_share)
REGION_METRICS = ("demand_tokens_per_day", "avg_cost_per_mtok", "marginal_cost_per_mtok",
                  "degenerate_split", "mean_latency_ms")
OPTIONAL_REGION_METRICS = ("margin",)  # shown when any run has it (objective margin)
POOLED = "(degenerate split)"  # the by-region row of regions whose average is arbitrary
COMPONENTS = COST_TERMS  # the objective's registered terms
TOTAL_METRICS = ("cost", *(f"cost.{c}" for c in COMPONENTS), "avg_cost_per_mtok",
                 "demand_tokens_per_day", "served_tokens_per_day", "unserved_tokens_per_day",
                 "energy_twh", "green_share", "tco2", "tokens_per_kwh", "{zones}",
                 "sites_open", "mw_it_total", "mip_gap")  # {zones}: the <zone>_share keys
IGNORED_INPUT_KEYS = ("source",)


@dataclass
class Comparison:
    """The result of :func:`compare`; ``long`` is comparison.csv."""

    labels: list[str]
    folders: list[Path]
    regions: pd.DataFrame  # rows (region, metric), one column per scenario
    totals: pd.DataFrame  # rows metric, one column per scenario
    inputs: pd.DataFrame  # rows dotted scenario key that differs, one column per scenario
    components: pd.DataFrame  # rows component, columns: Δ per non-baseline scenario
    by_region: pd.DataFrame  # long: scenario, region, delta_cost, price_effect, volume_effect
    checks: dict[str, dict]  # per non-baseline scenario: Δ, sums, errors
    notes: list[str] = field(default_factory=list)
    currency: str = ""
    status: dict[str, str] = field(default_factory=dict)  # solver status per scenario

    @property
    def long(self) -> pd.DataFrame:
        """comparison.csv: one row per (scenario, scope, metric) with a numeric value."""
        rows = []
        for label in self.labels:
            for (region, metric), value in self.regions[label].items():
                rows.append((label, region, metric, value))
            for metric, value in self.totals[label].items():
                rows.append((label, "total", metric, value))
        base = self.labels[0]
        for label in self.labels[1:]:
            for comp, value in self.components[label].items():
                rows.append((label, "total", f"delta_vs_{base}.cost.{comp}", value))
            chk = self.checks[label]
            for key in ("delta_cost", "regions_sum", "unserved", "unallocated", "rounding"):
                rows.append((label, "total", f"delta_vs_{base}.by_region.{key}", chk[key]))
            part = self.by_region[self.by_region["scenario"] == label]
            for rec in part.itertuples(index=False):
                if rec.degenerate:  # the split by region is arbitrary: only the Δ cost
                    rows.append((label, rec.region, f"delta_vs_{base}.delta_cost",
                                 rec.delta_cost))
                    rows.append((label, rec.region, f"delta_vs_{base}.degenerate_split", 1.0))
                    continue
                for metric in ("delta_cost", "price_effect", "volume_effect", "compute_effect"):
                    rows.append((label, rec.region, f"delta_vs_{base}.{metric}",
                                 getattr(rec, metric)))
        return pd.DataFrame(rows, columns=["scenario", "scope", "metric", "value"])

    def write(self, path: str | Path) -> Path:
        """comparison.csv (long) and, next to it, ``<stem>_inputs.csv`` (the input diff)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        spreadsheet_safe_frame(self.long).to_csv(path, index=False, lineterminator="\n",
                                                 float_format="%.10g")
        side = path.with_name(path.stem + "_inputs.csv")
        spreadsheet_safe_frame(self.inputs.rename_axis("key")).to_csv(side, lineterminator="\n")
        return path

    def text(self) -> str:
        return format_comparison(self)


# --- resolving sources ------------------------------------------------------------------


def _is_yaml(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in (".yaml", ".yml")


def resolve_source(source: str | Path, cache: Path | None, tmp: Path, refresh: bool = False,
                   notes: list[str] | None = None, say=None) -> tuple[Path, dict | None]:
    """A results folder for ``source`` (solving a YAML if needed) and its resolved scenario.

    A cached folder is re-used only when its record's hashes (scenario, dataset files,
    siteplan version) match the YAML's; otherwise the note says why and the YAML is solved
    again: into the cache folder if compare wrote it, else into a temporary folder (a folder
    written by ``siteplan run`` is never replaced, unless ``refresh``).
    """
    import siteplan
    from siteplan.results.record import RecordError, make_record, read_record, stale_reason

    notes = notes if notes is not None else []
    path = Path(source)
    if path.is_dir():
        read_summary(path)  # raises a clear error if it is not a results folder
        return path, None
    if not path.exists():
        raise StudyError(f"{path}: no such results folder or scenario file")
    if not _is_yaml(path):
        raise StudyError(f"{path}: expected a results folder or a scenario .yaml file")
    sc = siteplan.load_scenario(path)
    want = make_record(sc)
    name = safe_folder_name(sc.name)  # a name never leaves the cache folder
    folder = (cache / name) if cache is not None else (tmp / name)
    if cache is not None and (folder / "summary.json").is_file() and not refresh:
        try:
            have = read_record(folder)
        except RecordError as exc:
            have, reason = None, str(exc)
        else:
            reason = stale_reason(have, want)
        if reason is None:
            notes.append(f"{path}: reused cached results in {folder} (scenario and dataset "
                         "hashes match)")
            return folder, want.scenario
        if have is not None and have.written_by == "compare":
            notes.append(f"{path}: cached results in {folder} not re-used: {reason}; solved "
                         "again")
        else:
            notes.append(f"{path}: {folder} not re-used: {reason}; solved into a temporary "
                         f"folder ({folder} is left as it is; --refresh replaces it)")
            folder = tmp / name
    if say is not None:
        say(f"solving {path} into {folder} ...")
    solve_recorded(sc, path, writer="compare").write(folder, force=True)
    if cache is not None and folder.parent == cache:
        notes.append(f"{path}: solved into {folder}")
    return folder, want.scenario


def compare(sources, cache: str | Path | None = "out", refresh: bool = False,
            say=None, year: int | None = None) -> Comparison:
    """Compare two or more results folders or scenario YAMLs; the first is the baseline.

    ``cache``: where YAMLs are solved (``<cache>/<name>``), None for a temporary folder;
    ``say``: called with a line of progress text before each solve; ``year``: the year of
    pathway results to compare (default their final year).
    """
    sources = list(sources)
    if len(sources) < 2:
        raise StudyError("compare needs at least two scenarios (results folders or YAML files)")
    notes: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="siteplan-compare-"))
    try:
        runs: list[RunFolder] = []
        for src in sources:
            folder, wanted = resolve_source(src, Path(cache) if cache is not None else None,
                                            tmp, refresh, notes, say)
            run = read_run_folder(folder, year)
            if wanted is not None:  # the YAML's resolved scenario is known for sure
                run.scenario = wanted
                run.notes = [n for n in run.notes if "pathway result" in n]
            notes += run.notes
            runs.append(run)
        return build_comparison(runs, notes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- tables -----------------------------------------------------------------------------


def _labels(runs: list[RunFolder]) -> list[str]:
    labels: list[str] = []
    for run in runs:
        label = run.name
        n = 2
        while label in labels:
            label = f"{run.name}#{n}"
            n += 1
        labels.append(label)
    return labels


def _cost(summary: dict) -> float:
    br = summary.get("cost_breakdown") or {}
    return math.fsum(float(br.get(c, 0.0) or 0.0) for c in COMPONENTS) if br else \
        float(summary.get("objective", math.nan))


def _zone_keys(runs: list[RunFolder]) -> list[str]:
    """The <zone>_share keys of any of the runs, in order of appearance."""
    keys: list[str] = []
    for run in runs:
        keys += [k for k in zone_share_keys(run.summary) if k not in keys]
    return keys


def _extra_keys(runs: list[RunFolder]) -> list[str]:
    """Units and shadow prices per chip, revenue and margin (total and by class), IT
    capacity by kind of site: of any of the runs."""
    keys: list[str] = []
    for run in runs:
        keys += [k for k in plan_figures(run.summary) if k not in keys]
    return keys


def _totals(summary: dict, zone_keys: list[str], extra: list[str] = ()) -> dict[str, float]:
    br = summary.get("cost_breakdown") or {}
    out = {"cost": _cost(summary)}
    for c in COMPONENTS:
        out[f"cost.{c}"] = float(br.get(c, 0.0) or 0.0)
    figures = {**summary, **plan_figures(summary)}
    for key in [*(k for m in TOTAL_METRICS for k in (zone_keys if m == "{zones}" else [m])),
                *extra]:
        if key not in out:
            value = figures.get(key)
            if value is None and key.startswith("site_type_mw_it_") and "mw_it_total" in figures:
                value = 0.0  # a run without sites of that kind (or without kinds) has none
            out[key] = float(value) if isinstance(value, int | float) else math.nan
    return out


def _region_cost(regions: pd.DataFrame) -> pd.DataFrame:
    """Per region: served Mtok/yr and avg × served (the region's delivered cost)."""
    served = regions["served_tokens_per_day"].astype(float) * DAYS_PER_YEAR / TOKENS_PER_MTOK
    avg = regions["avg_cost_per_mtok"].astype(float)
    compute = (regions["compute_cost"].astype(float).fillna(0.0).to_numpy()
               if "compute_cost" in regions.columns else np.zeros(len(regions)))
    cost = np.where(served > 0, avg.fillna(0.0) * served, 0.0) + compute
    flag = (regions["degenerate_split"].fillna(0).astype(int).to_numpy()
            if "degenerate_split" in regions.columns else np.zeros(len(regions), int))
    return pd.DataFrame({"served": served.to_numpy(), "avg": avg.to_numpy(), "cost": cost,
                         "compute": compute, "degenerate": flag},
                        index=regions["region"].astype(str))


def build_comparison(runs: list[RunFolder], notes: list[str] | None = None) -> Comparison:
    labels = _labels(runs)
    notes = list(notes or [])
    currency = str(runs[0].summary.get("currency", ""))
    if len({str(r.summary.get("currency", "")) for r in runs}) > 1:
        notes.append("the scenarios use different currencies; costs are not comparable")

    # regional outcomes: union of regions, in the baseline's order first
    order: list[str] = []
    for run in runs:
        order += [r for r in run.regions["region"].astype(str) if r not in order]
    zone_keys = _zone_keys(runs)
    metrics = [*REGION_METRICS, *zone_keys, *(m for m in OPTIONAL_REGION_METRICS
                                              if any(m in r.regions.columns for r in runs))]
    cols = {}
    for label, run in zip(labels, runs, strict=True):
        reg = run.regions.assign(region=run.regions["region"].astype(str)).set_index("region")
        vals = {}
        for region in order:
            for metric in metrics:
                has = region in reg.index and metric in reg.columns
                vals[(region, metric)] = float(reg.at[region, metric]) if has else math.nan
        cols[label] = vals
    regions = pd.DataFrame(cols)
    regions.index.names = ["region", "metric"]

    extra = _extra_keys(runs)
    totals = pd.DataFrame({label: _totals(run.summary, zone_keys, extra)
                           for label, run in zip(labels, runs, strict=True)})

    # inputs: dotted keys whose value differs between any two scenarios
    flat = [{k: v for k, v in flatten(run.scenario or {}).items()
             if k.split(".")[0] not in IGNORED_INPUT_KEYS} for run in runs]
    keys: list[str] = []
    for f in flat:
        keys += [k for k in f if k not in keys]
    if not all(run.recorded for run in runs):  # an old folder knows only a few keys
        keys = [k for k in keys if all(k in f for f in flat)]
    missing = "(not set)"
    diff_rows = {}
    for key in keys:
        values = [f.get(key, missing) for f in flat]
        if any(v != values[0] for v in values[1:]):
            diff_rows[key] = [_show(v) for v in values]
    sets = [" ".join(r.record.overrides) or "(none)" if r.record is not None else "(not recorded)"
            for r in runs]
    if any(v != sets[0] for v in sets[1:]):
        diff_rows = {"--set": sets, **diff_rows}
    inputs = pd.DataFrame.from_dict(diff_rows, orient="index", columns=labels)
    inputs.index.name = "key"

    # decomposition vs the baseline
    base = runs[0]
    c0 = _cost(base.summary)
    rc0 = _region_cost(base.regions)
    comp_cols, by_region_rows, checks = {}, [], {}
    for label, run in zip(labels[1:], runs[1:], strict=True):
        c1 = _cost(run.summary)
        delta = c1 - c0
        t0, t1 = totals[labels[0]], totals[label]
        comp = {c: t1[f"cost.{c}"] - t0[f"cost.{c}"] for c in COMPONENTS}
        comp_cols[label] = comp
        rc1 = _region_cost(run.regions)
        terms = []
        for region in order:
            s0 = rc0["served"].get(region, 0.0)
            a0 = rc0["avg"].get(region, math.nan)
            k0 = rc0["cost"].get(region, 0.0)
            s1 = rc1["served"].get(region, 0.0)
            a1 = rc1["avg"].get(region, math.nan)
            k1 = rc1["cost"].get(region, 0.0)
            d = k1 - k0
            c_eff = rc1["compute"].get(region, 0.0) - rc0["compute"].get(region, 0.0)
            if s0 > 0 and s1 > 0:
                price, volume = (a1 - a0) * s0, a1 * (s1 - s0)
            else:
                price, volume = 0.0, d - c_eff
            flag = bool(rc0["degenerate"].get(region, 0) or rc1["degenerate"].get(region, 0))
            by_region_rows.append((label, region, d, price, volume, c_eff, s1 - s0, flag))
            terms.append(d)
        parts = {}
        for key, run_ in (("0", base), ("1", run)):
            s = run_.summary
            unserved = float((s.get("cost_breakdown") or {}).get("unserved", 0.0) or 0.0)
            unalloc = float(s.get("unallocated_site_cost", 0.0) or 0.0)
            reg = rc0 if key == "0" else rc1
            rounding = _cost(s) - unserved - unalloc - math.fsum(reg["cost"])
            parts[key] = (unserved, unalloc, rounding)
        d_uns = parts["1"][0] - parts["0"][0]
        d_una = parts["1"][1] - parts["0"][1]
        d_rnd = parts["1"][2] - parts["0"][2]
        regions_sum = math.fsum(terms)
        total_by_region = math.fsum([*terms, d_uns, d_una, d_rnd])
        total_by_comp = math.fsum(comp.values())
        gaps = [float(x.summary.get("mip_gap") or 0.0) for x in (base, run)]
        slack = max(g * abs(c) for g, c in zip(gaps, (c0, c1), strict=True))
        if delta != 0 and abs(delta) <= slack:
            notes.append(f"{label}: its cost differs from {labels[0]}'s by {delta:,.0f} "
                         f"{currency}, within the MIP gaps of the two plans ({slack:,.0f}); "
                         "the sign of the difference is not proven (tighten solver.mip_rel_gap)")
        checks[label] = {
            "delta_cost": delta,
            "components_sum": total_by_comp,
            "regions_sum": regions_sum,
            "unserved": d_uns,
            "unallocated": d_una,
            "rounding": d_rnd,
            "by_region_sum": total_by_region,
            "components_error": total_by_comp - delta,
            "by_region_error": total_by_region - delta,
        }
    components = pd.DataFrame(comp_cols, index=list(COMPONENTS))
    by_region = pd.DataFrame(by_region_rows, columns=["scenario", "region", "delta_cost",
                                                      "price_effect", "volume_effect",
                                                      "compute_effect", "delta_served_mtok",
                                                      "degenerate"])
    return Comparison(labels=labels, folders=[r.folder for r in runs], regions=regions,
                      totals=totals, inputs=inputs, components=components, by_region=by_region,
                      checks=checks, notes=_dedupe(notes), currency=currency,
                      status={lb: str(r.summary.get("status", "?"))
                              for lb, r in zip(labels, runs, strict=True)})


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _show(value) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    return str(value)


# --- printing ---------------------------------------------------------------------------

def _output(metric: str):
    """The registry entry of a compared metric ("cost" is the objective's sum of terms)."""
    from siteplan import outputs

    if metric == "cost":
        return outputs.get("objective")
    if metric.startswith("cost."):
        return outputs.get("cost_breakdown." + metric[5:])
    return outputs.lookup(metric)


def _pattern(metric: str) -> tuple[str, float, str]:
    """(row name without currency, scale, format) of a metric, from the outputs registry."""
    out = _output(metric)
    if out is None:
        return metric, 1.0, "{:,.4g}"
    show = out.show
    scale, decimals = (show.scale, show.decimals) if show else (1.0, out.decimals)
    pct = " %" if out.shown_unit("") == "%" else ""
    return out.label, scale, "{:,.%df}" % decimals + pct  # noqa: UP031


def _fmt(value: float, scale: float, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return pattern.format(value * scale)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                       for i, (c, w) in enumerate(zip(line, widths, strict=True)))
             for line in (header, *rows)]
    return "\n".join(lines)


def format_comparison(cmp: Comparison) -> str:
    cur = cmp.currency
    labels = cmp.labels
    base = labels[0]
    out = [f"baseline: {base}; compared: {', '.join(labels[1:])}"]
    for label, folder in zip(labels, cmp.folders, strict=True):
        out.append(f"  {label}: {folder} ({cmp.status.get(label, '?')})")

    out.append("\nWhat differs in the inputs")
    if cmp.inputs.empty:
        out.append("  (no scenario key differs)")
    else:
        rows = [[k, *[_clip(v) for v in cmp.inputs.loc[k]]] for k in cmp.inputs.index]
        out.append(_indent(_table(["key", *labels], rows)))

    out.append("\nTotals")
    header = ["metric", *labels, *[f"Δ {lb}" for lb in labels[1:]]]
    rows = []
    for metric in cmp.totals.index:
        if metric.startswith("cost.") and all(cmp.totals.loc[metric].fillna(0) == 0):
            continue
        label, scale, pat = _pattern(metric)
        entry = _output(metric)
        unit = entry.shown_unit(cur) if entry is not None else ""
        name = ("  " if metric.startswith("cost.") else "") + label + \
            (f", {unit}" if unit and unit != "%" else "")
        vals = cmp.totals.loc[metric]
        rows.append([name, *[_fmt(vals[lb], scale, pat) for lb in labels],
                     *[_signed(vals[lb] - vals[base], scale, pat) for lb in labels[1:]]])
    out.append(_indent(_table(header, rows)))

    for metric in dict.fromkeys(cmp.regions.index.get_level_values("metric")):
        title, scale, pat = _pattern(metric)
        unit = _output(metric).shown_unit(cur)
        out.append(f"\nBy region: {title} ({unit})")
        tab = cmp.regions.xs(metric, level="metric")
        rows = [[region, *[_fmt(tab.at[region, lb], scale, pat) for lb in labels],
                 *[_signed(tab.at[region, lb] - tab.at[region, base], scale, pat)
                   for lb in labels[1:]]] for region in tab.index]
        out.append(_indent(_table(["region", *labels, *[f"Δ {lb}" for lb in labels[1:]]], rows)))

    for label in labels[1:]:
        chk = cmp.checks[label]
        delta = _signed(chk["delta_cost"], 1e-9, "{:,.6f}")
        out.append(f"\nCost difference {label} - {base}: {delta} billion {cur}")
        comp = cmp.components[label]
        rows = [[c, _signed(v, 1e-9, "{:,.6f}")] for c, v in comp.items() if v != 0]
        rows.append(["sum", _signed(chk["components_sum"], 1e-9, "{:,.6f}")])
        out.append("  by component (billion):")
        out.append(_indent(_table(["component", "Δ cost"], rows), 4))
        part = cmp.by_region[cmp.by_region["scenario"] == label]
        pooled = part[part["degenerate"]] if "degenerate" in part.columns else part.iloc[:0]
        part = part.drop(pooled.index)
        part = part.reindex(part["delta_cost"].abs().sort_values(ascending=False).index)
        rows = [[r.region, _signed(r.delta_cost, 1e-6, "{:,.3f}"),
                 _signed(r.price_effect, 1e-6, "{:,.3f}"),
                 _signed(r.volume_effect, 1e-6, "{:,.3f}")]
                for r in part.itertuples() if r.delta_cost != 0 or r.price_effect != 0]
        if len(pooled):
            rows.append([f"{POOLED} {len(pooled)} regions",
                         _signed(math.fsum(pooled["delta_cost"]), 1e-6, "{:,.3f}"), "", ""])
        for key, name in (("unserved", "(unserved penalty)"),
                          ("unallocated", "(sites serving nothing)"),
                          ("rounding", "(not carried by regions)")):
            rows.append([name, _signed(chk[key], 1e-6, "{:,.3f}"), "", ""])
        rows.append(["sum", _signed(chk["by_region_sum"], 1e-6, "{:,.3f}"), "", ""])
        out.append("  by region (million; Δ = Δavg x served_base + avg_new x Δserved):")
        out.append(_indent(_table(["region", "Δ cost", "price", "volume"], rows), 4))
        err = max(abs(chk["components_error"]), abs(chk["by_region_error"]))
        out.append(f"  sum check: both decompositions add up to the difference "
                   f"(largest float error {err:.2e} {cur})")
        if len(pooled):
            out.append(f"  {len(pooled)} regions are pooled: their averages rest on an "
                       "arbitrary split between sites at equal marginal cost "
                       "(degenerate_split), so a difference by region is not a result")
    if cmp.notes:
        out.append("")
        out += [f"note: {n}" for n in cmp.notes]
    return "\n".join(out)


def _signed(value: float, scale: float, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = pattern.format(value * scale)
    return text if text.startswith("-") else "+" + text


def _clip(text: str, n: int = 40) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 3] + "..."


def _indent(text: str, n: int = 2) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())
