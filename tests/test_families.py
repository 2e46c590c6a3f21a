"""One hand-solved instance per constraint family; each fails when its family is removed.

Base instance (tests/builders.py): regions a (price 100/MWh) and b (50/MWh), one location in
each, 1 MW-IT serves 1 Mtok/h, PUE 1, one slice of 8760 h, each region demands 1 Mtok/h.
So serving everything at lb costs 2 MW x 8760 h x 50 = 876,000 per year.
"""

from __future__ import annotations

import pytest

from builders import solve_tiny, tiny_tables

H = 8760.0
BASE = 2 * H * 50  # 876,000


def cost(res) -> float:
    return res.summary["objective"]


def test_base_instance_serves_all_demand_at_the_cheap_site(tmp_path):
    res = solve_tiny(tmp_path)
    assert cost(res) == pytest.approx(BASE)
    assert res.summary["served_tokens_per_day"] == pytest.approx(48e6)
    assert set(res.allocation["site"]) == {"lb-air"}
    assert res.summary["status"] == "optimal"


# --- family 1: demand ------------------------------------------------------------------------
def test_demand_cheap_voll_leaves_demand_unserved(tmp_path):
    # serving costs 50 per Mtok; unserved costs 30 per Mtok -> nothing is served
    res = solve_tiny(tmp_path, policy__unserved_cost_per_mtok=30.0)
    assert cost(res) == pytest.approx(2 * H * 30)
    assert res.summary["unserved_tokens_per_day"] == pytest.approx(48e6)
    assert res.regions["unserved_tokens_per_day"].tolist() == pytest.approx([24e6, 24e6])


def test_demand_dear_voll_serves_everything(tmp_path):
    res = solve_tiny(tmp_path, policy__unserved_cost_per_mtok=80.0)
    assert cost(res) == pytest.approx(BASE)
    assert res.summary["unserved_tokens_per_day"] == pytest.approx(0.0)


def _shift_tables(peak_factor: float, capex_per_mw: float = 100_000.0):
    """Two slices of 4380 h: valley (price x0.5) and peak (x1.5) at lb only; flat demand."""
    t = tiny_tables()
    t["locations"] = [r for r in t["locations"] if r["location"] == "lb"]
    t["site_options"] = [r for r in t["site_options"] if r["location"] == "lb"]
    t["workloads"][0].update(shiftable="true", peak_factor=peak_factor)
    t["hardware"][0]["capex_per_unit"] = capex_per_mw
    t["slices"] = [
        {"slice": "valley", "day": "d", "hour": 0, "weight_h": 4380.0},
        {"slice": "peak", "day": "d", "hour": 12, "weight_h": 4380.0},
    ]
    t["tou"] = [{"region": r, "hour": h, "multiplier": m}
                for r in ("a", "b") for h, m in ((0, 0.5), (12, 1.5))]
    return t


def test_shiftable_work_moves_to_the_valley_up_to_the_peak_factor(tmp_path):
    # valley rate 2 + delta, peak 2 - delta; cost = 876,000 - 219,000 delta + 100,000 (2 + delta)
    # falls with delta, so delta goes to its limit: peak_factor 2 -> delta 2 -> 838,000
    res = solve_tiny(tmp_path, _shift_tables(2.0), finance__discount_rate=0.0)
    assert cost(res) == pytest.approx(838_000)
    assert res.sites.loc[0, "mw_it_total"] == pytest.approx(4.0)


def test_peak_factor_limits_the_shift(tmp_path):
    # peak_factor 1.5 -> valley rate at most 3 -> delta 1 -> 876,000 - 219,000 + 300,000
    res = solve_tiny(tmp_path, _shift_tables(1.5), finance__discount_rate=0.0)
    assert cost(res) == pytest.approx(957_000)
    assert res.sites.loc[0, "mw_it_total"] == pytest.approx(3.0)


def test_time_fixed_work_cannot_shift(tmp_path):
    t = _shift_tables(2.0)
    t["workloads"][0]["shiftable"] = "false"
    res = solve_tiny(tmp_path, t, finance__discount_rate=0.0)
    assert cost(res) == pytest.approx(876_000 + 200_000)


# --- family 2: routing (and latency-eligible arcs) -------------------------------------------
def test_latency_limit_keeps_region_a_at_its_own_site(tmp_path):
    # a -> lb is 1112 km: 2 x 1112 x 1.5 x 0.0049 = 16.3 ms > 10 ms
    t = tiny_tables()
    t["workloads"][0]["latency_ms"] = 10.0
    res = solve_tiny(tmp_path, t)
    assert cost(res) == pytest.approx(H * (100 + 50))
    alloc = res.allocation.set_index("region")
    assert alloc.loc["a", "site"] == "la-air" and alloc.loc["b", "site"] == "lb-air"
    assert alloc.loc["a", "latency_ms"] == pytest.approx(0.0)


def test_network_cost_from_network_csv_is_charged_per_mtok(tmp_path):
    t = tiny_tables()
    t["network"] = [{"region": "a", "location": "lb", "cost_per_mtok": 20.0}]
    res = solve_tiny(tmp_path, t)
    # a at lb costs 50 + 20 = 70 < 100 at la
    assert cost(res) == pytest.approx(BASE + H * 20)
    assert res.summary["cost_breakdown"]["network"] == pytest.approx(H * 20)


# --- family 3: capacity ------------------------------------------------------------------------
def test_utilisation_ceiling_sizes_capacity(tmp_path):
    t = tiny_tables()
    t["hardware"][0]["capex_per_unit"] = 100_000.0  # per MW-yr: 1000 kW units, 1-yr life, r=0
    res = solve_tiny(tmp_path, t, policy__utilisation_max=0.5, finance__discount_rate=0.0)
    # busy 2 MW at lb needs 4 MW installed: 400,000 capex + 876,000 energy
    assert cost(res) == pytest.approx(1_276_000)
    assert res.sites.set_index("site").loc["lb-air", "mw_it_total"] == pytest.approx(4.0)
    assert res.sites.set_index("site").loc["lb-air", "utilisation"] == pytest.approx(0.5)


def test_annuity_of_hardware_capex(tmp_path):
    t = tiny_tables()
    t["hardware"][0].update(capex_per_unit=1_000_000.0, lifetime_years=2.0)
    res = solve_tiny(tmp_path, t, finance__discount_rate=0.1)
    crf = 0.1 / (1 - 1.1 ** -2)  # 0.5761905
    assert res.summary["cost_breakdown"]["hardware"] == pytest.approx(2 * 1e6 * crf)


# --- family 4: build ---------------------------------------------------------------------------
def test_max_mw_caps_the_cheap_location(tmp_path):
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.0
    res = solve_tiny(tmp_path, t)
    assert cost(res) == pytest.approx(H * (50 + 100))


def test_fixed_cost_closes_the_cheap_location(tmp_path):
    t = tiny_tables()
    t["locations"][1]["fixed_cost_per_year"] = 1_000_000.0
    res = solve_tiny(tmp_path, t)
    # lb: 876,000 + 1,000,000 > la: 2 x 8760 x 100 = 1,752,000
    assert cost(res) == pytest.approx(1_752_000)
    assert res.sites.set_index("site").loc["lb-air", "open"] == 0


def test_at_most_one_option_per_location(tmp_path):
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.0
    t["site_options"].append({"site": "lb-liquid", "location": "lb", "cooling": "air",
                              "pue": 1.0})
    res = solve_tiny(tmp_path, t)
    # two open options at lb would hold 2 MW (876,000); one option holds 1 MW
    assert cost(res) == pytest.approx(H * (50 + 100))
    assert res.sites.set_index("site").loc[["lb-air", "lb-liquid"], "open"].sum() == 1


def test_min_mw_forces_a_large_build(tmp_path):
    t = tiny_tables()
    t["locations"][1]["min_mw"] = 5.0
    t["hardware"][0]["capex_per_unit"] = 10_000.0
    res = solve_tiny(tmp_path, t, finance__discount_rate=0.0)
    # lb needs 5 MW (50,000 capex) but still beats la (2 x 8760 x 50 more energy)
    assert cost(res) == pytest.approx(BASE + 50_000)
    assert res.sites.set_index("site").loc["lb-air", "mw_it_total"] == pytest.approx(5.0)


def test_existing_capacity_is_kept_open(tmp_path):
    t = tiny_tables()
    t["site_options"][0]["existing_mw"] = 3.0
    t["hardware"][0]["capex_per_unit"] = 10_000.0
    res = solve_tiny(tmp_path, t, finance__discount_rate=0.0)
    sites = res.sites.set_index("site")
    assert sites.loc["la-air", "open"] == 1
    assert sites.loc["la-air", "mw_it_total"] == pytest.approx(3.0)
    assert cost(res) == pytest.approx(BASE + 10_000 * (3 + 2))


# --- family 5: utilisation floor -------------------------------------------------------------
def test_utilisation_floor_puts_work_on_existing_capacity(tmp_path):
    t = tiny_tables()
    t["site_options"][0]["existing_mw"] = 5.0
    res = solve_tiny(tmp_path, t, policy__utilisation_min=0.2)
    # la must run >= 0.2 x 5 = 1 MW on average: region a's 1 Mtok/h moves there
    assert cost(res) == pytest.approx(H * (100 + 50))
    assert res.sites.set_index("site").loc["la-air", "utilisation"] == pytest.approx(0.2)


# --- family 6: power ---------------------------------------------------------------------------
def test_pue_scales_grid_energy(tmp_path):
    t = tiny_tables()
    t["site_options"][1]["pue"] = 1.5
    res = solve_tiny(tmp_path, t)
    assert cost(res) == pytest.approx(1.5 * BASE)
    assert res.summary["energy_twh"] == pytest.approx(1.5 * 2 * H / 1e6)


def test_idle_share_draws_power_on_unused_capacity(tmp_path):
    t = tiny_tables()
    t["hardware"][0]["idle_share"] = 0.5
    t["hardware"][0]["capex_per_unit"] = 1.0  # tiny capex so capacity is not oversized
    res = solve_tiny(tmp_path, t, policy__utilisation_max=0.5, finance__discount_rate=0.0)
    # busy 2 MW, installed 4 MW: IT power 0.5 x 2 + 0.5 x 4 = 3 MW
    assert res.summary["cost_breakdown"]["electricity"] == pytest.approx(3 * H * 50)


def _with_ppa(t, cost_per_mw_year: float, max_mw=None, cf: float = 0.5):
    t["renewables"] = [{"region": "b", "tech": "solar", "slice": "all", "cf": cf}]
    t["ppa"] = [{"region": "b", "tech": "solar", "cost_per_mw_year": cost_per_mw_year,
                 "max_mw": max_mw}]
    return t


def test_cheap_ppa_replaces_grid_power(tmp_path):
    # PPA at cf 0.5 costing 100,000/MW-yr = 22.8/MWh < 50: 4 MW cover the 2 MW load
    res = solve_tiny(tmp_path, _with_ppa(tiny_tables(), 100_000.0))
    assert cost(res) == pytest.approx(400_000)
    assert res.summary["green_share"] == pytest.approx(1.0)


def test_ppa_limited_by_max_mw(tmp_path):
    res = solve_tiny(tmp_path, _with_ppa(tiny_tables(), 100_000.0, max_mw=2.0))
    assert cost(res) == pytest.approx(200_000 + H * 50 * 1)


# --- family 7: green share -----------------------------------------------------------------------
def test_green_share_buys_ppa(tmp_path):
    # grid at b is 60 % green; 80 % needs p >= 1 MW of PPA (cf 1, 100/MWh)
    t = _with_ppa(tiny_tables(), 876_000.0, cf=1.0)
    res = solve_tiny(tmp_path, t, policy__min_green_share=0.8)
    assert cost(res) == pytest.approx(H * 50 * 1 + 876_000)
    assert res.summary["green_share"] == pytest.approx(0.8)


def test_green_share_with_certificates(tmp_path):
    res = solve_tiny(tmp_path, policy__min_green_share=0.8,
                     policy__certificates={"price_per_mwh": 20.0, "max_share": 1.0})
    # certificates for 0.2 x 17,520 MWh = 3,504 MWh at 20
    assert cost(res) == pytest.approx(BASE + 3504 * 20)
    assert res.summary["cost_breakdown"]["certificates"] == pytest.approx(3504 * 20)


def test_per_site_green_share(tmp_path):
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.0
    t = _with_ppa(t, 876_000.0, cf=1.0)
    t["renewables"].append({"region": "a", "tech": "solar", "slice": "all", "cf": 1.0})
    t["ppa"].append({"region": "a", "tech": "solar", "cost_per_mw_year": 876_000.0})
    res = solve_tiny(tmp_path, t, policy__min_site_green_share=0.6)
    # lb (green 0.6) needs nothing; la (green 0.2) needs 0.5 MW PPA: 0.2 x 0.5 + 0.5 = 0.6
    assert cost(res) == pytest.approx(H * (50 + 100 * 0.5) + 876_000 * 0.5)


# --- family 8: carbon, resilience, single-sourcing ------------------------------------------------
def test_carbon_price_adds_to_grid_cost(tmp_path):
    res = solve_tiny(tmp_path, policy__carbon_price_per_t=100.0)
    # lb: 50 + 0.3 x 100 = 80 < la: 100 + 50
    assert cost(res) == pytest.approx(2 * H * 80)
    assert res.summary["tco2"] == pytest.approx(2 * H * 0.3)


def test_carbon_cap_buys_clean_power(tmp_path):
    t = _with_ppa(tiny_tables(), 876_000.0, cf=1.0)
    res = solve_tiny(tmp_path, t, policy__carbon_cap_t=H * 0.3)
    # grid at lb limited to 1 MW: 1 MW PPA at 876,000
    assert cost(res) == pytest.approx(H * 50 + 876_000)
    assert res.summary["tco2"] == pytest.approx(H * 0.3)


def test_resilience_share_splits_demand(tmp_path):
    res = solve_tiny(tmp_path, policy__max_site_share=0.5)
    assert cost(res) == pytest.approx(H * (50 + 100))


def test_single_sourcing_forbids_splitting_a_region(tmp_path):
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.5
    split = solve_tiny(tmp_path / "split", t)
    assert cost(split) == pytest.approx(H * (50 * 1.5 + 100 * 0.5))
    single = solve_tiny(tmp_path / "single", t, policy__single_sourcing=True)
    assert cost(single) == pytest.approx(H * (50 + 100))
    assert (single.allocation["share"].round(9) == 1.0).all()


# --- marginal cost (duals with integers fixed) -------------------------------------------
def test_marginal_cost_is_the_marginal_site(tmp_path):
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.5
    res = solve_tiny(tmp_path, t)
    # lb is full, so one more Mtok anywhere is served at la for 100
    assert res.regions["marginal_cost_per_mtok"].tolist() == pytest.approx([100.0, 100.0])
    assert res.regions["avg_cost_per_mtok"].tolist() != pytest.approx([100.0, 100.0])
