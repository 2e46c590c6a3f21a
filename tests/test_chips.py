"""Chip supply (family 15): a cap that binds, its shadow price, the lifetime window of
deliveries, the scenario keys that replace or exclude a cap, and bad input.

Hand-solved instance: two regions of 1 Mtok/h each (2 MW-IT in all, at lb's 50/MWh: 876,000 a
year of energy), two hardware classes of equal throughput per MW, life 1 and no discounting:
gpu units draw 500 kW and cost 50,000 (2 units and 100,000 per MW-yr), npu units draw 1 MW
and cost 150,000. Unlimited, the plan is 2 MW of gpu: 876,000 + 200,000 = 1,076,000.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import siteplan
from builders import TOKENS_PER_S_PER_MW, tiny_tables, write_scenario
from siteplan.cli import main

H = 8760.0
ENERGY = 2 * H * 50  # 876,000: 2 MW at lb all year
FREE = {"finance__discount_rate": 0.0, "policy__chip_supply": True}


def chip_tables(supply=((2025, 5.0), (2026, 2.0)), lead=None):
    """The two classes of the module docstring; gpu supply ``supply`` (year, units), with
    ``lead`` months from order to delivery (None: blank, no lead time)."""
    t = tiny_tables()
    t["hardware"] = [
        {"hardware": "gpu", "name": "GPU", "kw_per_unit": 500.0, "capex_per_unit": 50_000.0,
         "lifetime_years": 1.0, "idle_share": 0.0},
        {"hardware": "npu", "name": "NPU", "kw_per_unit": 1000.0, "capex_per_unit": 150_000.0,
         "lifetime_years": 1.0, "idle_share": 0.0},
    ]
    t["throughput"] = [
        {"hardware": "gpu", "workload": "chat", "tokens_per_s": TOKENS_PER_S_PER_MW / 2},
        {"hardware": "npu", "workload": "chat", "tokens_per_s": TOKENS_PER_S_PER_MW},
    ]
    t["hardware_supply"] = [{"hardware": "gpu", "year": y, "max_units": u,
                             "lead_time_months": lead, "origin": "imported"}
                            for y, u in supply]
    return t


def _solve(tmp_path, tables, **keys):
    path = write_scenario(tmp_path, tables, **{**FREE, **keys})
    return siteplan.solve(siteplan.load_scenario(path))


def test_a_binding_cap_buys_the_dearer_chip_and_prices_the_quota(tmp_path):
    # life 1: only 2026's 2 units count (1 MW); the other MW is npu
    res = _solve(tmp_path, chip_tables())
    s = res.summary
    assert s["objective"] == pytest.approx(ENERGY + 100_000 + 150_000)
    assert s["units_gpu"] == pytest.approx(2.0)
    assert s["units_npu"] == pytest.approx(1.0)
    assert s["max_units_gpu"] == pytest.approx(2.0)
    # one more gpu unit (0.5 MW) replaces 0.5 MW of npu: saves 0.5 x 50,000
    assert s["chip_shadow_price_gpu"] == pytest.approx(25_000.0, rel=1e-6)
    assert "max_units_npu" not in s  # npu is not capped
    assert res.sites.loc[res.sites["site"] == "lb-air", "units_gpu"].item() == pytest.approx(2.0)


def test_the_lifetime_window_counts_earlier_deliveries(tmp_path):
    t = chip_tables()
    t["hardware"][0]["lifetime_years"] = 2.0  # 2025's 5 units still stand: cap 7 > 4 needed
    res = _solve(tmp_path, t)
    s = res.summary
    assert s["max_units_gpu"] == pytest.approx(7.0)
    assert s["units_gpu"] == pytest.approx(4.0)
    assert s["chip_shadow_price_gpu"] == pytest.approx(0.0, abs=1e-6)
    assert s["objective"] == pytest.approx(ENERGY + 2 * 50_000.0)  # life 2: half a year's capex x2


@pytest.mark.parametrize(("lead", "caps", "npc"), [
    (None, (4.0, 4.0), 2 * (ENERGY + 200_000)),
    (6, (4.0, 4.0), 2 * (ENERGY + 200_000)),
    (12, (0.0, 4.0), ENERGY + 300_000 + ENERGY + 200_000),
])
def test_a_lead_time_moves_supply_into_a_later_year(tmp_path, lead, caps, npc):
    """Pathway 2026-2027 (no discounting; life 1, so each year's fleet is what arrived that
    year), 4 gpu units (2 MW) supplied in each year, 2 MW needed in each; a year's units are
    ordered at its start and serve ``lead`` months later.
    - no lead, or 6 months (usable from mid-year: that year): caps 4 and 4, all gpu:
      2 x (876,000 + 200,000) = 2,152,000.
    - 12 months: 2026's units serve from 2027, nothing arrives in 2026 (cap 0): 2 MW npu,
      876,000 + 300,000; 2027 gets 2026's 4 (2027's serve 2028): 1,076,000. NPC 2,252,000.
    """
    t = chip_tables(supply=((2026, 4.0), (2027, 4.0)), lead=lead)
    path = write_scenario(tmp_path, t, years=[2026, 2027], **FREE)
    res = siteplan.solve(siteplan.load_scenario(path))
    assert res.summary["objective"] == pytest.approx(npc, rel=1e-6)
    years = {y["year"]: y for y in res.summary["years"]}
    assert years[2026]["max_units_gpu"] == pytest.approx(caps[0])
    assert years[2027]["max_units_gpu"] == pytest.approx(caps[1])
    assert years[2026]["units_gpu"] == pytest.approx(caps[0], abs=1e-6)
    assert years[2026]["units_npu"] == pytest.approx(2.0 - caps[0] / 2, abs=1e-6)


def test_policy_keys_replace_and_exclude_a_cap(tmp_path):
    lifted = _solve(tmp_path / "lift", chip_tables(), policy__hardware={"gpu": {"max_units": 10}})
    assert lifted.summary["objective"] == pytest.approx(ENERGY + 200_000)
    assert lifted.summary["max_units_gpu"] == pytest.approx(10.0)
    gone = _solve(tmp_path / "ex", chip_tables(), policy__exclude_hardware=["gpu"])
    assert gone.summary["objective"] == pytest.approx(ENERGY + 300_000)
    assert gone.summary["units_gpu"] == pytest.approx(0.0, abs=1e-9)
    # the exclusion's shadow price: a gpu unit would replace 0.5 MW of npu
    assert gone.summary["chip_shadow_price_gpu"] == pytest.approx(25_000.0, rel=1e-6)


def test_supply_rows_cap_only_with_policy_chip_supply(tmp_path):
    res = _solve(tmp_path, chip_tables(), policy__chip_supply=False)
    assert res.summary["objective"] == pytest.approx(ENERGY + 200_000)
    assert "max_units_gpu" not in res.summary


def test_chip_supply_without_rows_is_one_line(tmp_path):
    t = chip_tables()
    del t["hardware_supply"]
    path = write_scenario(tmp_path, t, policy__chip_supply=True)
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2
    lines = [ln for ln in out.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "policy.chip_supply" in lines[0], out.output


def test_an_unknown_hardware_key_is_one_line(tmp_path):
    path = write_scenario(tmp_path, chip_tables(), policy__hardware={"gpx": {"max_units": 1}})
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2
    lines = [ln for ln in out.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1
    assert "policy.hardware" in lines[0] and "'gpx'" in lines[0] and "'gpu'" in lines[0]


def test_a_negative_supply_is_one_line_naming_the_row(tmp_path):
    path = write_scenario(tmp_path, chip_tables(supply=((2026, -1.0),)), **FREE)
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2
    assert "hardware_supply.csv" in out.output and "max_units" in out.output
