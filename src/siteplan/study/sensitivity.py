"""One-at-a-time sensitivity: which inputs move the answer, with a tornado chart.

Each input is set to its low and then its high end, all else at the scenario's values: two
solves per input plus the base, run as one batch of :mod:`siteplan.study.sweep` (re-used
HiGHS model, process pool or Dask). An input is either

- a scenario key, ``KEY=LOW:HIGH`` (e.g. ``prices.zone_scale.west=0.9:1.3``): the value at
  each end, as ``--set KEY=VALUE`` would give it; or
- a dataset column, ``data:FILE.COLUMN[FILTER]=LOW:HIGH``: multipliers on that column's
  values (blank cells stay blank), in the rows the optional filter picks: ``[col=a|b]``
  (rows whose ``col`` is a or b) or ``[col!=a|b]`` (all others), several in a row for rows
  that pass them all (``[hardware=gpu][year=2025]``). Each end is a copy of the dataset's
  tables in ``DIR/data/<input>-low|high/`` with that column changed.

An input in a table the scenario does not read (``READ_WHEN``: chip supply without
``policy.chip_supply``, token value without ``objective: margin``, ...) is not solved: its
row says ``not read`` and why, and it ranks last.

Without inputs, the dataset's ``estimates.csv`` (name, key, low, high, source) lists the
inputs its SOURCES.md labels estimates, each over the range stated there.

Files in DIR: ``sensitivity.csv`` (per input: low/high values, objective, west share and sites
open at each end, the swing |objective(high) - objective(low)| and its rank),
``sensitivity.html`` (tornado of the objective and table), and the sweep's ``runs/``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from siteplan.errors import OutputExistsError
from siteplan.study.runs import StudyError
from siteplan.study.sweep import RunSpec, fmt_number, run_batch

ESTIMATES_FILE = "estimates.csv"
OWN = frozenset({"sensitivity.csv", "sensitivity.json", "sensitivity.html", "runs", "data"})
_FILTER = r"\[(?P<fcol>[A-Za-z0-9_]+)(?P<op>!?=)(?P<vals>[^\]]+)\]"
_DATA_KEY = re.compile(r"^data:(?P<file>[A-Za-z0-9_]+)\.(?P<col>[A-Za-z0-9_]+)"
                       r"(?P<filters>(?:\[[A-Za-z0-9_]+!?=[^\]]+\])*)$")
# tables a scenario reads only with a key on: an input there moves nothing otherwise
READ_WHEN = {
    "hardware_supply": ("policy.chip_supply", lambda sc: sc.policy.chip_supply),
    "token_value": ("objective: margin", lambda sc: sc.objective == "margin"),
    "curtailment": ("synergy.absorb_curtailment", lambda sc: sc.synergy.absorb_curtailment),
    "storage": ("synergy.storage", lambda sc: sc.synergy.storage),
}


@dataclass(frozen=True)
class Input:
    """One varied input: its name, key (scenario key or data:FILE.COLUMN[FILTER]), ends."""

    name: str
    key: str
    low: float
    high: float
    source: str = ""

    @property
    def is_data(self) -> bool:
        return self.key.startswith("data:")


def parse_vary(items) -> list[Input]:
    """``KEY=LOW:HIGH`` items (the --vary option)."""
    out: list[Input] = []
    for item in items:
        key, sep, text = str(item).rpartition("=")
        parts = text.split(":")
        if not sep or not key.strip() or len(parts) != 2:
            raise StudyError(f"--vary {item}: expected KEY=LOW:HIGH (e.g. "
                             "prices.zone_scale.west=0.9:1.3 or "
                             "data:hardware.capex_per_unit[hardware=gpu]=0.8:1.2)")
        low, high = (_number(p, f"--vary {item}") for p in parts)
        key = key.strip()
        if key.startswith("data:") and not _DATA_KEY.match(key):
            raise StudyError(f"--vary {item}: a dataset input is data:FILE.COLUMN or "
                             "data:FILE.COLUMN[COL=a|b] or [COL!=a|b], filters repeated for "
                             "rows that pass them all")
        if any(i.key == key for i in out):
            raise StudyError(f"--vary {item}: {key} is already varied")
        out.append(Input(name=key, key=key, low=low, high=high))
    return out


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise StudyError(f"{where}: {text!r} is not a number") from None


def read_estimates(dataset: Path) -> list[Input]:
    """The dataset's estimates.csv (name, key, low, high, source)."""
    path = Path(dataset) / ESTIMATES_FILE
    if not path.is_file():
        raise StudyError(f"{path}: not found; give the inputs with --vary KEY=LOW:HIGH")
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for n, row in enumerate(rows, start=2):
        missing = [c for c in ("name", "key", "low", "high") if not (row.get(c) or "").strip()]
        if missing:
            raise StudyError(f"{path} row {n}: {', '.join(missing)} missing (expected name, "
                             "key, low, high, source)")
        [inp] = parse_vary([f"{row['key'].strip()}={row['low']}:{row['high']}"])
        out.append(Input(row["name"].strip(), inp.key, inp.low, inp.high,
                         (row.get("source") or "").strip()))
    return out


def _slug(inp: Input) -> str:
    text = re.sub(r"[^A-Za-z0-9]+", "-", inp.name).strip("-").lower()[:40]
    return f"{text}-{hashlib.sha256(inp.key.encode()).hexdigest()[:6]}"


def scaled_dataset(src: Path, dest: Path, key: str, factor: float) -> Path:
    """A copy of the dataset's tables in ``dest`` with one column (rows filtered) x factor."""
    from siteplan.inputs.registry import TABLES

    mt = _DATA_KEY.match(key)
    assert mt is not None
    fname = mt["file"] + ".csv"
    dest.mkdir(parents=True, exist_ok=True)
    found = False
    for table in TABLES.values():
        path = Path(src) / table.file
        if path.is_file():
            target = dest / table.file
            target.parent.mkdir(parents=True, exist_ok=True)
            if table.file == fname:
                _scale_csv(path, target, mt, factor, key)
                found = True
            else:
                target.write_bytes(path.read_bytes())
    if not found:
        raise StudyError(f"{key}: {src}/{fname} is not a table of the dataset")
    return dest


def _scale_csv(path: Path, target: Path, mt: re.Match, factor: float, key: str) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    filters = [(f["fcol"], f["op"], set(f["vals"].split("|")))
               for f in re.finditer(_FILTER, mt["filters"])]
    for col in (mt["col"], *(f[0] for f in filters)):
        if col not in head:
            raise StudyError(f"{key}: {path} has no column {col!r}")
    c = head.index(mt["col"])
    tests = [(head.index(col), op == "=", vals) for col, op, vals in filters]

    def pick(r: list[str]) -> bool:  # every filter holds
        return all((len(r) > f and r[f] in vals) == want for f, want, vals in tests)

    changed = 0
    for r in rows[1:]:
        if len(r) > c and r[c].strip() and pick(r):
            try:
                r[c] = repr(float(r[c]) * factor)
            except ValueError:
                raise StudyError(f"{key}: {path} has {r[c]!r} in {mt['col']}, not a "
                                 "number") from None
            changed += 1
    if not changed:
        raise StudyError(f"{key}: no row of {path} has a value to scale")
    with open(target, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def check_dir(outdir: Path) -> None:
    if outdir.exists():
        other = sorted(p.name for p in outdir.iterdir()
                       if p.name not in OWN and not p.name.startswith("."))
        if other:
            raise OutputExistsError(f"{outdir}: holds files that are not sensitivity results "
                                    f"({', '.join(other[:3])}); choose another -o")


def sensitivity(scenario_file: str | Path, vary=(), overrides=(), outdir=None, workers: int = 1,
                scheduler=None, progress: bool = True) -> pd.DataFrame:
    """Run the base and each input's two ends; write and return sensitivity.csv's table."""
    import siteplan
    from siteplan.safe_output import default_outdir

    base = list(overrides)
    sc = siteplan.load_scenario(scenario_file, base)
    dataset = Path(sc.dataset).resolve()
    inputs = parse_vary(vary) if vary else read_estimates(dataset)
    outdir = Path(outdir) if outdir is not None else default_outdir(sc.name, "sensitivity-")
    check_dir(outdir)
    outdir.mkdir(parents=True, exist_ok=True)

    specs = [RunSpec.make(base, [])]
    ends: list[tuple[Input, RunSpec, RunSpec]] = []
    unread: list[tuple[Input, str]] = []
    for inp in inputs:
        why = not_read(sc, inp)
        if why:
            unread.append((inp, why))
            continue
        pair = []
        for end, value in (("low", inp.low), ("high", inp.high)):
            if inp.is_data:
                folder = scaled_dataset(dataset, outdir / "data" / f"{_slug(inp)}-{end}",
                                        inp.key, value)
                item = ("dataset", str(folder.resolve()))
            else:
                item = (inp.key, fmt_number(value))
            pair.append(RunSpec.make(base, [item]))
        ends.append((inp, *pair))
        specs += pair
    for spec in specs[1:]:  # a bad key fails here, in one line, before anything is solved
        try:
            siteplan.load_scenario(scenario_file, list(spec.overrides))
        except siteplan.ScenarioError as exc:
            raise StudyError(f"--vary: {'; '.join(exc.problems)}") from None
    res = run_batch(scenario_file, specs, outdir, workers=workers, scheduler=scheduler,
                    progress=progress, desc="sensitivity", table_name=None)
    rows = res.table.set_index("run_id")
    table = _table(rows, specs[0], ends, unread)
    tmp = outdir / f".sensitivity.csv.{os.getpid()}"
    table.to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g")
    os.replace(tmp, outdir / "sensitivity.csv")
    meta = {"scenario_file": str(Path(scenario_file).resolve()), "overrides": base,
            "inputs": [vars(i) for i in inputs], "failed": int(res.failed),
            "not_read": {i.name: why for i, why in unread}}
    (outdir / "sensitivity.json").write_text(json.dumps(meta, indent=2) + "\n",
                                             encoding="utf-8")
    _page(outdir, sc.name, table)
    return table


def _share_key(rows: pd.DataFrame) -> str | None:
    return "west_share" if "west_share" in rows.columns else next(
        (c for c in rows.columns if c.endswith("_share") and c != "green_share"), None)


def not_read(sc, inp: Input) -> str:
    """Why the scenario does not read ``inp``'s table ("" when it does)."""
    mt = _DATA_KEY.match(inp.key) if inp.is_data else None
    if mt is None or mt["file"] not in READ_WHEN:
        return ""
    key, reads = READ_WHEN[mt["file"]]
    return "" if reads(sc) else f"not read: {mt['file']}.csv is used with {key}"


def _table(rows: pd.DataFrame, base: RunSpec, ends, unread=()) -> pd.DataFrame:
    share = _share_key(rows)

    def get(spec, col):
        return rows.at[spec.run_id, col] if col and col in rows.columns else float("nan")

    b = rows.loc[base.run_id]
    if b["status"] not in ("optimal", "gap_limit", "time_limit"):
        raise StudyError(f"the base scenario did not solve: {b['status']}: {b['error']}")
    out = []
    for inp, lo, hi in ends:
        r = {"input": inp.name, "key": inp.key, "low": inp.low, "high": inp.high,
             "objective_base": b["objective"],
             "objective_low": get(lo, "objective"), "objective_high": get(hi, "objective")}
        r["change_low"] = r["objective_low"] - r["objective_base"]
        r["change_high"] = r["objective_high"] - r["objective_base"]
        r["swing"] = abs(r["objective_high"] - r["objective_low"])
        r["share_zone"] = (share or "").removesuffix("_share")
        r.update(share_base=get(base, share), share_low=get(lo, share),
                 share_high=get(hi, share), sites_open_base=b["sites_open"],
                 sites_open_low=get(lo, "sites_open"), sites_open_high=get(hi, "sites_open"),
                 status_low=get(lo, "status"), status_high=get(hi, "status"),
                 source=inp.source)
        out.append(r)
    nan = float("nan")
    for inp, why in unread:
        out.append({"input": inp.name, "key": inp.key, "low": inp.low, "high": inp.high,
                    "objective_base": b["objective"], "objective_low": nan,
                    "objective_high": nan, "change_low": nan, "change_high": nan,
                    "swing": nan, "share_zone": (share or "").removesuffix("_share"),
                    "share_base": get(base, share), "share_low": nan, "share_high": nan,
                    "sites_open_base": b["sites_open"], "sites_open_low": nan,
                    "sites_open_high": nan, "status_low": why, "status_high": why,
                    "source": inp.source})
    table = pd.DataFrame(out)
    if len(table):
        table = table.sort_values("swing", ascending=False, na_position="last",
                                  kind="stable").reset_index(drop=True)
        table.insert(0, "rank", range(1, len(table) + 1))
    return table


def _page(outdir: Path, name: str, table: pd.DataFrame) -> None:
    from siteplan.report.studies import frame_table, tornado_chart, write_page

    if not len(table):
        return
    base = float(table["objective_base"].iloc[0])
    zone = table["share_zone"].iloc[0] or "zone"
    shown = table[["rank", "input", "low", "high", "change_low", "change_high", "share_low",
                   "share_high", "sites_open_low", "sites_open_high"]].rename(columns={
                       "change_low": "Δ cost at low", "change_high": "Δ cost at high",
                       "share_low": f"{zone} share at low", "share_high": f"{zone} share at high",
                       "sites_open_low": "sites at low", "sites_open_high": "sites at high"})
    intro = [f"Each input set to the low and the high end of its range, all else as in the "
             f"scenario; base annual cost {base:,.0f}, {zone} share "
             f"{table['share_base'].iloc[0]:.1%}, {int(table['sites_open_base'].iloc[0])} "
             "sites. Ranked by the swing of the annual cost."]
    unread = table["status_low"].astype(str).str.startswith("not read")
    if unread.any():
        intro.append("Not solved (the scenario does not read their table): " + "; ".join(
            f"{r.input} ({r.status_low.removeprefix('not read: ')})"
            for r in table[unread].itertuples()) + ".")
    solved = table[~unread]
    sections = [
        {"heading": "Change of the annual cost from the base",
         "chart": tornado_chart(list(solved["input"]), list(solved["change_low"].fillna(0)),
                                list(solved["change_high"].fillna(0)), "currency/yr")},
        {"heading": "Inputs, ranked", "table": frame_table(shown, {
            "rank": ".0f", "Δ cost at low": ",.0f", "Δ cost at high": ",.0f",
            f"{zone} share at low": ".1%", f"{zone} share at high": ".1%",
            "sites at low": ".0f", "sites at high": ".0f"})},
    ]
    write_page(outdir / "sensitivity.html", f"Sensitivity: {name}", intro, sections,
               str(outdir))
