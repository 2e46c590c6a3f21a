"""siteplan compare: side-by-side outcomes, input diff, exact cost decomposition, long CSV."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.study import compare


def _tables():
    """East region a: dear but green; west region b: cheap, 50 % green (floor 0.5 binds there)."""
    t = tiny_tables()
    t["regions"][0].update(price_per_mwh=100.0, green_share=0.95, ef_tco2_per_mwh=0.05)
    t["regions"][1].update(price_per_mwh=50.0, green_share=0.5, ef_tco2_per_mwh=0.5)
    return t


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp")
    t = _tables()
    paths = [
        write_scenario(root / "base", t, name="base", policy__min_green_share=0.5),
        write_scenario(root / "east", t, name="east-only", policy__min_green_share=0.5,
                       policy__exclude_zones=["west"]),
        write_scenario(root / "g90", t, name="green-90", policy__min_green_share=0.9),
    ]
    return root, paths, compare(paths, cache=root / "cache")


def test_expected_signs(three):
    _, _, cmp = three
    avg = cmp.totals.loc["avg_cost_per_mtok"]
    assert cmp.labels == ["base", "east-only", "green-90"]
    assert avg["base"] == pytest.approx(50.0)
    assert avg["east-only"] > avg["base"]  # east-only costs more per Mtok
    assert avg["green-90"] >= avg["base"]  # a higher green floor never costs less
    assert cmp.totals.loc["cost", "green-90"] >= cmp.totals.loc["cost", "base"]
    assert cmp.totals.loc["west_share", "east-only"] == 0.0
    assert cmp.totals.loc["west_share", "base"] == pytest.approx(1.0)
    assert cmp.totals.loc["green_share", "green-90"] >= 0.9 - 1e-6
    region_avg = cmp.regions.xs("avg_cost_per_mtok", level="metric")
    assert (region_avg["east-only"] > region_avg["base"]).all()


def test_inputs_diff_names_the_changed_keys(three):
    _, _, cmp = three
    keys = set(cmp.inputs.index)
    assert {"policy.exclude_zones", "policy.min_green_share", "name"} <= keys
    assert "policy.utilisation_max" not in keys  # equal everywhere: not shown
    assert cmp.inputs.loc["policy.exclude_zones", "east-only"] == "[west]"
    assert cmp.inputs.loc["policy.min_green_share", "green-90"] == "0.9"


def test_decomposition_sums_exactly(three):
    _, _, cmp = three
    for label in cmp.labels[1:]:
        chk = cmp.checks[label]
        delta = cmp.totals.loc["cost", label] - cmp.totals.loc["cost", "base"]
        assert chk["delta_cost"] == delta
        assert math.fsum(cmp.components[label]) == pytest.approx(delta, abs=1e-9)
        part = cmp.by_region[cmp.by_region["scenario"] == label]
        total = math.fsum([*part["delta_cost"], chk["unserved"], chk["unallocated"],
                           chk["rounding"]])
        assert total == pytest.approx(delta, abs=1e-9 * max(1.0, abs(delta)))
        # each region's price and volume effects add up to its difference
        assert (part["price_effect"] + part["volume_effect"]).to_numpy() == \
            pytest.approx(part["delta_cost"].to_numpy())
        # nothing of the difference is left to rounding on these exact numbers
        assert abs(chk["rounding"]) <= 1e-6 * cmp.totals.loc["cost", label]
    # east-only: all of it is electricity, spread over both regions by price
    east = cmp.by_region[cmp.by_region["scenario"] == "east-only"]
    assert (east["price_effect"] > 0).all() and (east["volume_effect"] == 0).all()
    assert cmp.components.loc["electricity", "east-only"] == pytest.approx(
        cmp.checks["east-only"]["delta_cost"])


def test_comparison_csv_is_long(three, tmp_path):
    _, _, cmp = three
    path = cmp.write(tmp_path / "comparison.csv")
    df = pd.read_csv(path)
    assert list(df.columns) == ["scenario", "scope", "metric", "value"]
    assert pd.api.types.is_float_dtype(df["value"])
    assert set(df["scenario"]) == {"base", "east-only", "green-90"}
    assert {"a", "b", "total"} == set(df["scope"])
    one = df.set_index(["scenario", "scope", "metric"])["value"]
    assert one[("east-only", "total", "avg_cost_per_mtok")] == pytest.approx(100.0)
    for m in ("demand_tokens_per_day", "avg_cost_per_mtok", "marginal_cost_per_mtok",
              "mean_latency_ms", "west_share"):
        assert ("base", "a", m) in one.index
    for m in ("cost", "cost.electricity", "energy_twh", "green_share", "tco2",
              "tokens_per_kwh", "sites_open"):
        assert ("green-90", "total", m) in one.index
    # the decomposition rows in the CSV add up to the difference too
    d = one[("east-only", "total", "delta_vs_base.by_region.delta_cost")]
    parts = df[(df.scenario == "east-only") & df.metric.str.startswith("delta_vs_base.cost.")]
    assert parts["value"].sum() == pytest.approx(d, rel=1e-9)
    assert (tmp_path / "comparison_inputs.csv").is_file()


def test_yaml_is_cached_and_reused(three):
    root, paths, _ = three
    assert (root / "cache" / "base" / "summary.json").is_file()
    before = (root / "cache" / "base" / "summary.json").stat().st_mtime_ns
    again = compare(paths[:2], cache=root / "cache")
    assert (root / "cache" / "base" / "summary.json").stat().st_mtime_ns == before
    assert any("reused" in n for n in again.notes)


def test_cli_compares_run_folders(tmp_path):
    runner = CliRunner()
    t = _tables()
    a = write_scenario(tmp_path / "a", t, name="base", policy__min_green_share=0.5)
    b = write_scenario(tmp_path / "b", t, name="east-only", policy__min_green_share=0.5,
                       policy__exclude_zones=["west"])
    for path, out in ((a, tmp_path / "ra"), (b, tmp_path / "rb")):
        assert runner.invoke(main, ["run", str(path), "-o", str(out), "-q"]).exit_code == 0
    csv = tmp_path / "c" / "comparison.csv"
    res = runner.invoke(main, ["compare", str(tmp_path / "ra"), str(tmp_path / "rb"),
                               "-o", str(csv)])
    assert res.exit_code == 0, res.output
    assert "By region: average delivered cost (CNY/Mtok)" in res.output
    assert "policy.exclude_zones" in res.output  # the run folders record their scenario
    assert csv.is_file()
    # mixing a folder and a YAML (solved into a temporary folder)
    res = runner.invoke(main, ["compare", str(tmp_path / "ra"), str(b), "--no-cache"])
    assert res.exit_code == 0, res.output
    assert "sum check" in res.output


def test_cli_errors(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["compare", str(tmp_path)])
    assert res.exit_code == 2 and "at least two" in res.output
    res = runner.invoke(main, ["compare", str(tmp_path), str(tmp_path / "nope")])
    assert res.exit_code == 2 and res.output.startswith("error: ")
    assert len(res.output.strip().splitlines()) == 1
    res = runner.invoke(main, ["compare", "--help"])
    assert "Examples:" in res.output and "siteplan compare" in res.output
