"""The command line, through Click's CliRunner: help with examples, run, validate, --set."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from builders import tiny_tables, write_scenario
from siteplan.cli import main


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["validate", "--help"]])
def test_help_shows_an_example(runner, args):
    res = runner.invoke(main, args)
    assert res.exit_code == 0
    assert "Examples:" in res.output and "siteplan " in res.output.split("Examples:")[1]


def test_run_writes_the_result_files(runner, tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    out = tmp_path / "out"
    res = runner.invoke(main, ["run", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("allocation.csv", "sites.csv", "regions.csv", "site_hours.csv", "summary.json",
                 "excluded.csv"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(2 * 8760 * 50)
    assert "annual cost" in res.output and str(out) in res.output


def test_run_keeps_an_existing_folder_unless_forced(runner, tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    out = tmp_path / "out"
    assert runner.invoke(main, ["run", str(path), "-o", str(out)]).exit_code == 0
    before = (out / "summary.json").read_bytes()
    res = runner.invoke(main, ["run", str(path), "-o", str(out),
                               "--set", "policy.carbon_price_per_t=100"])
    assert res.exit_code != 0 and "--force" in res.output
    assert (out / "summary.json").read_bytes() == before
    res = runner.invoke(main, ["run", str(path), "-o", str(out), "--force",
                               "--set", "policy.carbon_price_per_t=100"])
    assert res.exit_code == 0
    assert (out / "summary.json").read_bytes() != before


def test_set_override_changes_the_answer(runner, tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    out = tmp_path / "out"
    res = runner.invoke(main, ["run", str(path), "-o", str(out),
                               "--set", "policy.carbon_price_per_t=100"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(2 * 8760 * 80)


def test_validate_ok(runner, tmp_path):
    path = write_scenario(tmp_path, tiny_tables())
    res = runner.invoke(main, ["validate", str(path)])
    assert res.exit_code == 0
    assert res.output.startswith("ok: tiny: 2 regions, 2 site options")


def test_unknown_key_gets_a_suggestion_and_exit_2(runner, tmp_path):
    path = write_scenario(tmp_path, tiny_tables(), policy__min_gren_share=0.5)
    res = runner.invoke(main, ["validate", str(path)])
    assert res.exit_code == 2
    assert "policy.min_gren_share" in res.output and "did you mean 'min_green_share'" in res.output
    assert "Traceback" not in res.output


def test_infeasible_plan_exits_3_with_the_cause(runner, tmp_path):
    t = tiny_tables()
    t["workloads"][0]["latency_ms"] = 5.0
    t["locations"] = t["locations"][:1]
    t["site_options"] = t["site_options"][:1]
    path = write_scenario(tmp_path, t)
    res = runner.invoke(main, ["run", str(path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 3
    assert "region b, class chat: no site option within 5 ms" in res.output
    assert not (tmp_path / "out").exists()
