"""Read a dataset folder against the registry; collect every problem, then raise once."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from siteplan.errors import InputDataError
from siteplan.inputs.registry import TABLES, Column, Table

MAX_ROWS_SHOWN = 3
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


@dataclass(frozen=True)
class Inputs:
    """Checked dataset tables (defaults filled), keyed by table name; absent optional = empty."""

    folder: Path
    tables: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load_inputs(folder: str | Path) -> Inputs:
    """Load and check every table in ``folder``; raise :class:`InputDataError` listing all problems."""
    folder = Path(folder)
    problems: list[str] = []
    if not folder.is_dir():
        raise InputDataError([f"{folder}: dataset folder not found"])
    tables: dict[str, pd.DataFrame] = {}
    for table in TABLES.values():
        tables[table.name] = _read_table(folder, table, problems)
    _check_references(folder, tables, problems)
    _check_consistency(folder, tables, problems)
    if problems:
        raise InputDataError(problems)
    return Inputs(folder=folder, tables=tables)


def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in table.columns})


def _dtype(col: Column) -> str:
    return {"float": "float64", "int": "int64", "bool": "bool"}.get(col.kind, "object")


def _read_table(folder: Path, table: Table, problems: list[str]) -> pd.DataFrame:
    path = folder / table.file
    if not path.is_file():
        if table.required:
            problems.append(f"{path}: required file is missing")
        return _empty(table)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 (invalid byte at offset {exc.start}); save as UTF-8")
        return _empty(table)
    if not text.strip():
        problems.append(f"{path}: file is empty; expected a header row with {_cols(table)}")
        return _empty(table)
    try:
        df = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.append(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})")
        return _empty(table)
    df.columns = [str(c).strip() for c in df.columns]
    known = {c.name for c in table.columns}
    for name in df.columns:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; expected columns: {_cols(table)}"
            problems.append(f"{path}: unknown column '{name}'{hint}")
    if len(set(df.columns)) != len(df.columns):
        problems.append(f"{path}: duplicated column names in the header")
        return _empty(table)
    missing = [c.name for c in table.columns if c.required and c.name not in df.columns]
    for name in missing:
        problems.append(f"{path}: missing required column '{name}'")
    if missing:
        return _empty(table)
    if df.empty:
        if table.required:
            problems.append(f"{path}: no data rows")
        return _empty(table)
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        cells = df[col.name].str.strip() if col.name in df.columns else pd.Series("", df.index)
        out[col.name] = _parse_column(path, table, col, cells, df, problems)
    _check_duplicates(path, table, out, problems)
    return out.reset_index(drop=True)


def _cols(table: Table) -> str:
    return ", ".join(c.name for c in table.columns)


def _where(path: Path, table: Table, df: pd.DataFrame, i: int) -> str:
    """``file, line N (key=value)``: line numbers count the header as line 1."""
    key = table.key[0]
    label = ""
    if key in df.columns and str(df.at[i, key]).strip():
        label = f" ({key}={str(df.at[i, key]).strip()})"
    return f"{path}, line {i + 2}{label}"


def _report(path, table, df, rows, problems, what: str) -> None:
    rows = list(rows)
    for i in rows[:MAX_ROWS_SHOWN]:
        problems.append(f"{_where(path, table, df, i)}: {what(i)}")
    if len(rows) > MAX_ROWS_SHOWN:
        problems.append(f"{path}: ... and {len(rows) - MAX_ROWS_SHOWN} more rows with this problem")


def _parse_column(path, table, col: Column, cells: pd.Series, df, problems) -> pd.Series:
    blank = cells == ""
    if col.required and blank.any():
        _report(path, table, df, cells.index[blank], problems,
                lambda i: f"'{col.name}' is blank; expected {_expect(col)}")
    if col.kind in ("id", "text"):
        values = cells.where(~blank, None)
        if isinstance(col.default, str):
            values = values.where(~blank, col.default)
        if col.choices:
            bad = ~blank & ~cells.isin(col.choices)
            _report(path, table, df, cells.index[bad], problems,
                    lambda i: f"'{col.name}' is '{cells[i]}'; expected one of {', '.join(col.choices)}")
        return values.astype(object)
    if col.kind == "bool":
        low = cells.str.lower()
        bad = ~blank & ~low.isin(_TRUE | _FALSE)
        _report(path, table, df, cells.index[bad], problems,
                lambda i: f"'{col.name}' is '{cells[i]}'; expected true or false")
        default = bool(col.default) if not col.required and col.default is not None else False
        return low.map(lambda v: v in _TRUE if v else default).astype(bool)
    numbers = pd.to_numeric(cells.where(~blank, None), errors="coerce")
    bad = ~blank & numbers.isna()
    _report(path, table, df, cells.index[bad], problems,
            lambda i: f"'{col.name}' is '{cells[i]}'; expected {_expect(col)}")
    if col.kind == "int":
        frac = numbers.notna() & (numbers != numbers.round())
        _report(path, table, df, cells.index[frac], problems,
                lambda i: f"'{col.name}' is '{cells[i]}'; expected a whole number")
    ok = numbers.notna()
    if col.min is not None:
        low = ok & (numbers < col.min)
        _report(path, table, df, cells.index[low], problems,
                lambda i: f"'{col.name}' must be >= {col.min:g} {col.unit}".rstrip()
                + f", got {cells[i]}")
    if col.max is not None:
        high = ok & (numbers > col.max)
        _report(path, table, df, cells.index[high], problems,
                lambda i: f"'{col.name}' must be <= {col.max:g} {col.unit}".rstrip()
                + f", got {cells[i]}")
    if not col.required and col.default is not None:
        numbers = numbers.where(~blank, float(col.default))
    if col.kind == "int":
        return numbers.fillna(0).round().astype("int64")
    return numbers.astype("float64")


def _expect(col: Column) -> str:
    if col.kind == "bool":
        return "true or false"
    if col.kind in ("id", "text"):
        return "one of " + ", ".join(col.choices) if col.choices else f"a {col.kind}"
    rng = []
    if col.min is not None:
        rng.append(f">= {col.min:g}")
    if col.max is not None:
        rng.append(f"<= {col.max:g}")
    unit = f" {col.unit}" if col.unit else ""
    return ("a whole number" if col.kind == "int" else "a number") + (
        f" {' and '.join(rng)}" if rng else "") + unit


def _check_duplicates(path: Path, table: Table, df: pd.DataFrame, problems: list[str]) -> None:
    dup = df.duplicated(list(table.key), keep="first")
    if dup.any():
        _report(path, table, df, df.index[dup], problems,
                lambda i: "duplicated " + ", ".join(f"{k}={df.at[i, k]}" for k in table.key))


def _check_references(folder: Path, tables: dict[str, pd.DataFrame], problems: list[str]) -> None:
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
            bad = df[col.name].notna() & ~df[col.name].isin(known)
            path = folder / table.file
            for i in list(df.index[bad])[:MAX_ROWS_SHOWN]:
                value = df.at[i, col.name]
                close = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(
                    f"{_where(path, table, df, i)}: {col.name} '{value}' is not in "
                    f"{target.file}{hint}"
                )
            if bad.sum() > MAX_ROWS_SHOWN:
                problems.append(f"{path}: ... and {bad.sum() - MAX_ROWS_SHOWN} more unknown ids")


def _check_consistency(folder: Path, tables: dict[str, pd.DataFrame], problems: list[str]) -> None:
    slices = tables["slices"]
    if not slices.empty and slices["weight_h"].notna().all():
        total = float(slices["weight_h"].sum())
        if abs(total - 8760.0) > 1e-6 * 8760:
            problems.append(
                f"{folder / 'slices.csv'}: weights (weight_h) sum to {total:g} h; expected 8760"
            )
    sites, locs = tables["site_options"], tables["locations"]
    if not sites.empty and not locs.empty:
        merged = sites.merge(locs[["location", "max_mw"]], on="location", how="inner")
        over = merged[merged["existing_mw"] > merged["max_mw"] + 1e-9]
        for _, row in over.head(MAX_ROWS_SHOWN).iterrows():
            problems.append(
                f"{folder / 'site_options.csv'} (site={row['site']}): existing_mw "
                f"{row['existing_mw']:g} exceeds the location's max_mw {row['max_mw']:g}"
            )
        two = sites[sites["existing_mw"] > 0].groupby("location")["site"].count()
        for loc in two[two > 1].index[:MAX_ROWS_SHOWN]:
            problems.append(
                f"{folder / 'site_options.csv'} (location={loc}): existing capacity on more than "
                "one cooling option; at most one option per location can be open"
            )
    if not locs.empty:
        bad = locs[locs["min_mw"] > locs["max_mw"]]
        for i in bad.index[:MAX_ROWS_SHOWN]:
            problems.append(
                f"{folder / 'locations.csv'}, line {i + 2} (location={locs.at[i, 'location']}): "
                f"min_mw {locs.at[i, 'min_mw']:g} exceeds max_mw {locs.at[i, 'max_mw']:g}"
            )
