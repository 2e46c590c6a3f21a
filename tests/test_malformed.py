"""A corpus of malformed scenarios and datasets: every one is reported cleanly.

Each case builds the valid tiny dataset of ``builders.py``, breaks one thing (or several)
and runs ``siteplan validate`` (and ``run`` for a subset) through click's CliRunner. Every
case asserts: exit code 2, no traceback, every output line is one ``error: ...`` line (plus
the closing count line), and the expected problem is one line naming the place (file and
line number, or scenario key) and what was found / expected.

The hypothesis tests at the end corrupt random cells of the valid dataset, inject bytes,
and mistype random scenario keys.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import tiny_tables, write_dataset, write_scenario
from siteplan.cli import main
from siteplan.config.schema import Scenario
from siteplan.inputs.registry import TABLES

LINE_RE = re.compile(r"^error: \S.*$|^\d+ problems found$")


@dataclass
class Case:
    id: str
    tables: Callable[[dict], None] | None = None  # change the rows before writing
    files: Callable[[Path], None] | None = None  # change the files after writing (data folder)
    yaml: Callable[[dict], None] | str | None = None  # change the scenario doc, or replace text
    args: tuple[str, ...] = ()
    expect: list[tuple[str, ...]] = field(default_factory=list)  # each: fragments of one line
    run: bool = False  # also check `siteplan run`


def _build(tmp: Path, case: Case) -> Path:
    t = tiny_tables()
    if case.tables:
        case.tables(t)
    path = write_scenario(tmp, t)
    if case.files:
        case.files(tmp / "data")
    if isinstance(case.yaml, str):
        path.write_text(case.yaml, encoding="utf-8")
    elif case.yaml is not None:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        case.yaml(doc)
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _invoke(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=True)


def check_report(result, expect: list[tuple[str, ...]]) -> list[str]:
    out = result.output
    assert result.exit_code == 2, f"exit {result.exit_code}: {out!r} {result.exception!r}"
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines, "no message"
    for ln in lines:
        assert LINE_RE.match(ln), f"not a one-line problem report: {ln!r}"
    for fragments in expect:
        hits = [ln for ln in lines if all(f in ln for f in fragments)]
        assert hits, f"no line has all of {fragments}: {lines}"
    return lines


# --- helpers to break things -----------------------------------------------------------------
def cell(table: str, row: int, col: str, value) -> Callable[[dict], None]:
    def f(t):
        t[table][row][col] = value
    return f


def rows(table: str, new_rows: list[dict]) -> Callable[[dict], None]:
    def f(t):
        t[table] = new_rows
    return f


def both(*fns):
    def f(x):
        for fn in fns:
            fn(x)
    return f


def text(name: str, content: str | bytes) -> Callable[[Path], None]:
    def f(folder: Path):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return f


def replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def f(folder: Path):
        p = folder / name
        s = p.read_text(encoding="utf-8")
        assert old in s, (old, s)
        p.write_text(s.replace(old, new, 1), encoding="utf-8")
    return f


def remove(name: str) -> Callable[[Path], None]:
    def f(folder: Path):
        (folder / name).unlink()
    return f


def setkey(dotted: str, value) -> Callable[[dict], None]:
    def f(doc):
        node = doc
        parts = dotted.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return f


def delkey(key: str) -> Callable[[dict], None]:
    def f(doc):
        doc.pop(key)
    return f


SLICES_2DAYS = [
    {"slice": "d1", "day": "one", "hour": 0, "weight_h": 4380.0},
    {"slice": "d2", "day": "two", "hour": 0, "weight_h": 4380.0},
]
BASE_YAML = ("name: tiny\ndataset: data\ncurrency: CNY\n"
             "network: {overhead_ms: 0.0, cost_per_mtok_per_1000km: 0.0}\n")

CASES = [
    # --- numbers ---
    Case("nan-number", cell("locations", 0, "max_mw", "nan"),
         expect=[("locations.csv", "line 2", "location=la", "'max_mw' is 'nan'", "expected")],
         run=True),
    Case("inf-number", cell("locations", 1, "max_mw", "inf"),
         expect=[("locations.csv", "line 3", "'max_mw' is 'inf'")]),
    Case("minus-inf", cell("regions", 0, "price_per_mwh", "-inf"),
         expect=[("regions.csv", "line 2", "price_per_mwh")]),
    Case("overflow", cell("demand", 0, "tokens_per_day", "1e999"),
         expect=[("demand.csv", "line 2", "tokens_per_day", "finite")]),
    Case("percent", cell("regions", 1, "green_share", "60%"),
         expect=[("regions.csv", "line 3", "green_share", "fractions")]),
    Case("thousands-sep", cell("demand", 0, "tokens_per_day", "24,000,000"),
         expect=[("demand.csv", "line 2", "thousands")]),
    Case("text-in-number", cell("hardware", 0, "kw_per_unit", "lots"),
         expect=[("hardware.csv", "line 2", "'kw_per_unit' is 'lots'", "a number")], run=True),
    Case("blank-required-number", cell("regions", 0, "lat", ""),
         expect=[("regions.csv", "line 2", "'lat' is blank")]),
    Case("blank-required-id", cell("demand", 1, "region", ""),
         expect=[("demand.csv", "line 3", "'region' is blank")]),
    Case("blank-required-text", cell("regions", 0, "name", ""),
         expect=[("regions.csv", "line 2", "'name' is blank")]),
    Case("negative-weight", cell("slices", 0, "weight_h", -8760.0),
         expect=[("slices.csv", "line 2", "'weight_h' must be >= 0")]),
    Case("weights-not-8760", cell("slices", 0, "weight_h", 8000.0),
         expect=[("slices.csv", "sum to 8000 h", "expected 8760")], run=True),
    Case("day-zero-weight", rows("slices", [
        {"slice": "d1", "day": "one", "hour": 0, "weight_h": 8760.0},
        {"slice": "d2", "day": "two", "hour": 0, "weight_h": 0.0}]),
        expect=[("slices.csv", "day 'two'", "total weight 0 h")]),
    Case("duplicate-day-hour", rows("slices", [
        {"slice": "d1", "day": "one", "hour": 3, "weight_h": 4380.0},
        {"slice": "d2", "day": "one", "hour": 3, "weight_h": 4380.0}]),
        expect=[("slices.csv", "line 3", "slice=d2", "hour 3")]),
    Case("tou-hour-24", files=text("tou.csv", "region,hour,multiplier\na,24,1.0\n"),
         expect=[("tou.csv", "line 2", "'hour' must be <= 23")], run=True),
    Case("hour-fraction", cell("slices", 0, "hour", "1.5"),
         expect=[("slices.csv", "line 2", "whole number")]),
    Case("hour-negative", cell("slices", 0, "hour", -1),
         expect=[("slices.csv", "line 2", "'hour' must be >= 0")]),
    Case("lat-out-of-range", cell("locations", 0, "lat", 95),
         expect=[("locations.csv", "line 2", "'lat' must be <= 90")]),
    Case("share-above-one", cell("regions", 0, "green_share", 1.5),
         expect=[("regions.csv", "line 2", "'green_share' must be <= 1")]),
    Case("kw-zero", cell("hardware", 0, "kw_per_unit", 0),
         expect=[("hardware.csv", "line 2", "'kw_per_unit' must be >= 0.001")]),
    Case("lifetime-too-short", cell("hardware", 0, "lifetime_years", 0.1),
         expect=[("hardware.csv", "line 2", "lifetime_years")]),
    Case("pue-below-one", cell("site_options", 1, "pue", 0.9),
         expect=[("site_options.csv", "line 3", "site=lb-air", "'pue' must be >= 1")]),
    Case("peak-factor-below-one", cell("workloads", 0, "peak_factor", 0.5),
         expect=[("workloads.csv", "line 2", "peak_factor")]),
    Case("renewables-cf-above-one", files=both(
        text("renewables.csv", "region,tech,slice,cf\na,solar,all,1.2\n"),
        text("ppa.csv", "region,tech,cost_per_mw_year\na,solar,10\n")),
        expect=[("renewables.csv", "line 2", "'cf' must be <= 1")]),
    # --- choices, booleans, ids ---
    Case("zone-not-an-id", cell("regions", 0, "zone", "north pole"),
         expect=[("regions.csv", "line 2", "'zone' is 'north pole'", "an id")]),
    Case("zone-case", cell("regions", 1, "zone", "West"),
         expect=[("regions.csv", "line 3", "'zone' is 'West'")]),
    Case("tech-unknown", files=text("ppa.csv", "region,tech,cost_per_mw_year\na,geo,10\n"),
         expect=[("ppa.csv", "line 2", "'tech' is 'geo'")]),
    Case("bool-bad", cell("workloads", 0, "shiftable", "maybe"),
         expect=[("workloads.csv", "line 2", "'shiftable' is 'maybe'", "true or false")]),
    Case("id-space-inside", cell("regions", 0, "region", "a b"),
         expect=[("regions.csv", "line 2", "'region' is 'a b'", "'a-b'")]),
    Case("id-uppercase", both(cell("locations", 0, "location", "LA"),
                              cell("site_options", 0, "location", "LA")),
         expect=[("locations.csv", "line 2", "'location' is 'LA'", "lowercase")]),
    Case("id-slash", cell("cooling", 0, "cooling", "air/water"),
         expect=[("cooling.csv", "line 2", "'cooling' is 'air/water'")]),
    Case("id-unicode", cell("hardware", 0, "hardware", "gpü"),
         expect=[("hardware.csv", "line 2", "'hardware' is 'gpü'")]),
    # --- references across files ---
    Case("unknown-region-ref", cell("locations", 0, "region", "aa"),
         expect=[("locations.csv", "line 2", "region 'aa' is not in regions.csv",
                  "did you mean 'a'")], run=True),
    Case("unknown-cooling-ref", cell("site_options", 0, "cooling", "liquid"),
         expect=[("site_options.csv", "line 2", "cooling 'liquid' is not in cooling.csv")]),
    Case("unknown-hardware-ref", cell("throughput", 0, "hardware", "gpx"),
         expect=[("throughput.csv", "line 2", "hardware 'gpx'", "did you mean 'gpu'")]),
    Case("unknown-workload-ref", cell("demand", 1, "workload", "chatt"),
         expect=[("demand.csv", "line 3", "workload 'chatt' is not in workloads.csv")]),
    Case("network-unknown-location", files=text(
        "network.csv", "region,location,latency_ms\na,lx,3\n"),
        expect=[("network.csv", "line 2", "location 'lx' is not in locations.csv")]),
    Case("profile-unknown-slice", files=text(
        "demand_profile.csv", "workload,slice,factor\nchat,night,1\n"),
        expect=[("demand_profile.csv", "line 2", "slice 'night' is not in slices.csv")]),
    Case("profile-unknown-workload", files=text(
        "demand_profile.csv", "workload,slice,factor\nbatch,all,1\n"),
        expect=[("demand_profile.csv", "line 2", "workload 'batch'")]),
    Case("profile-partial", both(rows("slices", SLICES_2DAYS)), files=text(
        "demand_profile.csv", "workload,slice,factor\nchat,d1,1\n"),
        expect=[("demand_profile.csv", "workload=chat", "1 of 2 slices", "missing d2")]),
    Case("profile-all-zero", files=text(
        "demand_profile.csv", "workload,slice,factor\nchat,all,0\n"),
        expect=[("demand_profile.csv", "workload=chat", "day 'd'", "zero")]),
    Case("ppa-without-renewables", files=text(
        "ppa.csv", "region,tech,cost_per_mw_year\na,solar,10\n"),
        expect=[("ppa.csv", "line 2", "region=a", "renewables.csv is missing")]),
    Case("ppa-tech-without-cf", files=both(
        text("renewables.csv", "region,tech,slice,cf\na,wind,all,0.3\n"),
        text("ppa.csv", "region,tech,cost_per_mw_year\na,wind,10\na,solar,10\n")),
        expect=[("ppa.csv", "line 3", "tech solar", "no rows for it")]),
    Case("existing-above-max", cell("site_options", 0, "existing_mw", 500.0),
         expect=[("site_options.csv", "line 2", "site=la-air", "existing_mw 500 exceeds")]),
    Case("existing-on-two-options", both(
        lambda t: t["site_options"].append({"site": "la-air2", "location": "la",
                                            "cooling": "air", "pue": 1.1, "existing_mw": 1.0}),
        cell("site_options", 0, "existing_mw", 1.0)),
        expect=[("site_options.csv", "lines 2, 4", "location=la", "at most one option")]),
    Case("min-above-max", cell("locations", 1, "min_mw", 200.0),
         expect=[("locations.csv", "line 3", "location=lb", "min_mw 200 exceeds max_mw 100")]),
    Case("duplicate-id", cell("regions", 1, "region", "a"),
         expect=[("regions.csv", "line 3", "duplicated region=a", "first at line 2")]),
    Case("duplicate-composite-key", cell("demand", 1, "region", "a"),
         expect=[("demand.csv", "line 3", "duplicated region=a, workload=chat")]),
    # --- file structure ---
    Case("not-utf8", files=text("regions.csv", b"region,name\n" + "é".encode("latin-1")),
         expect=[("regions.csv", "line 2", "not UTF-8", "0xe9")], run=True),
    Case("nul-byte", files=text("cooling.csv", b"cooling,name\nair,A\x00ir\n"),
         expect=[("cooling.csv", "line 2", "NUL")]),
    Case("empty-file", files=text("hardware.csv", b""),
         expect=[("hardware.csv", "file is empty", "kw_per_unit")]),
    Case("whitespace-file", files=text("hardware.csv", "  \n\n  \n"),
         expect=[("hardware.csv", "file is empty")]),
    Case("header-only", files=text("demand.csv", "region,workload,tokens_per_day\n"),
         expect=[("demand.csv", "header only")], run=True),
    Case("missing-file", files=remove("workloads.csv"),
         expect=[("workloads.csv", "required file is missing")]),
    Case("missing-column", files=text("demand.csv", "region,workload\na,chat\n"),
         expect=[("demand.csv", "line 1", "missing required column 'tokens_per_day'")]),
    Case("misspelt-required-column", files=replace("demand.csv", "tokens_per_day", "tokens"),
         expect=[("demand.csv", "line 1", "unknown column 'tokens'",
                  "did you mean 'tokens_per_day' (a required column, missing)")]),
    Case("unknown-column-typo", files=replace("locations.csv", "max_mw", "max_mwh"),
         expect=[("locations.csv", "line 1", "unknown column 'max_mwh'",
                  "did you mean 'max_mw'")]),
    Case("duplicate-column", files=text("cooling.csv", "cooling,name,name\nair,A,B\n"),
         expect=[("cooling.csv", "line 1", "column 'name' appears twice")]),
    Case("empty-column-name", files=text("cooling.csv", "cooling,name,\nair,A,\n"),
         expect=[("cooling.csv", "line 1", "column 3 of the header has no name")]),
    Case("too-many-cells", files=replace("regions.csv", "\na,A,", "\na,A,x,"),
         expect=[("regions.csv", "line 2", "has 9 cells; expected 8")]),
    Case("too-few-cells", files=text("cooling.csv", "cooling,name,facility_cost_per_mw_year\n"
                                                    "air,Air\n"),
         expect=[("cooling.csv", "line 2", "has 2 cells; expected 3")]),
    Case("unclosed-quote", files=text("cooling.csv", 'cooling,name\nair,"Air\n'),
         expect=[("cooling.csv", "line 2", "not a readable CSV row", "quotes")]),
    Case("comment-line", files=text("cooling.csv", "cooling,name\n# cheap option\nair,Air\n"),
         expect=[("cooling.csv", "line 2", "comment lines (#) are not allowed")]),
    Case("blank-line-keeps-line-numbers", files=text(
        "cooling.csv", "cooling,name,wue_l_per_kwh\n\nair,Air,-1\n"),
        expect=[("cooling.csv", "line 3", "cooling=air", "wue_l_per_kwh")]),
    Case("multiline-cell-keeps-line-numbers", files=text(
        "cooling.csv", 'cooling,name,wue_l_per_kwh\nair,"Air\ncooled",1\nliq,Liquid,x\n'),
        expect=[("cooling.csv", "line 4", "cooling=liq", "'wue_l_per_kwh' is 'x'")]),
    Case("crlf-with-error", files=text(
        "cooling.csv", "cooling,name,wue_l_per_kwh\r\nair,Air,bad\r\n"),
        expect=[("cooling.csv", "line 2", "'wue_l_per_kwh' is 'bad'")]),
    Case("many-problems-at-once", both(
        cell("regions", 0, "lat", "x"), cell("demand", 0, "tokens_per_day", -5),
        cell("slices", 0, "weight_h", 100.0)),
        files=remove("cooling.csv"),
        expect=[("regions.csv", "line 2", "'lat'"), ("demand.csv", "line 2", "tokens_per_day"),
                ("slices.csv", "sum to 100 h"), ("cooling.csv", "required file is missing")],
        run=True),
    Case("every-row-its-own-line", both(cell("regions", 0, "lat", "?"),
                                        cell("regions", 1, "lat", "?")),
         expect=[("regions.csv", "line 2", "region=a"), ("regions.csv", "line 3", "region=b")]),
    # --- scenario YAML ---
    Case("yaml-syntax", yaml=BASE_YAML + "policy: [1, 2\n",
         expect=[("s.yaml", "line", "invalid YAML")], run=True),
    Case("yaml-tab", yaml=BASE_YAML + "policy:\n\tmin_green_share: 0.5\n",
         expect=[("s.yaml", "line 6", "invalid YAML", "\\t")]),
    Case("yaml-python-tag", yaml="name: !!python/object/apply:os.system ['echo pwned']\n"
                                 "dataset: data\n",
         expect=[("s.yaml", "line 1", "invalid YAML", "no !! tags")], run=True),
    Case("yaml-top-list", yaml="- name\n- dataset\n",
         expect=[("s.yaml", "line 1", "expected a mapping")]),
    Case("yaml-empty", yaml="",
         expect=[("s.yaml", "empty scenario file")]),
    Case("yaml-duplicate-key", yaml=BASE_YAML + "currency: USD\n",
         expect=[("s.yaml", "line 5", "key 'currency' given twice", "first at line 3")]),
    Case("yaml-nested-duplicate", yaml=BASE_YAML + "policy:\n  min_green_share: 0.1\n"
                                                   "  min_green_share: 0.2\n",
         expect=[("s.yaml", "line 7", "policy.min_green_share' given twice")]),
    Case("unknown-top-key", yaml=setkey("polcy", {"min_green_share": 0.5}),
         expect=[("s.yaml", "line", "unknown key 'polcy'", "did you mean 'policy'")], run=True),
    Case("unknown-nested-key", yaml=setkey("policy.min_gren_share", 0.5),
         expect=[("s.yaml", "line", "unknown key 'policy.min_gren_share'",
                  "did you mean 'min_green_share'")]),
    Case("unknown-key-no-match", yaml=setkey("solver.zzzzzz", 1),
         expect=[("s.yaml", "unknown key 'solver.zzzzzz'", "expected one of")]),
    Case("source-key-internal", yaml=setkey("source", "x.yaml"),
         expect=[("s.yaml", "unknown key 'source'")]),
    Case("missing-name", yaml=delkey("name"),
         expect=[("s.yaml", "missing required key 'name'")]),
    Case("missing-dataset", yaml=delkey("dataset"),
         expect=[("s.yaml", "missing required key 'dataset'")]),
    Case("dataset-number", yaml=setkey("dataset", 5),
         expect=[("s.yaml", "line", "key 'dataset'", "expected a folder path as text")],
         run=True),
    Case("dataset-missing-folder", yaml=setkey("dataset", "nope"),
         expect=[("s.yaml", "key 'dataset'", "nope not found")], run=True),
    Case("dataset-is-a-file", yaml=setkey("dataset", "data/regions.csv"),
         expect=[("s.yaml", "key 'dataset'", "is a file")]),
    Case("name-number", yaml=setkey("name", 42),
         expect=[("s.yaml", "key 'name'", "expected text")]),
    Case("share-above-one-yaml", yaml=setkey("policy.min_green_share", 1.5),
         expect=[("s.yaml", "line", "key 'policy.min_green_share'", "less than or equal to 1",
                  "got 1.5")]),
    Case("share-text", yaml=setkey("policy.min_green_share", "high"),
         expect=[("s.yaml", "key 'policy.min_green_share'", "'high'")]),
    Case("share-bool", yaml=BASE_YAML + "policy:\n  min_green_share: yes\n",
         expect=[("s.yaml", "line 6", "policy.min_green_share", "boolean")]),
    Case("cap-inf", yaml=BASE_YAML + "policy:\n  carbon_cap_t: .inf\n",
         expect=[("s.yaml", "line 6", "policy.carbon_cap_t", "finite")]),
    Case("scale-nan", yaml=BASE_YAML + "demand:\n  scale: .nan\n",
         expect=[("s.yaml", "line 6", "demand.scale", "finite")]),
    Case("scale-negative-entry", yaml=setkey("demand.workload_scale", {"chat": -1}),
         expect=[("s.yaml", "demand.workload_scale.chat", "greater than or equal to 0")]),
    Case("floor-above-ceiling", yaml=setkey("policy", {"utilisation_min": 0.9,
                                                      "utilisation_max": 0.8}),
         expect=[("s.yaml", "utilisation_min (0.9) must not exceed")]),
    Case("pue-cap-below-one", yaml=setkey("policy.pue_cap", {"east": 0.9}),
         expect=[("s.yaml", "policy.pue_cap.east", "greater than or equal to 1")]),
    Case("objective-unknown", yaml=setkey("objective", "profit"),
         expect=[("s.yaml", "key 'objective'", "'emissions' or 'margin'", "'profit'")]),
    Case("threads-zero", yaml=setkey("solver.threads", 0),
         expect=[("s.yaml", "solver.threads", "greater than or equal to 1")]),
    Case("hours-per-slice-fraction", yaml=setkey("time.hours_per_slice", 1.5),
         expect=[("s.yaml", "time.hours_per_slice", "integer")]),
    Case("list-item-type", yaml=setkey("policy.exclude_zones", [3]),
         expect=[("s.yaml", "policy.exclude_zones[0]", "expected text")]),
    Case("section-as-scalar", yaml=setkey("policy", 5),
         expect=[("s.yaml", "key 'policy'", "got 5")]),
    Case("not-utf8-yaml", yaml=None, files=lambda folder: (folder.parent / "s.yaml").write_bytes(
        b"name: caf\xe9\ndataset: data\n"),
        expect=[("s.yaml", "line 1", "not UTF-8")]),
    Case("inherits-missing", yaml=setkey("inherits", "base.yaml"),
         expect=[("s.yaml", "line", "key 'inherits'", "'base.yaml' not found")], run=True),
    Case("inherits-self", yaml=setkey("inherits", "s.yaml"),
         expect=[("s.yaml", "key 'inherits'", "cycle s.yaml -> s.yaml")]),
    Case("inherits-cycle", yaml=setkey("inherits", "p.yaml"),
         files=lambda folder: (folder.parent / "p.yaml").write_text("inherits: s.yaml\n"),
         expect=[("p.yaml", "line 1", "cycle s.yaml -> p.yaml -> s.yaml")]),
    Case("inherits-number", yaml=setkey("inherits", 3),
         expect=[("s.yaml", "key 'inherits'", "expected the file name")]),
    Case("inherited-error-names-parent", yaml="inherits: p.yaml\nname: child\n",
         files=lambda folder: (folder.parent / "p.yaml").write_text(
             BASE_YAML + "policy:\n  min_green_share: 2\n"),
         expect=[("p.yaml", "line 6", "policy.min_green_share", "less than or equal to 1")]),
    Case("scenario-unknown-location-id", yaml=setkey("policy.exclude_locations", ["lc"]),
         expect=[("s.yaml", "line 8", "policy.exclude_locations", "unknown id 'lc'")],
         run=True),
    Case("scenario-unknown-zone-id", yaml=setkey("policy.pue_cap", {"middle": 1.3}),
         expect=[("s.yaml", "policy.pue_cap", "unknown id 'middle'")]),
    Case("scenario-unknown-workload-id", yaml=setkey("demand.workload_scale", {"chta": 2}),
         expect=[("s.yaml", "demand.workload_scale", "unknown id 'chta'",
                  "did you mean 'chat'")]),
    Case("scenario-and-dataset-together", cell("regions", 0, "lat", "x"),
         yaml=setkey("policy.min_gren_share", 0.5),
         expect=[("s.yaml", "unknown key 'policy.min_gren_share'"),
                 ("regions.csv", "line 2", "'lat' is 'x'")], run=True),
    Case("scenario-ids-and-dataset-together", cell("regions", 0, "lat", "x"),
         yaml=setkey("policy.exclude_locations", ["lq"]),
         expect=[("s.yaml", "unknown id 'lq'"), ("regions.csv", "line 2", "'lat' is 'x'")]),
    # --- computing-electricity synergy: accounting modes, storage, curtailment ---
    Case("accounting-unknown", yaml=setkey("policy.green_accounting", "daily"),
         expect=[("s.yaml", "policy.green_accounting", "'annual', 'hourly' or 'certificates'")]),
    Case("hourly-without-share", yaml=setkey("policy.green_accounting", "hourly"),
         expect=[("s.yaml", "key 'policy'", "needs hourly_clean_share > 0")], run=True),
    Case("hourly-share-without-mode", yaml=setkey("policy.hourly_clean_share", 0.9),
         expect=[("s.yaml", "hourly_clean_share applies only with green_accounting 'hourly'")]),
    Case("hourly-with-certificates", yaml=setkey("policy", {
        "green_accounting": "hourly", "hourly_clean_share": 0.9,
        "certificates": {"price_per_mwh": 10}}),
        expect=[("s.yaml", "certificates count only with green_accounting 'certificates'")]),
    Case("certificates-mode-without-block", yaml=setkey("policy.green_accounting",
                                                        "certificates"),
         expect=[("s.yaml", "needs policy.certificates")]),
    Case("storage-without-file", yaml=setkey("synergy.storage", True),
         expect=[("s.yaml", "line", "key 'synergy.storage' is true", "storage.csv")],
         run=True),
    Case("curtailment-without-file", yaml=setkey("synergy.absorb_curtailment", True),
         expect=[("s.yaml", "key 'synergy.absorb_curtailment'", "curtailment.csv")]),
    Case("synergy-unknown-key", yaml=setkey("synergy.storge", True),
         expect=[("s.yaml", "unknown key 'synergy.storge'", "did you mean 'storage'")]),
    Case("storage-efficiency-above-one", rows("storage", [
        {"storage": "lfp", "name": "LFP", "energy_capex_per_mwh": 1.0,
         "round_trip_efficiency": 1.2}]),
        expect=[("storage.csv", "line 2", "storage=lfp", "'round_trip_efficiency' must be <= 1",
                 "got 1.2")], run=True),
    Case("storage-missing-column", rows("storage", [
        {"storage": "lfp", "name": "LFP", "round_trip_efficiency": 0.9}]),
        expect=[("storage.csv", "line 1", "missing required column 'energy_capex_per_mwh'")]),
    Case("curtailment-unknown-slice", rows("curtailment", [
        {"region": "b", "slice": "noon", "surplus_mw": 1.0, "price_per_mwh": 5.0}]),
        expect=[("curtailment.csv", "line 2", "region=b", "slice 'noon' is not in slices.csv")]),
    Case("curtailment-negative", rows("curtailment", [
        {"region": "b", "slice": "all", "surplus_mw": -1.0, "price_per_mwh": 5.0}]),
        expect=[("curtailment.csv", "line 2", "'surplus_mw' must be >= 0 MW", "got -1.0")]),
    # --- representative days ---
    Case("representative-days-zero", yaml=setkey("time.representative_days", 0),
         expect=[("s.yaml", "time.representative_days", "greater than or equal to 1")]),
    Case("representative-days-more-than-days", yaml=setkey("time.representative_days", 3),
         expect=[("s.yaml", "line", "key 'time.representative_days'",
                  "3 is more than the 1 days", "expected at most 1")], run=True),
    Case("representative-days-uneven-hours", rows("slices", [
        {"slice": "d1", "day": "one", "hour": 0, "weight_h": 4380.0},
        {"slice": "d2", "day": "two", "hour": 5, "weight_h": 4380.0}]),
        yaml=setkey("time.representative_days", 1),
        expect=[("s.yaml", "key 'time.representative_days'", "day 'two'", "same hours")]),
    Case("clustering-unknown", yaml=setkey("time.clustering", "ward"),
         expect=[("s.yaml", "time.clustering", "'hierarchical' or 'kmeans'")]),
    Case("price-profile-unknown-region",
         files=text("price_profile.csv", "region,slice,factor\nzz,all,1.0\n"),
         expect=[("price_profile.csv", "line 2", "region 'zz' is not in regions.csv")]),
    # --- --set overrides ---
    Case("set-no-equals", args=("--set", "policy.min_green_share"),
         expect=[("--set policy.min_green_share", "expected KEY=VALUE")], run=True),
    Case("set-bad-type", args=("--set", "policy.min_green_share=abc"),
         expect=[("--set policy.min_green_share=abc", "valid number", "'abc'")]),
    Case("set-unknown-key", args=("--set", "policy.min_gren_share=0.5"),
         expect=[("--set policy.min_gren_share=0.5", "unknown key", "did you mean")]),
    Case("set-into-scalar", args=("--set", "name.x=1"),
         expect=[("--set name.x=1", "'name' is a value, not a section")]),
    Case("set-bad-yaml", args=("--set", "policy.exclude_zones=[east"),
         expect=[("--set policy.exclude_zones=[east", "not valid YAML")]),
    Case("set-empty-part", args=("--set", "policy..x=1"),
         expect=[("--set policy..x=1", "empty part")]),
    Case("set-out-of-range", args=("--set", "policy.utilisation_max=0"),
         expect=[("--set policy.utilisation_max=0", "greater than 0")]),
    Case("set-two-problems", args=("--set", "solver.threads=0", "--set", "time.bogus=1"),
         expect=[("--set solver.threads=0",), ("--set time.bogus=1", "unknown key")]),
]


def test_corpus_is_large_enough():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_reports_problem(tmp_path, case):
    path = _build(tmp_path, case)
    result = _invoke(["validate", str(path), *case.args])
    check_report(result, case.expect)


RUN_CASES = [c for c in CASES if c.run]


@pytest.mark.parametrize("case", RUN_CASES, ids=[c.id for c in RUN_CASES])
def test_run_reports_problem_and_writes_nothing(tmp_path, case):
    path = _build(tmp_path, case)
    out = tmp_path / "out"
    result = _invoke(["run", str(path), "-o", str(out), *case.args])
    check_report(result, case.expect)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def test_valid_tiny_dataset_passes(tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    result = _invoke(["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: tiny")


def test_bom_crlf_blank_lines_and_spaces_are_accepted(tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    for f in (tmp_path / "data").glob("*.csv"):
        lines = f.read_text(encoding="utf-8").splitlines()
        body = "\r\n".join(", ".join(c for c in ln.split(",")) for ln in lines) + "\r\n\r\n"
        f.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    result = _invoke(["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_debug_shows_the_exception(tmp_path):
    path = _build(tmp_path, Case("x", cell("regions", 0, "lat", "x")))
    result = CliRunner().invoke(main, ["validate", str(path), "--debug"])
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "InputDataError"


def test_yaml_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = _build(tmp_path, Case("x", yaml=f"name: !!python/object/apply:os.system "
                                           f"['touch {marker}']\ndataset: data\n"))
    result = _invoke(["validate", str(path)])
    assert result.exit_code == 2
    assert not marker.exists()


# --- generated corruptions -------------------------------------------------------------------
def _bad_values(col) -> list[str]:
    """Cell values that are certainly invalid for ``col``."""
    if col.kind in ("float", "int"):
        vals = ["abc", "nan", "inf", "-inf", "1e999", "5%", "1.2.3", "--1", "0x10", "½"]
        if col.min is not None:
            vals.append(repr(col.min - 1.0))
        if col.max is not None:
            vals.append(repr(col.max * 1.5 + 1.0))  # + 1 alone is lost at 1e18
        if col.kind == "int":
            vals.append("2.5")
        if col.required:
            vals.append("")
        return vals
    if col.kind == "bool":
        return ["maybe", "2", "ja", "truee"]
    if col.choices:
        return ["other", col.choices[0].upper(), col.choices[0] + "x"]
    if col.kind == "id":  # blank is valid in an optional id column (e.g. locations.zone)
        return ["Has Space", "UPPER", "a/b", "ü", "a.b", *([""] if col.required else [])]
    return [""] if col.required else []


_CELL_TARGETS = [
    (name, i, col)
    for name, rows_ in tiny_tables().items()
    for i in range(len(rows_))
    for col in TABLES[name].columns
    if _bad_values(col)
]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_cell_corruption_is_reported_at_its_line(tmp_path_factory, data):
    name, i, col = data.draw(st.sampled_from(_CELL_TARGETS), label="cell")
    value = data.draw(st.sampled_from(_bad_values(col)), label="value")
    tmp = tmp_path_factory.mktemp("cell")
    t = tiny_tables()
    t[name][i][col.name] = value
    path = write_scenario(tmp, t)
    result = _invoke(["validate", str(path)])
    lines = check_report(result, [])
    where = f"{name}.csv, line {i + 2}"
    assert any(where in ln for ln in lines), (where, value, lines)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_bytes_never_crash(tmp_path_factory, data):
    """Arbitrary damage to a file: exit 0 or 2, never a traceback; non-UTF-8 names its line."""
    name = data.draw(st.sampled_from(sorted(tiny_tables())), label="file")
    tmp = tmp_path_factory.mktemp("bytes")
    path = write_scenario(tmp, tiny_tables())
    f = tmp / "data" / f"{name}.csv"
    raw = bytearray(f.read_bytes())
    pos = data.draw(st.integers(0, len(raw)), label="pos")
    junk = data.draw(st.binary(min_size=1, max_size=8), label="junk")
    cut = data.draw(st.booleans(), label="truncate")
    raw = raw[:pos] + junk if cut else raw[:pos] + junk + raw[pos:]
    f.write_bytes(bytes(raw))
    result = _invoke(["validate", str(path)])
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        check_report(result, [])
    try:
        bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError:
        assert f"{name}.csv, line" in result.output and "not UTF-8" in result.output


def _key_paths(model=Scenario, prefix="") -> list[str]:
    out = []
    for key, fld in model.model_fields.items():
        if key == "source":
            continue
        out.append(prefix + key)
        sub = getattr(fld.annotation, "model_fields", None)
        if sub is not None:
            out += _key_paths(fld.annotation, prefix + key + ".")
    return out


_KEYS = _key_paths()


def _typo(draw, key: str) -> str:
    letters = string.ascii_lowercase + "_"
    kind = draw(st.sampled_from(["insert", "delete", "swap", "replace", "case"]))
    pos = draw(st.integers(0, max(len(key) - 1, 0)))
    if kind == "insert":
        return key[:pos] + draw(st.sampled_from(letters)) + key[pos:]
    if kind == "delete" and len(key) > 1:
        return key[:pos] + key[pos + 1:]
    if kind == "swap" and pos + 1 < len(key) and key[pos] != key[pos + 1]:
        return key[:pos] + key[pos + 1] + key[pos] + key[pos + 2:]
    if kind == "case":
        return key.upper()
    return key[:pos] + draw(st.sampled_from(letters.replace(key[pos], ""))) + key[pos + 1:]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_key_typo_is_reported_with_its_line(tmp_path_factory, data):
    dotted = data.draw(st.sampled_from(_KEYS), label="key")
    parts = dotted.split(".")
    bad = _typo(data.draw, parts[-1])
    siblings = _KEYS_AT.get(".".join(parts[:-1]), set())
    if bad in siblings or bad == parts[-1]:
        return  # the typo is another valid key
    tmp = tmp_path_factory.mktemp("typo")
    write_dataset(tmp / "data", tiny_tables())
    doc = yaml.safe_load(BASE_YAML)
    node = doc
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[bad] = 1
    path = tmp / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = _invoke(["validate", str(path)])
    full = ".".join([*parts[:-1], bad])
    check_report(result, [("s.yaml", "line", f"unknown key '{full}'")])


_KEYS_AT: dict[str, set[str]] = {}
for _k in _KEYS:
    _parent, _, _leaf = _k.rpartition(".")
    _KEYS_AT.setdefault(_parent, set()).add(_leaf)
