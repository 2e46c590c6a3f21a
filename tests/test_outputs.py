"""The outputs registry: every result column and summary figure is declared, with its unit,
decimals and label; the CSV writer rounds by it (MWh columns to 3 decimals)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from builders import solve_tiny, sweep_tables
from siteplan import outputs


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("outputs")
    res = solve_tiny(root / "sc", sweep_tables(), name="rich")
    return res, res.write(root / "out")


def test_every_column_and_figure_is_declared(written):
    res, out = written
    for name in ("allocation", "sites", "regions", "site_hours", "excluded"):
        df = pd.read_csv(out / f"{name}.csv")
        unknown = [c for c in df.columns if outputs.lookup(c) is None]
        assert unknown == [], f"{name}.csv columns not in siteplan/outputs.py: {unknown}"
        for c in df.columns:
            assert name in outputs.get(c).files, f"{c} not declared in {name}"
    summary = json.loads((out / "summary.json").read_text())
    for key, value in summary.items():
        if isinstance(value, float) and key not in ("objective_bound", "highs_objective"):
            assert outputs.lookup(key) is not None, key
    for term in summary["cost_breakdown"]:
        assert outputs.lookup(f"cost_breakdown.{term}") is not None
        assert outputs.lookup(f"cost_{term}") is not None


def test_csv_decimals_follow_the_registry(written):
    _, out = written
    sites = pd.read_csv(out / "sites.csv", dtype=str)
    hours = pd.read_csv(out / "site_hours.csv", dtype=str)

    def most_decimals(col):
        return max(len(v.split(".")[1]) if "." in v else 0 for v in col)

    for col in ("it_mwh", "energy_mwh", "grid_mwh"):  # the MWh rule now fires
        assert outputs.decimals(col) == 3
        assert most_decimals(sites[col]) <= 3
    assert most_decimals(hours["storage_soc_mwh"]) <= 3
    assert outputs.decimals("mw_it_total") == outputs.decimals("mw_it_gpu") == 4
    assert outputs.decimals("tokens_per_day") == 0 and "." not in "".join(sites["tokens_per_day"])
    assert outputs.decimals("cost_electricity") == outputs.decimals("cost_total") == 2
    assert outputs.decimals("cost_per_mtok") == outputs.decimals("network_cost_per_mtok") == 6


def test_units_labels_and_display():
    assert outputs.get("cost_fixed").unit_for("CNY") == "CNY/yr"
    assert outputs.get("cost_breakdown.electricity").label == "grid electricity"
    assert outputs.get("west_share").label == "served from west"
    assert outputs.get("mw_it_npu").label == "IT capacity, npu"
    assert outputs.fmt("objective", 58.5934e9, "CNY") == "58.593 billion CNY/yr"
    assert outputs.fmt("green_share", 0.9) == "90.0%"
    assert outputs.fmt("avg_cost_per_mtok", None, "CNY") == "-"
    assert outputs.lookup("cost_nonsense") is None and outputs.lookup("nope") is None
    with pytest.raises(KeyError, match="outputs registry"):
        outputs.get("nope")
