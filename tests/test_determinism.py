"""Same inputs, same bytes: two runs of one scenario write byte-identical result CSVs.

The runs are separate processes with different ``PYTHONHASHSEED`` values, so any result
that depends on set or dict-of-set iteration order would show up. HiGHS threads and seed
come from the scenario's solver block; the tables are sorted and formatted with fixed
decimals (results/tables.py). summary.json is compared without its wall-clock ``times``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from builders import TOKENS_PER_S_PER_MW, tiny_tables, write_scenario

CSV_FILES = ("allocation.csv", "sites.csv", "regions.csv", "site_hours.csv", "excluded.csv")


def _rich_tables() -> dict[str, list[dict]]:
    """Three regions, two classes (one shiftable), two days x two slices, TOU, PPA, options."""
    t = tiny_tables()
    t["regions"].append({"region": "c", "name": "C", "lat": 5.0, "lon": 5.0, "zone": "west",
                         "price_per_mwh": 70.0, "green_share": 0.4, "ef_tco2_per_mwh": 0.4})
    t["locations"].append({"location": "lc", "name": "LC", "region": "c", "lat": 5.0,
                           "lon": 5.0, "max_mw": 3.0, "fixed_cost_per_year": 1000.0})
    t["cooling"].append({"cooling": "liquid", "name": "Liquid", "facility_cost_per_mw_year": 50.0})
    t["site_options"] += [
        {"site": "lc-air", "location": "lc", "cooling": "air", "pue": 1.3},
        {"site": "lc-liquid", "location": "lc", "cooling": "liquid", "pue": 1.1},
        {"site": "la-liquid", "location": "la", "cooling": "liquid", "pue": 1.15},
    ]
    t["hardware"].append({"hardware": "npu", "name": "NPU", "kw_per_unit": 500.0,
                          "capex_per_unit": 30.0, "lifetime_years": 4.0, "idle_share": 0.2})
    t["workloads"][0]["latency_ms"] = 40.0
    t["workloads"].append({"workload": "batch", "name": "Batch", "shiftable": "true",
                           "peak_factor": 2.0})
    t["throughput"] += [
        {"hardware": "npu", "workload": "chat", "tokens_per_s": TOKENS_PER_S_PER_MW * 0.6},
        {"hardware": "gpu", "workload": "batch", "tokens_per_s": TOKENS_PER_S_PER_MW * 1.5},
        {"hardware": "npu", "workload": "batch", "tokens_per_s": TOKENS_PER_S_PER_MW},
    ]
    t["demand"] += [
        {"region": "c", "workload": "chat", "tokens_per_day": 12e6},
        {"region": "a", "workload": "batch", "tokens_per_day": 30e6},
        {"region": "b", "workload": "batch", "tokens_per_day": 6e6},
    ]
    t["slices"] = [
        {"slice": f"{day}-h{h:02d}", "day": day, "hour": h, "weight_h": 8760.0 / 4}
        for day in ("summer", "winter") for h in (6, 18)
    ]
    t["demand_profile"] = [
        {"workload": k, "slice": f"{day}-h{h:02d}", "factor": f}
        for k in ("chat", "batch") for day in ("summer", "winter")
        for h, f in ((6, 0.6), (18, 1.4))
    ]
    t["tou"] = [{"region": r, "hour": h, "multiplier": m}
                for r in ("a", "b", "c") for h, m in ((6, 0.7), (18, 1.3))]
    t["renewables"] = [
        {"region": r, "tech": "solar", "slice": f"{day}-h{h:02d}", "cf": cf}
        for r in ("b", "c") for day in ("summer", "winter") for h, cf in ((6, 0.1), (18, 0.0))
    ]
    t["ppa"] = [{"region": "b", "tech": "solar", "cost_per_mw_year": 200.0},
                {"region": "c", "tech": "solar", "cost_per_mw_year": 150.0, "max_mw": 2.0}]
    return t


def _run(path: Path, out: Path, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    proc = subprocess.run(
        [sys.executable, "-m", "siteplan.cli", "run", str(path), "-o", str(out), "-q"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr


def _summary_without_times(folder: Path) -> dict:
    s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    s.pop("times", None)
    return s


def test_two_runs_write_identical_bytes(tmp_path):
    path = write_scenario(
        tmp_path, _rich_tables(),
        policy__min_green_share=0.45, policy__utilisation_max=0.9,
        policy__pue_cap={"west": 1.2}, solver__threads=1, solver__seed=7,
        finance__discount_rate=0.05,
    )
    first, second = tmp_path / "one", tmp_path / "two"
    _run(path, first, "1")
    _run(path, second, "4242")
    for name in CSV_FILES:
        a, b = (first / name).read_bytes(), (second / name).read_bytes()
        assert a == b, name
        assert a, name
    assert _summary_without_times(first) == _summary_without_times(second)
    # the scenario exercises what could reorder: several sites, classes, an exclusion
    sites = (first / "sites.csv").read_text(encoding="utf-8")
    assert (first / "excluded.csv").read_text(encoding="utf-8").count("\n") >= 2  # lc-air
    assert sites.count("\n") >= 2
