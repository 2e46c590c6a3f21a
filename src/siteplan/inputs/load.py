"""Read a dataset folder against the registry; collect every problem, then raise once.

Each problem is one line naming the file, the line number (the header is line 1) and the
row's id where there is one, what was found and what is expected. Files are read with the
standard ``csv`` module so that line numbers stay exact (blank lines, quoted cells spanning
lines, CRLF line ends) and rows with the wrong number of cells are reported, not guessed.

Reading rules (``docs/data-format.md``): UTF-8 (a byte-order mark is accepted), comma
separated, one header row; blank lines are skipped; spaces around a cell are ignored; ``#``
comment lines are not allowed. Numbers must be finite decimal numbers (no NaN, no inf, no
``%``); ids are slugs of lowercase letters, digits, ``_`` and ``-``.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from siteplan.errors import InputDataError
from siteplan.inputs.registry import TABLES, Column, Table

MAX_ROWS_SHOWN = 3
HOURS_PER_YEAR = 8760.0
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_ID = re.compile(r"[a-z0-9_-]+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# scenario keys that name dataset ids: (key, attribute path, table, id column)
_SCENARIO_ID_KEYS = (
    ("demand.workload_scale", ("demand", "workload_scale"), "workloads"),
    ("workloads", ("workloads",), "workloads"),
    ("demand.region_scale", ("demand", "region_scale"), "regions"),
    ("prices.region_scale", ("prices", "region_scale"), "regions"),
    ("prices.zone_scale", ("prices", "zone_scale"), "zones"),
    ("prices.ppa_zone_scale", ("prices", "ppa_zone_scale"), "zones"),
    ("policy.pue_cap", ("policy", "pue_cap"), "zones"),
    ("policy.exclude_zones", ("policy", "exclude_zones"), "zones"),
    ("policy.exclude_locations", ("policy", "exclude_locations"), "locations"),
    ("policy.water_cap_m3", ("policy", "water_cap_m3"), "regions"),
    ("policy.n_minus_1.classes", ("policy", "n_minus_1", "classes"), "workloads"),
    ("policy.hardware", ("policy", "hardware"), "hardware"),
    ("policy.exclude_hardware", ("policy", "exclude_hardware"), "hardware"),
    ("network.latency_ms", ("network", "latency_ms"), "workloads"),
)


@dataclass(frozen=True)
class Inputs:
    """Checked dataset tables (defaults filled), keyed by table name; absent optional = empty.

    ``lines`` gives, per table, the file line number of each row (header = line 1).
    """

    folder: Path
    tables: dict[str, pd.DataFrame]
    lines: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load_inputs(folder: str | Path, scenario=None) -> Inputs:
    """Load and check every table in ``folder``; raise :class:`InputDataError` listing all problems.

    With ``scenario`` (a :class:`~siteplan.config.Scenario`), the scenario keys that name
    dataset ids (``policy.exclude_locations``, ``demand.region_scale``, ...) are checked too.
    """
    folder = Path(folder)
    problems: list[str] = []
    if not folder.exists():
        raise InputDataError([f"{folder}: dataset folder not found"])
    if not folder.is_dir():
        raise InputDataError([f"{folder}: dataset is a file; expected a folder of CSV files"])
    tables: dict[str, pd.DataFrame] = {}
    lines: dict[str, np.ndarray] = {}
    for table in TABLES.values():
        tables[table.name], lines[table.name] = _read_table(folder, table, problems)
    inputs = Inputs(folder=folder, tables=tables, lines=lines)
    _check_references(inputs, problems)
    _check_consistency(inputs, problems)
    if scenario is not None:
        problems += scenario_id_problems(scenario, tables)
    if problems:
        raise InputDataError(problems)
    return inputs


def scenario_id_problems(scenario, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Scenario keys that name dataset ids must name existing ones (one line per unknown id)."""
    src = scenario.source or "scenario"
    origin = getattr(scenario, "_origin", None) or {}
    known = {
        "regions": set(tables["regions"]["region"].dropna()),
        "workloads": set(tables["workloads"]["workload"].dropna()),
        "locations": set(tables["locations"]["location"].dropna()),
        "hardware": set(tables["hardware"]["hardware"].dropna()),
        "zones": {*tables["regions"]["zone"].dropna(), *tables["locations"]["zone"].dropna()},
    }
    problems = []
    for key, attrs, kind in _SCENARIO_ID_KEYS:
        ids = scenario
        for a in attrs:
            ids = getattr(ids, a, None) if ids is not None else None
        valid = known[kind]
        if not valid or ids is None:
            continue  # the table itself is missing or broken; reported already
        for name in ids:
            if name not in valid:
                close = difflib.get_close_matches(str(name), sorted(valid), n=1, cutoff=0.6)
                if close:
                    hint = f"; did you mean '{close[0]}'?"
                else:
                    shown = ", ".join(sorted(valid)[:8]) + (" ..." if len(valid) > 8 else "")
                    hint = f"; expected one of {shown}"
                inner = [v for k, v in origin.items() if k.startswith(f"{key}.{name}.")]
                where = origin.get(f"{key}.{name}") or (inner[0] if inner else None) \
                    or origin.get(key) or src
                problems.append(f"{where}: key '{key}': unknown id '{name}'{hint}")
    pol = scenario.policy
    by_grid = [key for key, on in (
        ("policy.max_share.grid_region", pol.max_share and pol.max_share.grid_region),
        ("policy.n_minus_1.grid_region", pol.n_minus_1 and pol.n_minus_1.grid_region)) if on]
    regions = tables["regions"]
    if by_grid and not regions.empty and (
            "grid_region" not in regions or regions["grid_region"].isna().any()):
        where = origin.get(by_grid[0]) or src
        problems.append(f"{where}: key '{by_grid[0]}' needs a grid_region for every row of "
                        f"{TABLES['regions'].file}; expected that column filled in, or the key "
                        "left out")
    if scenario.objective == "margin":
        problems += _margin_value_problems(tables, origin.get("objective") or src)
    for key, table in (("synergy.storage", "storage"), ("synergy.absorb_curtailment",
                                                         "curtailment"),
                       ("policy.chip_supply", "hardware_supply")):
        section, name = key.split(".")
        if getattr(getattr(scenario, section), name) and tables[table].empty:
            where = origin.get(key) or src
            problems.append(f"{where}: key '{key}' is true but the dataset has no "
                            f"{TABLES[table].file} rows; expected that file (columns "
                            f"{_cols(TABLES[table], required_only=True)}) or '{key}: false'")
    return problems


def _margin_value_problems(tables: dict[str, pd.DataFrame], where) -> list[str]:
    """objective 'margin' needs a value for every class with demand (token_value.csv)."""
    value = tables["token_value"]
    demand = tables["demand"]
    if value.empty:
        return [f"{where}: key 'objective' is 'margin' but the dataset has no "
                f"{TABLES['token_value'].file} rows; expected that file (columns "
                f"{_cols(TABLES['token_value'], required_only=True)}) or 'objective: cost'"]
    everywhere = set(value.loc[value["region"].isna(), "workload"].dropna())
    own = set(zip(value["workload"], value["region"], strict=True))
    wanted = demand.loc[demand["tokens_per_day"] > 0, ["region", "workload"]].dropna() \
        if not demand.empty else pd.DataFrame(columns=["region", "workload"])
    gaps: dict[str, list[str]] = {}
    for r, wl in zip(wanted["region"], wanted["workload"], strict=True):
        if wl not in everywhere and (wl, r) not in own:
            gaps.setdefault(wl, []).append(str(r))
    if gaps:
        named = "; ".join(f"{wl} (region {', '.join(sorted(rs)[:3])}"
                          f"{' ...' if len(rs) > 3 else ''})" for wl, rs in sorted(gaps.items()))
        return [f"{where}: key 'objective' is 'margin' but {TABLES['token_value'].file} has "
                f"no tiers for workload(s) {named}; expected tiers (share, price_per_mtok) "
                "for every class with demand, in rows with a blank region or the region's own"]
    return []


# --- reading ---------------------------------------------------------------------------------
def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in table.columns})


def _dtype(col: Column) -> str:
    return {"float": "float64", "int": "int64", "bool": "bool"}.get(col.kind, "object")


def _read_table(folder: Path, table: Table, problems: list[str]):
    """One table: (DataFrame of parsed columns, line number of each row)."""
    path = folder / table.file
    none = (_empty(table), np.zeros(0, int))
    if not path.exists():
        if table.required:
            problems.append(f"{path}: required file is missing; expected a CSV with columns "
                            f"{_cols(table, required_only=True)}")
        return none
    if not path.is_file():
        problems.append(f"{path}: is not a file; expected a CSV file")
        return none
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot be read ({exc.strerror})")
        return none
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(f"{path}, line {line}: not UTF-8 (invalid byte 0x{raw[exc.start]:02x} at "
                        f"offset {exc.start}); save the file as UTF-8")
        return none
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(f"{path}, line {line}: contains a NUL byte; expected a text CSV file")
        return none
    if not text.strip():
        problems.append(f"{path}: file is empty; expected a header row with columns "
                        f"{_cols(table, required_only=True)}")
        return none
    records = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for rec in reader:
            records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(f"{path}, line {start}: not a readable CSV row ({exc}); check the "
                        "quotes on this line")
        return none
    records = [(n, [c.strip() for c in rec]) for n, rec in records]
    comments = [n for n, rec in records if rec and rec[0].startswith("#")]
    for n in comments[:MAX_ROWS_SHOWN]:
        problems.append(f"{path}, line {n}: comment lines (#) are not allowed in dataset files")
    if len(comments) > MAX_ROWS_SHOWN:
        problems.append(f"{path}: ... and {len(comments) - MAX_ROWS_SHOWN} more comment lines")
    records = [(n, rec) for n, rec in records
               if any(rec) and not (rec and rec[0].startswith("#"))]
    if not records:
        problems.append(f"{path}: no header row; expected columns "
                        f"{_cols(table, required_only=True)}")
        return none
    header_line, header = records[0]
    body = records[1:]
    if not _check_header(path, table, header_line, header, problems):
        return none
    if not body:
        if table.required:
            problems.append(f"{path}: header only, no data rows; expected at least one row")
        return none
    good, line_of = [], []
    bad_width = []
    for n, rec in body:
        if len(rec) != len(header):
            bad_width.append((n, len(rec)))
            continue
        good.append(rec)
        line_of.append(n)
    for n, width in bad_width[:MAX_ROWS_SHOWN]:
        problems.append(f"{path}, line {n}: has {width} cells; expected {len(header)} as in the "
                        "header (a stray or missing comma?)")
    if len(bad_width) > MAX_ROWS_SHOWN:
        problems.append(f"{path}: ... and {len(bad_width) - MAX_ROWS_SHOWN} more rows with the "
                        "wrong number of cells")
    lines = np.array(line_of, dtype=int)
    df = pd.DataFrame(good, columns=header, dtype=object) if good else pd.DataFrame(
        columns=header, dtype=object)
    out = pd.DataFrame(index=df.index)
    ctx = _Ctx(path, table, df, lines, problems)
    for col in table.columns:
        cells = df[col.name] if col.name in df.columns else pd.Series("", df.index, dtype=object)
        out[col.name] = _parse_column(ctx, col, cells.astype(object))
    _check_duplicates(ctx, out)
    return out.reset_index(drop=True), lines


def _check_header(path: Path, table: Table, line: int, header: list[str],
                  problems: list[str]) -> bool:
    """Report header problems; False if the table cannot be read further."""
    known = [c.name for c in table.columns]
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    if table.one_of and not any(c in header for c in table.one_of):
        missing.append(table.one_of[0])  # e.g. demand.csv: tokens_per_day (or mw_it)
    explained: set[str] = set()  # missing columns named by a did-you-mean already
    ok = True
    for pos, name in enumerate(header, start=1):
        if not name:
            problems.append(f"{path}, line {line}: column {pos} of the header has no name "
                            "(a trailing comma?); expected one of the columns "
                            f"{_cols(table)}")
            ok = False
        elif name not in known:
            close = [k for k in known if k.lower() == name.lower()]
            close = close or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            if close and close[0] in missing:
                explained.add(close[0])
                hint = f"; did you mean '{close[0]}' (a required column, missing)?"
            elif close:
                hint = f"; did you mean '{close[0]}'?"
            else:
                hint = f"; expected columns {_cols(table)}"
            problems.append(f"{path}, line {line}: unknown column '{name}'{hint}")
    seen = set()
    for name in header:
        if name and name in seen:
            problems.append(f"{path}, line {line}: column '{name}' appears twice in the header")
            ok = False
        seen.add(name)
    for name in missing:
        if name not in explained:
            problems.append(f"{path}, line {line}: missing required column '{name}'")
    return ok and not missing


def _cols(table: Table, required_only: bool = False) -> str:
    return ", ".join(c.name for c in table.columns if c.required or not required_only)


# --- per-column parsing ----------------------------------------------------------------------
@dataclass
class _Ctx:
    path: Path
    table: Table
    df: pd.DataFrame  # raw cells (strings)
    lines: np.ndarray
    problems: list[str]

    def where(self, i: int) -> str:
        return _where(self.path, self.table, self.df, self.lines, i)

    def report(self, rows, what: Callable[[int], str]) -> None:
        rows = list(rows)
        for i in rows[:MAX_ROWS_SHOWN]:
            self.problems.append(f"{self.where(i)}: {what(i)}")
        if len(rows) > MAX_ROWS_SHOWN:
            self.problems.append(f"{self.path}: ... and {len(rows) - MAX_ROWS_SHOWN} more rows "
                                 "with this problem")


def _where(path: Path, table: Table, df: pd.DataFrame, lines: np.ndarray, i: int) -> str:
    """``file, line N (key=value)``: line numbers count the header as line 1."""
    key = table.key[0]
    label = ""
    if key in df.columns:
        value = df[key].iloc[i]
        if value is not None and str(value).strip():
            label = f" ({key}={str(value).strip()})"
    return f"{path}, line {int(lines[i])}{label}"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-") or "a-1"


def _parse_column(ctx: _Ctx, col: Column, cells: pd.Series) -> pd.Series:
    blank = (cells == "").to_numpy()
    idx = np.arange(len(cells))
    if col.required:
        ctx.report(idx[blank], lambda i: f"'{col.name}' is blank; expected {_expect(col)}")
    if col.kind in ("id", "text"):
        values = cells.where(~blank, None)
        if isinstance(col.default, str):
            values = values.where(~blank, col.default)
        if col.choices:
            bad = ~blank & ~cells.isin(col.choices).to_numpy()
            ctx.report(idx[bad], lambda i: f"'{col.name}' is '{cells.iloc[i]}'; expected one of "
                       + ", ".join(col.choices))
        elif col.kind == "id":
            bad = ~blank & ~cells.map(lambda v: bool(_ID.fullmatch(v))).to_numpy(bool)
            ctx.report(idx[bad], lambda i: f"'{col.name}' is '{cells.iloc[i]}'; expected an id of "
                       "lowercase letters, digits, '_' and '-' (such as "
                       f"'{_slug(cells.iloc[i])}')")
        return values.astype(object)
    if col.kind == "bool":
        low = cells.str.lower()
        bad = ~blank & ~low.isin(_TRUE | _FALSE).to_numpy()
        ctx.report(idx[bad], lambda i: f"'{col.name}' is '{cells.iloc[i]}'; expected true or false")
        default = bool(col.default) if not col.required and col.default is not None else False
        return low.map(lambda v: v in _TRUE if v else default).astype(bool)

    numbers = np.full(len(cells), np.nan)
    unparsable, non_finite = [], []
    for i, text in enumerate(cells):
        if not text:
            continue
        if not _NUMBER.fullmatch(text):
            unparsable.append(i)
            continue
        value = float(text)
        if not math.isfinite(value):
            non_finite.append(i)
            continue
        numbers[i] = value

    def _bad_number(i: int) -> str:
        text = cells.iloc[i]
        hint = ""
        if text.endswith("%"):
            hint = " (write shares as fractions: 0.25, not 25%)"
        elif text.lower().lstrip("+-") in ("nan", "inf", "infinity", "na", "n/a", "null", "none"):
            hint = (" (NaN and infinity are not numbers here)" if col.required
                    else " (leave the cell blank for the default)")
        elif "," in text or "_" in text:
            hint = " (no thousands separators)"
        return f"'{col.name}' is '{text}'; expected {_expect(col)}{hint}"

    ctx.report(unparsable, _bad_number)
    ctx.report(non_finite, lambda i: f"'{col.name}' is '{cells.iloc[i]}', too large to be a "
               f"finite number; expected {_expect(col)}")
    ok = ~np.isnan(numbers)
    if col.kind == "int":
        frac = ok & (numbers != np.round(numbers))
        ctx.report(idx[frac], lambda i: f"'{col.name}' is '{cells.iloc[i]}'; expected a whole "
                   "number")
    unit = f" {col.unit}" if col.unit not in ("", "1") else ""
    if col.min is not None:
        low = ok & (numbers < col.min)
        ctx.report(idx[low], lambda i: f"'{col.name}' must be >= {col.min:g}{unit}, got "
                   f"{cells.iloc[i]}")
    if col.max is not None:
        high = ok & (numbers > col.max)
        ctx.report(idx[high], lambda i: f"'{col.name}' must be <= {col.max:g}{unit}, got "
                   f"{cells.iloc[i]}")
    out = pd.Series(numbers, index=cells.index, dtype="float64")
    if not col.required and col.default is not None:
        out = out.where(~blank, float(col.default))
    if col.kind == "int":
        return out.fillna(0).round().astype("int64")
    return out


def _expect(col: Column) -> str:
    if col.kind == "bool":
        return "true or false"
    if col.kind == "id":
        if col.choices:
            return "one of " + ", ".join(col.choices)
        return "an id (lowercase letters, digits, '_' and '-')"
    if col.kind == "text":
        return "some text"
    rng = []
    if col.min is not None:
        rng.append(f">= {col.min:g}")
    if col.max is not None:
        rng.append(f"<= {col.max:g}")
    unit = f" {col.unit}" if col.unit not in ("", "1") else ""
    return ("a whole number" if col.kind == "int" else "a number") + (
        f" {' and '.join(rng)}" if rng else "") + unit


def _check_duplicates(ctx: _Ctx, out: pd.DataFrame) -> None:
    key = list(ctx.table.key)
    # an optional key column left blank is a value of its own (e.g. token_value's region)
    valid = out[[k for k in key if ctx.table.column(k).required]].notna().all(axis=1)
    dup = out[key].duplicated(keep="first") & valid
    if not dup.any():
        return
    first: dict[tuple, int] = {}
    for i, row in enumerate(out[key].itertuples(index=False, name=None)):
        first.setdefault(tuple(None if pd.isna(v) else v for v in row), i)

    def what(i: int) -> str:
        row = tuple(None if pd.isna(v) else v for v in out[key].iloc[i])
        shown = ", ".join(f"{k}={'(blank)' if v is None else v}"
                          for k, v in zip(key, row, strict=True))
        return (f"duplicated {shown} (first at line {int(ctx.lines[first[row]])}); expected "
                "each once")

    ctx.report(np.flatnonzero(dup.to_numpy()), what)


# --- checks across rows and files ------------------------------------------------------------
def _check_references(inputs: Inputs, problems: list[str]) -> None:
    tables, folder = inputs.tables, inputs.folder
    for table in TABLES.values():
        df = tables[table.name]
        if df.empty:
            continue
        for col in table.columns:
            if col.ref is None:
                continue
            target = TABLES[col.ref]
            known = set(tables[col.ref][target.key[0]].dropna())
            if not known:
                continue  # the missing table is reported already
            bad = (df[col.name].notna() & ~df[col.name].isin(known)).to_numpy()
            path = folder / table.file
            rows = np.flatnonzero(bad)
            for i in rows[:MAX_ROWS_SHOWN]:
                value = df[col.name].iloc[i]
                close = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(
                    f"{_where(path, table, df, inputs.lines[table.name], i)}: {col.name} "
                    f"'{value}' is not in {target.file}{hint}"
                )
            if len(rows) > MAX_ROWS_SHOWN:
                problems.append(f"{path}: ... and {len(rows) - MAX_ROWS_SHOWN} more unknown "
                                f"{col.name} ids")


def _line(inputs: Inputs, name: str, i: int) -> str:
    table = TABLES[name]
    return _where(inputs.folder / table.file, table, inputs[name], inputs.lines[name], i)


def _check_consistency(inputs: Inputs, problems: list[str]) -> None:
    _check_slices(inputs, problems)
    _check_sites(inputs, problems)
    _check_profile(inputs, problems)
    _check_ppa(inputs, problems)
    _check_demand_units(inputs, problems)
    _check_token_value(inputs, problems)
    _check_dedicated(inputs, problems)
    _check_direct_line(inputs, problems)


def _check_demand_units(inputs: Inputs, problems: list[str]) -> None:
    """Each demand row gives the quantity its class's demand_unit asks for (tokens_per_day or
    mw_it), not the other; an mw_it class names a reference hardware that can serve it."""
    wl, dem, thr = inputs["workloads"], inputs["demand"], inputs["throughput"]
    if wl.empty or "demand_unit" not in wl.columns:
        return
    unit = dict(zip(wl["workload"], wl["demand_unit"], strict=True))
    path = inputs.folder / "workloads.csv"
    hardware = set(inputs["hardware"]["hardware"].dropna())
    for i, row in enumerate(wl.itertuples(index=False)):
        if row.demand_unit != "mw_it":
            continue
        ref = row.reference_hardware
        speed = thr[(thr["workload"] == row.workload) & (thr["hardware"] == ref)]["tokens_per_s"]
        if not isinstance(ref, str) or ref not in hardware:
            problems.append(f"{_line(inputs, 'workloads', i)} (workload={row.workload}): "
                            f"demand_unit mw_it needs reference_hardware, a hardware id of "
                            f"hardware.csv; got {ref if isinstance(ref, str) else 'blank'}")
        elif speed.empty or not (speed > 0).any():
            problems.append(f"{path} (workload={row.workload}): reference_hardware {ref} has no "
                            "positive tokens_per_s for the class in throughput.csv; expected one "
                            "(it sets the other hardware's relative speed)")
    want = {"tokens": "tokens_per_day", "mw_it": "mw_it"}
    bad: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(dem.itertuples(index=False)):
        u = unit.get(row.workload)
        if u not in want:  # unknown class or unit: reported already
            continue
        col, other = want[u], want["mw_it" if u == "tokens" else "tokens"]
        if pd.isna(getattr(row, col, np.nan)) or not pd.isna(getattr(row, other, np.nan)):
            bad.setdefault((row.workload, u), []).append(i)
    for (workload, u), rows in bad.items():
        col = want[u]
        shown = ", ".join(str(int(inputs.lines["demand"][i])) for i in rows[:3])
        problems.append(f"{inputs.folder / 'demand.csv'}, line{'s' if len(rows) > 1 else ''} "
                        f"{shown}{' ...' if len(rows) > 3 else ''} (workload={workload}, "
                        f"{len(rows)} row{'s' if len(rows) > 1 else ''}): the class's demand_unit "
                        f"is {u}; expected {col} and a blank "
                        f"{'mw_it' if col == 'tokens_per_day' else 'tokens_per_day'}")


def _check_slices(inputs: Inputs, problems: list[str]) -> None:
    slices, path = inputs["slices"], inputs.folder / "slices.csv"
    if slices.empty or slices["weight_h"].isna().any():
        return
    total = float(slices["weight_h"].sum())
    if abs(total - HOURS_PER_YEAR) > 1e-6 * HOURS_PER_YEAR:
        problems.append(f"{path}: weights (weight_h) sum to {total:g} h; expected "
                        f"{HOURS_PER_YEAR:g} (the hours of a year)")
    if slices["day"].isna().any():
        return
    for day, w in slices.groupby("day", sort=False)["weight_h"].sum().items():
        if w <= 0:
            problems.append(f"{path}: day '{day}' has total weight {w:g} h; expected > 0 (a day "
                            "must stand for some hours of the year)")
    dup = np.flatnonzero(slices.duplicated(["day", "hour"], keep="first").to_numpy())
    for i in dup[:MAX_ROWS_SHOWN]:
        problems.append(f"{_line(inputs, 'slices', i)}: day '{slices['day'].iloc[i]}' already has "
                        f"a slice at hour {slices['hour'].iloc[i]}; expected one slice per "
                        "(day, hour)")


def _check_sites(inputs: Inputs, problems: list[str]) -> None:
    sites, locs = inputs["site_options"], inputs["locations"]
    if not locs.empty:
        bad = np.flatnonzero((locs["min_mw"] > locs["max_mw"]).to_numpy())
        for i in bad[:MAX_ROWS_SHOWN]:
            problems.append(f"{_line(inputs, 'locations', i)}: min_mw {locs['min_mw'].iloc[i]:g} "
                            f"exceeds max_mw {locs['max_mw'].iloc[i]:g}; expected "
                            "min_mw <= max_mw")
    if sites.empty or locs.empty:
        return
    max_mw = sites["location"].map(locs.drop_duplicates("location").set_index("location")["max_mw"])
    over = np.flatnonzero((sites["existing_mw"] > max_mw + 1e-9).to_numpy())
    for i in over[:MAX_ROWS_SHOWN]:
        problems.append(f"{_line(inputs, 'site_options', i)}: existing_mw "
                        f"{sites['existing_mw'].iloc[i]:g} exceeds the max_mw "
                        f"{max_mw.iloc[i]:g} of location {sites['location'].iloc[i]} "
                        "(locations.csv)")
    existing = sites[sites["existing_mw"] > 0]
    two = existing.groupby("location")["site"].apply(list)
    for loc, names in list(two[two.map(len) > 1].items())[:MAX_ROWS_SHOWN]:
        rows = [int(inputs.lines["site_options"][i]) for i in existing.index
                if existing.at[i, "location"] == loc]
        problems.append(f"{inputs.folder / 'site_options.csv'}, lines "
                        f"{', '.join(map(str, rows))} (location={loc}): existing capacity on "
                        f"{len(names)} cooling options ({', '.join(names)}); at most one "
                        "option per location can be open")


def _check_profile(inputs: Inputs, problems: list[str]) -> None:
    """A workload's profile covers all slices or none; no day of it is all zero."""
    prof, slices = inputs["demand_profile"], inputs["slices"]
    path = inputs.folder / "demand_profile.csv"
    if prof.empty or slices.empty or prof[["workload", "slice"]].isna().any(axis=None):
        return
    all_slices = list(slices["slice"])
    day_of = dict(zip(slices["slice"], slices["day"], strict=True))
    weight_of = dict(zip(slices["slice"], slices["weight_h"], strict=True))
    for wl, rows in prof.groupby("workload", sort=False):
        given = set(rows["slice"])
        missing = [s for s in all_slices if s not in given]
        if missing and given & set(all_slices):
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            problems.append(f"{path} (workload={wl}): factors for {len(all_slices) - len(missing)} "
                            f"of {len(all_slices)} slices; missing {shown}; expected a factor for "
                            "every slice (or no rows for a flat profile)")
            continue
        if rows["factor"].isna().any():
            continue
        by_day: dict[str, float] = {}
        for sl, f in zip(rows["slice"], rows["factor"], strict=True):
            if sl in day_of:
                by_day[day_of[sl]] = by_day.get(day_of[sl], 0.0) + f * weight_of[sl]
        for day, total in by_day.items():
            if total <= 0:
                problems.append(f"{path} (workload={wl}): every factor on day '{day}' is zero; "
                                "expected a positive shape (the day's weighted mean is scaled "
                                "to 1)")


def _check_ppa(inputs: Inputs, problems: list[str]) -> None:
    """Every PPA offer needs capacity factors for its region and technology."""
    ppa, ren = inputs["ppa"], inputs["renewables"]
    ren_path = inputs.folder / "renewables.csv"
    if ppa.empty or (ren.empty and any(str(ren_path) in p for p in problems)):
        return  # nothing offered, or renewables.csv is broken (reported already)
    have = set(zip(ren["region"], ren["tech"], strict=True)) if not ren.empty else set()
    rows = [i for i, (r, t) in enumerate(zip(ppa["region"], ppa["tech"], strict=True))
            if r is not None and t is not None and (r, t) not in have]
    if ren.empty and not ren_path.exists():
        why = "renewables.csv is missing"
    else:
        why = "renewables.csv has no rows for it"
    for i in rows[:MAX_ROWS_SHOWN]:
        problems.append(f"{_line(inputs, 'ppa', i)}: PPA offer for tech "
                        f"{ppa['tech'].iloc[i]} but {why}; expected capacity factors (region, "
                        "tech, slice, cf)")
    if len(rows) > MAX_ROWS_SHOWN:
        problems.append(f"{inputs.folder / 'ppa.csv'}: ... and {len(rows) - MAX_ROWS_SHOWN} more "
                        "PPA offers without capacity factors")


def _check_token_value(inputs: Inputs, problems: list[str]) -> None:
    """Each class's tier shares sum to 1 (its all-region rows, and each region's own)."""
    value = inputs["token_value"]
    if value.empty or value[["workload", "share"]].isna().any(axis=None) \
            or value.duplicated(["workload", "tier", "region"]).any():  # reported already
        return
    region = value["region"].fillna("")
    for (wl, reg), total in value.groupby([value["workload"], region],
                                          sort=False)["share"].sum().items():
        if abs(total - 1.0) > 1e-6:
            where = f"workload={wl}" + (f", region={reg}" if reg else "")
            problems.append(f"{inputs.folder / 'token_value.csv'} ({where}): tier shares "
                            f"sum to {total:g}; expected 1 (every token of demand in one tier)")


def _check_dedicated(inputs: Inputs, problems: list[str]) -> None:
    """A dedicated supply takes its shape from its region's renewables.csv rows."""
    ded, ren, locs = inputs["dedicated_supply"], inputs["renewables"], inputs["locations"]
    if ded.empty or locs.empty or ded[["location", "tech"]].isna().any(axis=None):
        return
    region_of = dict(zip(locs["location"], locs["region"], strict=True))
    have = set(zip(ren["region"], ren["tech"], strict=True)) if not ren.empty else set()
    for i, (loc, tech) in enumerate(zip(ded["location"], ded["tech"], strict=True)):
        if loc in region_of and (region_of[loc], tech) not in have:
            problems.append(f"{_line(inputs, 'dedicated_supply', i)}: supply for tech {tech} "
                            f"but renewables.csv has no rows for region {region_of[loc]}; "
                            "expected its capacity factors (region, tech, slice, cf)")


def _check_direct_line(inputs: Inputs, problems: list[str]) -> None:
    """A direct line buys the energy of the region's PPA offer of its tech (ppa.csv)."""
    direct, ppa = inputs["direct_line"], inputs["ppa"]
    if direct.empty or direct[["region", "tech"]].isna().any(axis=None):
        return
    have = set(zip(ppa["region"], ppa["tech"], strict=True)) if not ppa.empty else set()
    for i, (region, tech) in enumerate(zip(direct["region"], direct["tech"], strict=True)):
        if (region, tech) not in have:
            problems.append(f"{_line(inputs, 'direct_line', i)}: direct line for {tech} in "
                            f"{region} but ppa.csv has no {tech} offer there; expected a "
                            "ppa.csv row (region, tech, cost_per_mw_year) for its energy price")
