"""workloads.<class>.<column>: a scenario (YAML or --set) replaces a class's workloads.csv
values; bad keys and latency limits below the network's floor get one line each."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from builders import solve_tiny, tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.config.schema import Workload
from siteplan.inputs.registry import TABLES

H = 8760.0
# a and b are 1,112 km apart: 16.7 ms round trip; la costs 100/MWh, lb 50/MWh
CHEAP = 2 * H * 50  # both regions served at lb
NEAR = H * (100 + 50)  # a limit below 16.7 ms serves each region at home


def _run(tmp_path, *args, **keys):
    path = write_scenario(tmp_path, tiny_tables(), **keys)
    return CliRunner().invoke(main, ["run", str(path), "-o", str(tmp_path / "out"), *args])


def _errors(res) -> list[str]:
    return [ln for ln in res.output.splitlines() if ln.startswith("error:")]


def test_every_workloads_column_is_a_scenario_key():
    # the demand unit goes with demand.csv's rows: not a scenario setting
    cols = {c.name for c in TABLES["workloads"].columns} - {"workload", "demand_unit",
                                                              "reference_hardware"}
    assert set(Workload.model_fields) == cols


def test_latency_from_set_and_from_yaml_changes_the_plan(tmp_path):
    assert solve_tiny(tmp_path / "0").objective == pytest.approx(CHEAP)
    res = _run(tmp_path / "1", "--set", "workloads.chat.latency_ms=5")
    assert res.exit_code == 0, res.output
    import siteplan

    yaml_path = write_scenario(tmp_path / "2", tiny_tables(),
                               workloads={"chat": {"latency_ms": 5}})
    assert siteplan.solve(siteplan.load_scenario(yaml_path)).objective == pytest.approx(NEAR)
    cli = siteplan.solve(siteplan.load_scenario(
        write_scenario(tmp_path / "3", tiny_tables()), ["workloads.chat.latency_ms=5"]))
    assert cli.objective == pytest.approx(NEAR)


def test_null_removes_the_datasets_limit(tmp_path):
    t = tiny_tables()
    t["workloads"][0]["latency_ms"] = 5.0
    assert solve_tiny(tmp_path / "a", t).objective == pytest.approx(NEAR)
    res = solve_tiny(tmp_path / "b", t, workloads={"chat": {"latency_ms": None}})
    assert res.objective == pytest.approx(CHEAP)


def test_shiftable_and_peak_factor_from_the_scenario(tmp_path):
    """A shiftable class with peak_factor 1 is as good as time-fixed: same cost."""
    res = solve_tiny(tmp_path, workloads={"chat": {"shiftable": True, "peak_factor": 1.0}})
    assert res.objective == pytest.approx(CHEAP)
    assert res.summary["shiftable_tokens_per_day"] == pytest.approx(48e6)


def test_an_unknown_class_is_one_line_exit_2(tmp_path):
    res = _run(tmp_path, "--set", "workloads.chatt.latency_ms=5")
    assert res.exit_code == 2, res.output
    assert _errors(res) == ["error: --set workloads.chatt.latency_ms=5: key 'workloads': "
                            "unknown id 'chatt'; did you mean 'chat'?"]


@pytest.mark.parametrize(("item", "piece"), [
    ("workloads.chat.latency=5", "workloads.chat.latency"),
    ("workloads.chat.latency_ms=-1", "greater than or equal to 0"),
    ("workloads.chat.shiftable=maybe", "workloads.chat.shiftable"),
])
def test_a_bad_workload_key_is_one_line_exit_2(tmp_path, item, piece):
    res = _run(tmp_path, "--set", item)
    assert res.exit_code == 2, res.output
    assert len(_errors(res)) == 1, res.output
    assert piece in _errors(res)[0] and f"--set {item}" in _errors(res)[0]
    assert "Traceback" not in res.output


def test_a_limit_below_the_network_overhead_is_one_line_naming_the_key(tmp_path):
    t = tiny_tables()
    t["workloads"].append({"workload": "api", "name": "API", "shiftable": "false"})
    t["throughput"].append({**t["throughput"][0], "workload": "api"})
    t["demand"] += [{"region": r, "workload": "api", "tokens_per_day": 24e6} for r in "ab"]
    path = write_scenario(tmp_path, t, network__overhead_ms=4.0)
    res = CliRunner().invoke(main, ["run", str(path), "-o", str(tmp_path / "out"), "--set",
                                    "workloads.chat.latency_ms=1", "--set",
                                    "workloads.api.latency_ms=1"])
    assert res.exit_code == 3, res.output
    causes = _errors(res)[1:]
    assert causes == [
        f"error: infeasible: class {k} in 2 regions (a, b): latency_ms 1 ms set by scenario "
        f"key 'workloads.{k}.latency_ms' (--set workloads.{k}.latency_ms=1) is below 4 ms, the "
        "round trip of any route before distance (network.overhead_ms); expected latency_ms "
        ">= 4 (nearest allowed: 4.0 ms)" for k in ("chat", "api")]
    assert not (tmp_path / "out").exists()


def test_a_limit_below_the_overhead_in_the_dataset_names_workloads_csv(tmp_path):
    t = tiny_tables()
    t["workloads"][0]["latency_ms"] = 1.0
    path = write_scenario(tmp_path, t, network__overhead_ms=4.0)
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 3, res.output
    want = (f"error: infeasible: class chat in 2 regions (a, b): latency_ms 1 ms set by "
            f"{tmp_path / 'data' / 'workloads.csv'} (latency_ms) is below 4 ms")
    assert [ln for ln in _errors(res) if "latency_ms" in ln][0].startswith(want)
