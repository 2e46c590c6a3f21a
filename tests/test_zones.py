"""Zones are data: any number of zones from regions.csv, reported as <zone>_share."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import tiny_tables, write_scenario
from siteplan.cli import main


def _three_zones():
    """a (east, 100/MWh), b (west, 50), c (north, 40): 1 Mtok/h each, no latency limit."""
    t = tiny_tables()
    t["regions"].append({"region": "c", "name": "C", "lat": 0.0, "lon": 20.0, "zone": "north",
                         "price_per_mwh": 40.0, "green_share": 0.5, "ef_tco2_per_mwh": 0.4})
    t["locations"].append({"location": "lc", "name": "LC", "region": "c", "lat": 0.0,
                           "lon": 20.0, "max_mw": 100.0, "fixed_cost_per_year": 0.0})
    t["site_options"].append({"site": "lc-air", "location": "lc", "cooling": "air", "pue": 1.0})
    t["demand"].append({"region": "c", "workload": "chat", "tokens_per_day": 24e6})
    return t


def _run(path, out, *args):
    res = CliRunner().invoke(main, ["run", str(path), "-o", str(out), *args])
    assert res.exit_code == 0, res.output
    return json.loads((out / "summary.json").read_text()), pd.read_csv(out / "regions.csv"), res


def test_a_third_zone_is_reported_and_can_be_excluded(tmp_path):
    path = write_scenario(tmp_path, _three_zones(), policy__pue_cap={"north": 1.2})
    s, regions, res = _run(path, tmp_path / "o")
    assert s["zones"] == ["east", "north", "west"]
    assert s["objective"] == pytest.approx(3 * 8760 * 40.0)  # all served in the north
    # every zone but the first (east, implied) has a share: here all from the north
    assert list(regions.columns[-2:]) == ["north_share", "west_share"]
    assert (regions["north_share"] == 1.0).all() and (regions["west_share"] == 0.0).all()
    assert s["north_share"] == 1.0 and s["west_share"] == 0.0 and "east_share" not in s
    assert "100.0% from north, 0.0% from west" in res.output
    s, regions, _ = _run(path, tmp_path / "x", "--set", "policy.exclude_zones=[north]")
    assert s["objective"] == pytest.approx(3 * 8760 * 50.0)  # the west's site instead
    assert (regions["west_share"] == 1.0).all() and s["north_share"] == 0.0
    cmp = CliRunner().invoke(main, ["compare", str(tmp_path / "o"), str(tmp_path / "x")])
    assert cmp.exit_code == 0, cmp.output
    assert "By region: served from north (%)" in cmp.output
    assert "served from west" in cmp.output


def test_a_zone_the_dataset_does_not_have_is_one_line(tmp_path):
    path = write_scenario(tmp_path, _three_zones(), prices__zone_scale={"central": 1.2})
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "prices.zone_scale" in lines[0] and "'central'" in lines[0]
    assert "east, north, west" in lines[0]
