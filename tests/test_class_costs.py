"""Per-class costs: each site's cost attributed to the classes it serves, exactly; regional
averages and marginal costs by class; the flag on averages that rest on a degenerate split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from builders import TOKENS_PER_S_PER_MW, solve_tiny, sweep_tables, tiny_tables, write_scenario
from siteplan.results.extract import SITE_COST_TERMS

H = 8760.0


def _two_classes() -> dict:
    """Only lb (price 50) may open; chat 1 Mtok/h needs 1 MW, batch 2 Mtok/h needs 1 MW."""
    t = tiny_tables()
    t["locations"][0]["max_mw"] = 0.0
    t["hardware"][0].update(capex_per_unit=1000.0, lifetime_years=1.0)
    t["workloads"].append({"workload": "batch", "name": "Batch", "shiftable": "false"})
    t["throughput"].append({"hardware": "gpu", "workload": "batch",
                            "tokens_per_s": 2 * TOKENS_PER_S_PER_MW})
    t["demand"] = [{"region": "b", "workload": "chat", "tokens_per_day": 24e6},
                   {"region": "b", "workload": "batch", "tokens_per_day": 48e6}]
    return t


def test_classes_at_one_site_cost_by_the_capacity_and_energy_they_use(tmp_path):
    """Hardware 1000/MW-yr: 2 MW, 1 MW-yr busy each -> 1000 each; energy 1 MW x 8760 h x 50
    each. chat: 439,000 / 8760 Mtok = 50.114; batch: 439,000 / 17,520 Mtok = 25.057."""
    res = solve_tiny(tmp_path, _two_classes(), finance__discount_rate=0.0)
    assert res.objective == pytest.approx(2 * 1000 + 2 * H * 50)
    alloc = res.allocation.set_index("workload")
    assert alloc.at["chat", "cost_per_mtok"] == pytest.approx((1000 + H * 50) / H)
    assert alloc.at["batch", "cost_per_mtok"] == pytest.approx((1000 + H * 50) / (2 * H))
    reg = res.regions.set_index("region")
    assert reg.at["b", "avg_cost_per_mtok_chat"] == pytest.approx((1000 + H * 50) / H)
    assert reg.at["b", "avg_cost_per_mtok_batch"] == pytest.approx((1000 + H * 50) / (2 * H))
    # marginal: one more Mtok of chat needs 1 MW-h (50) + 1/8760 MW-yr of hardware
    assert reg.at["b", "marginal_cost_per_mtok_chat"] == pytest.approx(50 + 1000 / H)
    assert reg.at["b", "marginal_cost_per_mtok_batch"] == pytest.approx((50 + 1000 / H) / 2)
    by = res.summary["cost_by_workload"]
    assert by["hardware"] == pytest.approx({"chat": 1000.0, "batch": 1000.0})
    assert by["electricity"] == pytest.approx({"chat": H * 50, "batch": H * 50})
    assert sum(by["total"].values()) == pytest.approx(res.objective, rel=1e-12)


def _closes(res) -> None:
    """Sum over classes of the allocation's site costs = each site's cost (rel 1e-9)."""
    a, sites = res.allocation, res.sites.set_index("site")
    mtok = a["tokens_per_day"] * 365 / 1e6
    site_part = (a["cost_per_mtok"] - a["network_cost_per_mtok"]) * mtok
    per_site = site_part.groupby(a["site"]).sum()
    assert len(per_site) > 0
    for site, cost in per_site.items():
        assert cost == pytest.approx(sites.at[site, "cost_total"], rel=1e-9), site
    total = res.summary["cost_by_workload"]["total"]
    served = sites.loc[sites["tokens_per_day"] > 0, "cost_total"].sum()
    br = res.summary["cost_breakdown"]
    assert sum(total.values()) == pytest.approx(served + br["network"] + br["unserved"],
                                                rel=1e-9)
    for term in SITE_COST_TERMS:
        got = sum(res.summary["cost_by_workload"].get(term, {}).values())
        want = sites.loc[sites["tokens_per_day"] > 0, f"cost_{term}"].sum()
        assert got == pytest.approx(want, rel=1e-9, abs=1e-6), term


def test_attribution_closes_with_tou_prices_idle_power_ppas_and_shifting(tmp_path):
    res = solve_tiny(tmp_path, sweep_tables(), synergy__absorb_curtailment=False)
    _closes(res)
    a = res.allocation
    for site, part in a.groupby("site"):
        cpm = part.groupby("workload")["cost_per_mtok"].mean()
        if len(cpm) == 2:  # chat and batch at one site cost differently per Mtok
            assert cpm["chat"] != pytest.approx(cpm["batch"], rel=1e-3), site


def test_batch_in_cheap_hours_pays_less_energy_than_chat_at_the_peak(tmp_path):
    """Two slices at one site, price 50 x 0.5 (night) and 50 x 1.5 (day). Chat runs in
    the day only (2 Mtok/h = 2 MW); batch (shiftable, 1 MW on average) runs 2 MW at night.
    Electricity: chat 4380 h x 75 x 2 MW, batch 4380 h x 25 x 2 MW: energy is billed by the
    slice each class draws it in."""
    t = _two_classes()
    t["hardware"][0]["capex_per_unit"] = 0.0
    t["workloads"][1].update(shiftable="true", peak_factor=2.0)
    t["slices"] = [{"slice": "night", "day": "d", "hour": 0, "weight_h": H / 2},
                   {"slice": "day", "day": "d", "hour": 12, "weight_h": H / 2}]
    t["tou"] = [{"region": r, "hour": h, "multiplier": m} for r in "ab"
                for h, m in ((0, 0.5), (12, 1.5))]
    t["demand_profile"] = [{"workload": "chat", "slice": "night", "factor": 0.0},
                           {"workload": "chat", "slice": "day", "factor": 2.0}]
    res = solve_tiny(tmp_path, t, finance__discount_rate=0.0)
    by = res.summary["cost_by_workload"]["electricity"]
    assert by["chat"] == pytest.approx(H / 2 * 75 * 2)
    assert by["batch"] == pytest.approx(H / 2 * 25 * 2)
    _closes(res)


def _equal_sites(network: bool) -> dict:
    """la and lb: the same price and hardware, 1.2 MW each (both open for 2 Mtok/h); la has a
    fixed cost, so its average cost is higher at the same marginal cost."""
    t = tiny_tables()
    t["regions"][0]["price_per_mwh"] = 50.0
    for loc in t["locations"]:
        loc["max_mw"] = 1.2
    t["locations"][0]["fixed_cost_per_year"] = 1000.0
    if network:  # each region's own site is cheaper to reach: the split is unique
        t["network"] = [{"region": "a", "location": "lb", "cost_per_mtok": 1.0},
                        {"region": "b", "location": "la", "cost_per_mtok": 1.0}]
    return t


def test_a_split_between_sites_at_equal_marginal_cost_is_flagged(tmp_path):
    res = solve_tiny(tmp_path, _equal_sites(network=False))
    reg = res.regions.set_index("region")
    assert list(reg["marginal_cost_per_mtok"]) == pytest.approx([50.0, 50.0])
    assert list(reg["degenerate_split"]) == [1, 1]


def test_a_unique_split_is_not_flagged(tmp_path):
    res = solve_tiny(tmp_path / "n", _equal_sites(network=True))
    reg = res.regions.set_index("region")
    assert reg.at["a", "avg_cost_per_mtok"] == pytest.approx(50 + 1000 / H)
    assert reg.at["b", "avg_cost_per_mtok"] == pytest.approx(50.0)
    assert list(reg["degenerate_split"]) == [0, 0]


def test_sites_of_equal_average_cost_are_not_flagged(tmp_path):
    """Same marginal and the same average at both sites: the split does not move averages."""
    t = _equal_sites(network=False)
    t["locations"][0]["fixed_cost_per_year"] = 0.0
    res = solve_tiny(tmp_path, t)
    assert np.all(res.regions["degenerate_split"] == 0)


def test_compare_pools_regions_on_a_degenerate_split(tmp_path):
    """Equal sites at equal marginal cost: the by-region decomposition of the difference
    (price 50 -> 60 everywhere) is printed as one pooled row; the parts still add up."""
    from siteplan.study import compare
    from siteplan.study.compare import POOLED

    t = _equal_sites(network=False)
    base = write_scenario(tmp_path / "base", t, name="base")
    t2 = _equal_sites(network=False)
    for r in t2["regions"]:
        r["price_per_mwh"] = 60.0
    dear = write_scenario(tmp_path / "dear", t2, name="dear")
    cmp = compare([base, dear], cache=tmp_path / "cache")
    part = cmp.by_region[cmp.by_region["scenario"] == "dear"]
    assert part["degenerate"].all()
    assert math.fsum(part["delta_cost"]) == pytest.approx(2 * H * 10, rel=1e-6)
    text = cmp.text()
    assert f"{POOLED} 2 regions" in text
    assert "price" in text and "\n    a " not in text  # no region row of its own
    long = cmp.long
    flags = long[long["metric"] == "delta_vs_base.degenerate_split"]
    assert sorted(flags["scope"]) == ["a", "b"]
    assert not (long["metric"] == "delta_vs_base.price_effect").any()


def test_report_states_regional_differences_only_where_they_survive():
    import pandas as pd

    from siteplan.report.html import _regional_sentence

    reg = pd.DataFrame({"region": ["a", "b", "c"], "name": ["A", "B", "C"],
                        "avg_cost_per_mtok": [1.0, 2.0, 3.0], "degenerate_split": [1, 1, 1]})
    text = " ".join(_regional_sentence(reg, "CNY"))
    assert "cost most" not in text
    assert "average cost of 3 regions rests on an arbitrary split" in text
    reg["degenerate_split"] = [0, 0, 1]
    text = " ".join(_regional_sentence(reg, "CNY"))
    assert "Tokens cost most in B (2.0000) and least in A (1.0000 CNY/Mtok)." in text
    assert "1 region rests" in text
    reg["degenerate_split"] = [0, 0, 0]
    assert _regional_sentence(reg, "CNY") == [
        "Tokens cost most in C (3.0000) and least in A (1.0000 CNY/Mtok)."]


def _training(fast: bool) -> dict:
    """Only lb (price 50, capex 0): chat 1 Mtok/h (1 MW); training 2 MW-IT of gpu, a compute
    class. ``fast``: hardware 'fast' trains twice as fast per MW (tokens_per_s as relative
    speeds), so 1 MW of it does the 2 MW of gpu work."""
    t = tiny_tables()
    t["locations"][0]["max_mw"] = 0.0
    t["workloads"].append({"workload": "training", "name": "Training", "shiftable": "false",
                           "demand_unit": "mw_it", "reference_hardware": "gpu"})
    t["throughput"].append({"hardware": "gpu", "workload": "training", "tokens_per_s": 100.0})
    if fast:
        t["hardware"].append({**t["hardware"][0], "hardware": "fast", "name": "Fast"})
        t["throughput"].append({"hardware": "fast", "workload": "training",
                                "tokens_per_s": 200.0})
    t["demand"] = [{"region": "b", "workload": "chat", "tokens_per_day": 24e6},
                   {"region": "b", "workload": "training", "mw_it": 2.0}]
    return t


def test_training_is_compute_in_mw_not_tokens(tmp_path):
    res = solve_tiny(tmp_path, _training(fast=False))
    assert res.objective == pytest.approx(3 * H * 50)
    s = res.summary
    assert s["demand_tokens_per_day"] == pytest.approx(24e6)  # chat only
    assert s["served_tokens_per_day"] == pytest.approx(24e6)
    assert s["compute_demand_mw_it"] == pytest.approx(2.0)
    assert s["avg_cost_per_mtok"] == pytest.approx(50.0)
    assert s["avg_cost_per_mw_year_compute"] == pytest.approx(H * 50)
    assert s["tokens_per_kwh"] == pytest.approx(24e6 * 365 / (H * 1e3))  # chat's energy only
    a = res.allocation.set_index("workload")
    assert a.at["training", "tokens_per_day"] == 0
    assert a.at["training", "mw_it"] == pytest.approx(2.0)
    assert a.at["training", "cost_per_mw_year"] == pytest.approx(H * 50)
    assert np.isnan(a.at["training", "cost_per_mtok"])
    reg = res.regions.set_index("region")
    assert reg.at["b", "avg_cost_per_mw_year_training"] == pytest.approx(H * 50)
    assert reg.at["b", "compute_mw_it"] == pytest.approx(2.0)
    assert reg.at["b", "compute_cost"] == pytest.approx(2 * H * 50)
    assert "avg_cost_per_mtok_training" not in reg.columns
    assert res.sites.set_index("site").at["lb-air", "tokens_per_day"] == pytest.approx(24e6)


def test_a_compute_class_counts_work_on_its_reference_hardware(tmp_path):
    t = _training(fast=True)
    for hw in t["hardware"]:
        hw["capex_per_unit"] = 1000.0  # per MW-yr (lifetime 1, no discounting)
    res = solve_tiny(tmp_path, t, finance__discount_rate=0.0)
    assert res.objective == pytest.approx(2 * H * 50 + 2 * 1000)
    assert res.sites.set_index("site").at["lb-air", "mw_it_fast"] == pytest.approx(1.0)


def test_a_demand_row_in_the_wrong_unit_is_one_line_exit_2(tmp_path):
    from click.testing import CliRunner

    from siteplan.cli import main

    t = _training(fast=False)
    t["demand"][1] = {"region": "b", "workload": "training", "tokens_per_day": 1e6}
    path = write_scenario(tmp_path, t)
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert lines == [f"error: {tmp_path / 'data' / 'demand.csv'}, line 3 (workload=training, "
                     "1 row): the class's demand_unit is mw_it; expected mw_it and a blank "
                     "tokens_per_day"]
