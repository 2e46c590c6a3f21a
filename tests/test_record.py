"""A result folder is a complete record: resolved scenario, hashes, version, places; caches
are re-used only when the hashes match (compare and sweep say why not); old folders warn."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from builders import tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.results.record import (
    RECORD_FILES,
    dataset_hash,
    make_record,
    read_record,
    scenario_hash,
    stale_reason,
)
from siteplan.study import compare, sweep

# Tiny by hand: 1 Mtok/h in each of a and b, all served from b (50/MWh, PUE 1, idle 0):
# electricity 2 MW x 8760 h x 50 = 876,000; hardware 10,000 per MW, 1-year life at 8 %:
# 10,800 per MW-yr on 2 / utilisation_max MW.
ELECTRICITY = 2 * 8760 * 50.0
HW_PER_MW = 10_000.0 * 1.08


def _tables():
    t = tiny_tables()
    t["hardware"][0]["capex_per_unit"] = 10_000.0
    return t


@pytest.fixture
def base(tmp_path):
    return write_scenario(tmp_path / "base", _tables(), name="base")


def _run(*args):
    res = CliRunner().invoke(main, ["run", *map(str, args), "-q"])
    assert res.exit_code == 0, res.output
    return res


def test_run_writes_the_record(base, tmp_path):
    out = tmp_path / "out"
    _run(base, "-o", out, "--set", "policy.utilisation_max=0.5", "--set", "prices.scale=1")
    for name in RECORD_FILES:
        assert (out / name).is_file()
    rec = read_record(out)
    assert rec.overrides == ["policy.utilisation_max=0.5", "prices.scale=1"]
    assert rec.written_by == "run" and rec.version
    assert rec.scenario["policy"]["utilisation_max"] == 0.5
    assert rec.dataset_sha256 == dataset_hash(base.parent / "data")[0]
    # the resolved scenario loads again, to the same hash, and solves to the same answer
    import siteplan

    again = siteplan.load_scenario(out / "scenario.yaml")
    assert scenario_hash(make_record(again).scenario) == rec.scenario_sha256
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(ELECTRICITY + 4 * HW_PER_MW)
    # places: every region and location with its coordinates and zone
    places = pd.read_csv(out / "places.csv")
    assert list(places.columns) == ["kind", "id", "name", "region", "zone", "lat", "lon"]
    lb = places[places["id"] == "lb"].iloc[0]
    assert (lb["kind"], lb["region"], lb["zone"], lb["lon"]) == ("location", "b", "west", 10.0)
    assert set(places.loc[places["kind"] == "region", "id"]) == {"a", "b"}


def test_stale_compare_gives_the_right_answer(base, tmp_path):
    """A utilisation-0.35 run left in the cache folder is not taken for the YAML's result."""
    cache = tmp_path / "cache"
    _run(base, "-o", cache / "base", "--set", "policy.utilisation_max=0.35")
    stale = json.loads((cache / "base" / "summary.json").read_text())["objective"]
    assert stale == pytest.approx(ELECTRICITY + 2 / 0.35 * HW_PER_MW)
    dear = write_scenario(tmp_path / "dear", _tables(), name="dear", prices__scale=2.0)
    cmp = compare([base, dear], cache=cache)
    assert cmp.totals.loc["cost", "base"] == pytest.approx(ELECTRICITY + 2 * HW_PER_MW)
    assert cmp.totals.loc["cost", "dear"] == pytest.approx(2 * ELECTRICITY + 2 * HW_PER_MW)
    assert cmp.checks["dear"]["delta_cost"] == pytest.approx(ELECTRICITY)
    reason = [n for n in cmp.notes if "not re-used" in n]
    assert len(reason) == 1 and "policy.utilisation_max 0.35 there, 1.0 here" in reason[0]
    # the user's run is left as it was
    assert read_record(cache / "base").overrides == ["policy.utilisation_max=0.35"]
    # the CLI says it in one line
    res = CliRunner().invoke(main, ["compare", str(base), str(dear), "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "not re-used" in ln]
    assert len(lines) == 1 and "utilisation_max" in lines[0]


def test_compare_reuses_only_matching_hashes(base, tmp_path):
    cache = tmp_path / "cache"
    dear = write_scenario(tmp_path / "dear", _tables(), name="dear", prices__scale=2.0)
    compare([base, dear], cache=cache)
    again = compare([base, dear], cache=cache)
    assert sum("reused cached results" in n for n in again.notes) == 2
    # a changed dataset file: the cached result is not re-used, and the note names the file
    data = base.parent / "data" / "regions.csv"
    data.write_text(data.read_text().replace("50.0", "60.0"))
    third = compare([base, dear], cache=cache)
    note = next(n for n in third.notes if str(base) in n and "not re-used" in n)
    assert "dataset files differ: regions.csv" in note
    assert third.totals.loc["cost", "base"] == pytest.approx(2 * 8760 * 60 + 2 * HW_PER_MW)


def test_compare_of_two_folders_shows_the_set_overrides(base, tmp_path):
    _run(base, "-o", tmp_path / "r1")
    _run(base, "-o", tmp_path / "r2", "--set", "policy.utilisation_max=0.5")
    res = CliRunner().invoke(main, ["compare", str(tmp_path / "r1"), str(tmp_path / "r2")])
    assert res.exit_code == 0, res.output
    block = res.output.split("What differs in the inputs")[1].split("Totals")[0]
    assert "--set" in block and "policy.utilisation_max=0.5" in block and "(none)" in block
    assert "policy.utilisation_max" in block.split("--set")[1]


def test_old_folder_is_read_with_one_warning(base, tmp_path):
    out = tmp_path / "old"
    _run(base, "-o", out)
    for name in RECORD_FILES:
        (out / name).unlink()
    from siteplan.results.folder import read_result

    res = read_result(out)
    assert res.record is None and res.resolved_scenario is None
    assert len(res.notes) == 1 and "no record of its inputs" in res.notes[0]
    _run(base, "-o", tmp_path / "new")
    r = CliRunner().invoke(main, ["compare", str(out), str(tmp_path / "new")])
    assert r.exit_code == 0, r.output
    assert sum("no record of its inputs" in ln for ln in r.output.splitlines()) == 1
    # only the keys both folders know are compared (not every key against "(not set)")
    block = r.output.split("What differs in the inputs")[1].split("Totals")[0]
    assert "(not recorded)" in block and "dataset" not in block and "policy." not in block
    # a cached folder without a record is never taken for a YAML's result
    assert "no record" in stale_reason(None, make_record(
        __import__("siteplan").load_scenario(base)))


def test_sweep_solves_again_when_the_dataset_changed(base, tmp_path, monkeypatch):
    out = tmp_path / "sw"
    grid = ["prices.scale=1,2"]
    first = sweep(base, grid=grid, outdir=out, progress=False)
    assert first.solved == 2 and not first.notes
    assert sweep(base, grid=grid, outdir=out, progress=False).skipped == 2
    data = base.parent / "data" / "demand.csv"
    data.write_text(data.read_text().replace("24000000.0", "48000000.0"))
    res = sweep(base, grid=grid, outdir=out, progress=False)
    assert res.solved == 2 and res.skipped == 0
    assert len(res.notes) == 1 and "dataset files differ: demand.csv" in res.notes[0]
    t = res.table.set_index("prices.scale")
    assert t.loc[1, "objective"] == pytest.approx(2 * ELECTRICITY + 4 * HW_PER_MW)


def test_scenario_yaml_is_plain_yaml(base, tmp_path):
    _run(base, "-o", tmp_path / "o", "--set", "policy.min_green_share=0.3")
    text = (tmp_path / "o" / "scenario.yaml").read_text()
    assert text.startswith("# The resolved scenario")
    assert "# --set policy.min_green_share=0.3" in text
    assert yaml.safe_load(text)["policy"]["min_green_share"] == 0.3
