"""One-at-a-time sensitivity (siteplan.study.sensitivity) on the tiny two-region instance.

tiny_tables: demand 1 Mtok/h in a and in b, 1 MW-IT per Mtok/h, PUE 1, no network cost,
free hardware; grid a 100 CNY/MWh (east), b 50 (west). Base: both MW at b,
2 x 8760 x 50 = 876,000 CNY/yr, west share 1.

- prices.zone_scale.west 0.5 : 3 -> low b at 25: 2 x 8760 x 25 = 438,000 (west share 1);
  high b at 150 > 100: both at a, 2 x 8760 x 100 = 1,752,000 (west share 0). Swing 1,314,000.
- data:regions.price_per_mwh[region=a] x 0.4 : 1 -> low a at 40 < 50: both at a,
  2 x 8760 x 40 = 700,800 (west share 0); high unchanged 876,000. Swing 175,200.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from click.testing import CliRunner

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.study.runs import StudyError
from siteplan.study.sensitivity import _FILTER, parse_vary, read_estimates, sensitivity

VARY = ["prices.zone_scale.west=0.5:3", "data:regions.price_per_mwh[region=a]=0.4:1"]


def test_tornado_values_by_hand(tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    t = sensitivity(path, vary=VARY, outdir=tmp_path / "s", progress=False)
    assert list(t["key"]) == [VARY[0].split("=")[0], VARY[1].rsplit("=", 1)[0]]  # ranked
    assert list(t["rank"]) == [1, 2]
    west, a = t.iloc[0], t.iloc[1]
    assert west["objective_base"] == pytest.approx(876_000, rel=1e-6)
    assert west["objective_low"] == pytest.approx(438_000, rel=1e-6)
    assert west["objective_high"] == pytest.approx(1_752_000, rel=1e-6)
    assert west["swing"] == pytest.approx(1_314_000, rel=1e-6)
    assert (west["share_low"], west["share_high"]) == pytest.approx((1.0, 0.0), abs=1e-6)
    assert a["objective_low"] == pytest.approx(700_800, rel=1e-6)
    assert a["objective_high"] == pytest.approx(876_000, rel=1e-6)
    assert a["share_low"] == pytest.approx(0.0, abs=1e-6)
    assert a["change_low"] == pytest.approx(-175_200, rel=1e-6)
    assert (tmp_path / "s" / "sensitivity.html").is_file()
    # the dataset copy changed only region a's price
    with open(next((tmp_path / "s" / "data").glob("*-low")) / "regions.csv") as fh:
        prices = {r["region"]: float(r["price_per_mwh"]) for r in csv.DictReader(fh)}
    assert prices == pytest.approx({"a": 40.0, "b": 50.0})
    # resumed: the same command solves nothing again
    again = sensitivity(path, vary=VARY, outdir=tmp_path / "s", progress=False)
    pd.testing.assert_frame_equal(t, again)


@pytest.mark.parametrize("item, words", [
    ("prices.scale=1", "KEY=LOW:HIGH"),
    ("prices.scale=a:2", "not a number"),
    ("data:nope=1:2", "data:FILE.COLUMN"),
])
def test_bad_vary(item, words):
    with pytest.raises(StudyError, match=words):
        parse_vary([item])


def test_bad_data_column_and_cli(tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    r = CliRunner().invoke(main, ["sensitivity", str(path), "--vary",
                                  "data:regions.nope=0.5:1", "-o", str(tmp_path / "s")])
    assert r.exit_code == 2 and "no column 'nope'" in r.output
    # without --vary: the rows of the dataset's estimates.csv
    (tmp_path / "data" / "estimates.csv").write_text(
        "name,key,low,high,source\nwest grid price,prices.zone_scale.west,0.5,3,test\n")
    r = CliRunner().invoke(main, ["sensitivity", str(path), "-o", str(tmp_path / "ok"),
                                  "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "west grid price" in r.output
    t = pd.read_csv(tmp_path / "ok" / "sensitivity.csv")
    assert list(t["input"]) == ["west grid price"] and t.iloc[0]["source"] == "test"
    assert t.iloc[0]["objective_high"] == pytest.approx(1_752_000, rel=1e-6)
    assert "Example" in CliRunner().invoke(main, ["sensitivity", "--help"]).output


def test_china_estimates_name_real_columns():
    """Every row of data/china/estimates.csv names a table, column and filter that exist."""
    from pathlib import Path

    from siteplan.study.sensitivity import _DATA_KEY

    root = Path(__file__).resolve().parents[1] / "data" / "china"
    inputs = read_estimates(root)
    assert len(inputs) >= 10
    for inp in inputs:
        assert inp.low < inp.high and inp.source, inp.name
        if not inp.is_data:  # a scenario key: the values at each end must load
            for v in (inp.low, inp.high):
                siteplan.load_scenario(root.parents[1] / "scenarios" / "china-2026.yaml",
                                       [f"{inp.key}={v}"])
            continue
        mt = _DATA_KEY.match(inp.key)
        assert mt, inp.key
        with open(root / f"{mt['file']}.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert mt["col"] in rows[0], inp.key
        for f in re.finditer(_FILTER, mt["filters"]):
            vals = set(f["vals"].split("|"))
            assert vals <= {r[f["fcol"]] for r in rows}, inp.key


# estimates labelled in data/china/SOURCES.md with a range that estimates.csv leaves out, on
# purpose (the SOURCES.md estimates.csv section names each and says why)
EXCLUDED = {"token_value.csv share", "dedicated_supply.csv cost_per_mw_year",
            "policy.utilisation_max"}


def _labelled_estimates(text: str) -> set[str]:
    """'FILE COLUMN' (or a scenario key) of each SOURCES.md table row that says **estimate**
    and states a range."""
    out, section = set(), ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line.split()[1]
        cells = line.split("|")
        if not line.startswith("|") or len(cells) < 3:
            continue
        if not (re.search(r"\*\*estimate", line, re.I) and "range" in line):
            continue
        names = re.findall(r"`([^`]+)`", cells[1])
        if re.match(r"\s*\w+\.csv:", cells[1]):  # "cooling.csv: `seawater`"
            out.add(f"{cells[1].split(':')[0].strip()} {names[0]}")
        elif names[0].startswith("policy."):
            out.add(names[0])
        else:
            out.add(f"{section} {names[0]}")
    return out


def test_every_estimate_with_a_range_is_varied_or_excluded():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "data" / "china"
    text = (root / "SOURCES.md").read_text(encoding="utf-8")
    labelled = _labelled_estimates(text)
    assert {"hardware_supply.csv max_units", "hardware.csv rack_kw", "cooling.csv max_rack_kw",
            "token_value.csv share", "policy.peak_headroom"} <= labelled  # the parse works
    sources = [i.source for i in read_estimates(root)]
    missing = sorted(e for e in labelled - EXCLUDED if not any(e in s for s in sources))
    assert not missing, f"estimates with a range not in estimates.csv: {missing}"
    section = text[text.index("## estimates.csv"):]
    section = section[:section.index("\n## ")]
    for e in EXCLUDED:
        assert e in labelled and f"`{e}`" in section, e


def test_several_filters_and_unread_tables(tmp_path):
    """Two filters pick the rows that pass both; an input in a table the scenario does not
    read (token value under objective cost) is listed, not solved. tiny_tables: a at 100,
    b at 50 CNY/MWh; x0.4 on a's price where zone=east leaves both MW at a (40 < 50):
    2 x 8760 x 40 = 700,800."""
    t = tiny_tables()
    t["token_value"] = [{"workload": "chat", "tier": "all", "share": 1.0,
                         "price_per_mtok": 100.0}]
    path = write_scenario(tmp_path, t)
    vary = ["data:regions.price_per_mwh[region=a|b][zone=east]=0.4:1",
            "data:token_value.price_per_mtok=0.5:2"]
    out = sensitivity(path, vary=vary, outdir=tmp_path / "s", progress=False)
    first, unread = out.iloc[0], out.iloc[1]
    assert first["objective_low"] == pytest.approx(700_800, rel=1e-6)
    assert unread["status_low"] == "not read: token_value.csv is used with objective: margin"
    assert pd.isna(unread["swing"]) and unread["rank"] == 2
    assert len(list((tmp_path / "s" / "runs").iterdir())) == 3  # base and the price's ends
