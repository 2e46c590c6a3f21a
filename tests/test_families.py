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
    assert res.sites.set_index("site").loc["lb-air", "utilisation_realised"] == pytest.approx(0.5)


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
    assert res.sites.set_index("site").loc["la-air", "utilisation_realised"] == pytest.approx(0.2)


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
    t["ppa"].append({"region": "a", "tech": "solar", "cost_per_mw_year": 1_752_000.0})
    res = solve_tiny(tmp_path, t, policy__min_site_green_share=0.6)
    # lb (green 0.6) needs nothing; la (green 0.2) needs 0.5 MW PPA: 0.2 x 0.5 + 0.5 = 0.6,
    # at 200/MWh where its grid costs 100 (without the row: H x 150)
    assert cost(res) == pytest.approx(H * (50 + 100 * 0.5) + 1_752_000 * 0.5)


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


# --- computing-electricity synergy: hourly matching, storage, curtailment, moves -------------
def _day_night(storage: bool = False, wind: bool = False):
    """lb only (grid 50/MWh, 60 % green), flat 1 MW load, one day of two 12-h slices (4380 h
    each): solar PPA (cf 1 by day, 0 at night) at 100,000/MW-yr = 22.83/MWh by day; optional
    wind (cf 0.5 in both) at 219,000/MW-yr = 50/MWh; optional battery at 10,000/MWh-yr and
    20,000/MW-yr, 80 % round trip (1-yr life, discount rate 0: capex is the annual cost)."""
    t = tiny_tables()
    t["locations"] = [r for r in t["locations"] if r["location"] == "lb"]
    t["site_options"] = [r for r in t["site_options"] if r["location"] == "lb"]
    t["demand"] = [r for r in t["demand"] if r["region"] == "b"]
    t["slices"] = [{"slice": "sun", "day": "d", "hour": 6, "weight_h": 4380.0},
                   {"slice": "night", "day": "d", "hour": 18, "weight_h": 4380.0}]
    t["renewables"] = [{"region": "b", "tech": "solar", "slice": "sun", "cf": 1.0},
                       {"region": "b", "tech": "solar", "slice": "night", "cf": 0.0}]
    t["ppa"] = [{"region": "b", "tech": "solar", "cost_per_mw_year": 100_000.0}]
    if wind:
        t["renewables"] += [{"region": "b", "tech": "wind", "slice": s, "cf": 0.5}
                            for s in ("sun", "night")]
        t["ppa"].append({"region": "b", "tech": "wind", "cost_per_mw_year": 219_000.0})
    if storage:
        t["storage"] = [{"storage": "lfp", "name": "LFP", "energy_capex_per_mwh": 10_000.0,
                         "power_capex_per_mw": 20_000.0, "lifetime_years": 1.0,
                         "round_trip_efficiency": 0.8}]
    return t


DAY_NIGHT = {"finance__discount_rate": 0.0, "solver__mip_rel_gap": 0.0}


def test_annual_share_is_met_by_day_solar_and_night_grid(tmp_path):
    # 1 MW solar by day (100,000) + night grid 4380 x 50 (219,000): green (4380 + 0.6 x 4380)
    # / 8760 = 0.8 exactly, so the annual 80 % costs nothing extra
    res = solve_tiny(tmp_path, _day_night(wind=True), policy__min_green_share=0.8, **DAY_NIGHT)
    assert cost(res) == pytest.approx(319_000)
    assert res.summary["clean_score_min_slice"] == pytest.approx(0.6)  # the night
    assert res.summary["clean_score_hourly"] == pytest.approx(0.8)


def test_hourly_matching_buys_wind_for_the_night(tmp_path):
    # hourly 80 %: at night 0.6 g + u >= 0.8 (g + u), g + u = 1 -> u >= 0.5, so 1 MW of wind
    # (cf 0.5): 219,000; by day wind gives 0.5, solar 0.5 MW (50,000); night grid 0.5 MW
    # (0.5 x 4380 x 50 = 109,500): 378,500, i.e. 59,500 more than the annual 80 %
    res = solve_tiny(tmp_path, _day_night(wind=True), policy__min_green_share=0.8,
                     policy__green_accounting="hourly", policy__hourly_clean_share=0.8,
                     **DAY_NIGHT)
    assert cost(res) == pytest.approx(378_500)
    assert res.summary["clean_score_min_slice"] == pytest.approx(0.8)
    hours = res.site_hours.set_index("slice")
    assert hours.loc["night", "grid_mw"] == pytest.approx(0.5)
    assert hours.loc["night", "clean_score"] == pytest.approx(0.8)


def test_storage_shifts_solar_to_the_night_under_hourly_matching(tmp_path):
    # hourly 90 %: at night 0.6 g + dis >= 0.9, g + dis = 1 -> g <= 0.25. Night storage costs
    # 61.6/MWh (> grid 50), so g = 0.25 exactly and the battery gives 0.75 MW for 12 h = 9 MWh,
    # charged with 9 / 0.8 = 11.25 MWh of solar over 12 h = 0.9375 MW (the power rating).
    # Solar 1 + 0.9375 MW: 193,750; battery 9 x 10,000 + 0.9375 x 20,000 = 108,750;
    # night grid 0.25 x 4380 x 50 = 54,750. Total 357,250.
    res = solve_tiny(tmp_path, _day_night(storage=True), policy__min_green_share=0.9,
                     policy__green_accounting="hourly", policy__hourly_clean_share=0.9,
                     synergy__storage=True, **DAY_NIGHT)
    assert cost(res) == pytest.approx(357_250)
    assert res.summary["storage_mwh"] == pytest.approx(9.0)
    assert res.summary["storage_mw"] == pytest.approx(0.9375)
    hours = res.site_hours.set_index("slice")
    # state of charge is cyclic within the day: full (9 MWh) after the sun, empty after night
    assert hours.loc["sun", "storage_soc_mwh"] == pytest.approx(9.0)
    assert hours.loc["night", "storage_soc_mwh"] == pytest.approx(0.0, abs=1e-7)
    assert hours.loc["night", "storage_discharge_mw"] == pytest.approx(0.75)
    assert hours.loc["night", "clean_score"] == pytest.approx(0.9)


def test_storage_under_the_annual_share_is_smaller(tmp_path):
    # annual 90 %: solar by day + night grid give 80 %; the other 876 MWh of clean energy come
    # from replacing x MW of night grid by storage (+0.4 clean per MWh): x = 0.5, E = 6 MWh,
    # charge 7.5 MWh / 12 h = 0.625 MW. Solar 1.625 MW: 162,500; battery 60,000 + 12,500;
    # night grid 0.5 x 4380 x 50 = 109,500. Total 344,500: 12,750 below hourly 90 %.
    res = solve_tiny(tmp_path, _day_night(storage=True), policy__min_green_share=0.9,
                     synergy__storage=True, **DAY_NIGHT)
    assert cost(res) == pytest.approx(344_500)
    assert res.summary["storage_mwh"] == pytest.approx(6.0)


def test_no_storage_no_hourly_90(tmp_path):
    from siteplan.errors import InfeasibleError

    # night clean supply is the grid's 60 % only: 0.3 MW of the 1 MW night load short
    with pytest.raises(InfeasibleError, match="hourly matching must give") as err:
        solve_tiny(tmp_path, _day_night(), policy__green_accounting="hourly",
                   policy__hourly_clean_share=0.9, **DAY_NIGHT)
    assert "lb in slice night" in str(err.value)


def _with_curtailment(t):
    t["curtailment"] = [{"region": "b", "slice": "all", "surplus_mw": 0.5, "price_per_mwh": 10.0}]
    return t


def test_curtailed_energy_is_absorbed_up_to_the_surplus(tmp_path):
    # lb's 2 MW load: 0.5 MW of region b's surplus at 10/MWh (43,800) + 1.5 MW grid at 50
    # (657,000) = 700,800; 4380 MWh absorbed; tCO2 1.5 x 8760 x 0.3 = 3942
    res = solve_tiny(tmp_path, _with_curtailment(tiny_tables()),
                     synergy__absorb_curtailment=True)
    assert cost(res) == pytest.approx(700_800)
    assert res.summary["curtailment_absorbed_mwh"] == pytest.approx(4380)
    assert res.summary["tco2"] == pytest.approx(3942)
    assert res.summary["cost_breakdown"]["curtailment"] == pytest.approx(43_800)


def test_curtailment_is_unused_unless_the_scenario_allows_it(tmp_path):
    res = solve_tiny(tmp_path, _with_curtailment(tiny_tables()))
    assert cost(res) == pytest.approx(BASE)


def _two_days():
    """Shiftable flat 2 Mtok/h (regions a and b, one group); two days of 4380 h (one slice
    each); grid 100/MWh at both locations; solar PPA at 219,000/MW-yr (50/MWh on its day):
    at la it shines on day 1 only, at lb on day 2 only."""
    t = tiny_tables()
    t["regions"][1]["price_per_mwh"] = 100.0
    t["workloads"][0]["shiftable"] = "true"
    t["slices"] = [{"slice": "d1", "day": "d1", "hour": 0, "weight_h": 4380.0},
                   {"slice": "d2", "day": "d2", "hour": 0, "weight_h": 4380.0}]
    t["renewables"] = [{"region": r, "tech": "solar", "slice": s, "cf": cf}
                       for r, s, cf in (("a", "d1", 1.0), ("a", "d2", 0.0),
                                        ("b", "d1", 0.0), ("b", "d2", 1.0))]
    t["ppa"] = [{"region": r, "tech": "solar", "cost_per_mw_year": 219_000.0} for r in "ab"]
    return t


def test_work_moves_between_sites_day_by_day_to_follow_the_sun(tmp_path):
    # day 1 all 2 MW at la on 2 MW of PPA a, day 2 at lb on PPA b: 4 x 219,000 = 876,000;
    # half the year's work runs away from its route's average site (moved share 0.5)
    res = solve_tiny(tmp_path, _two_days())
    assert cost(res) == pytest.approx(876_000)
    assert res.summary["moved_between_sites_share"] == pytest.approx(0.5)


def test_pinned_site_shares_cannot_follow_the_sun(tmp_path):
    # a fixed share s at la every day: PPA covers la on day 1 and lb on day 2 (2 MW in all,
    # 438,000) and the grid the rest (2 MW x 4380 h x 100 = 876,000): 1,314,000 for any s
    res = solve_tiny(tmp_path, _two_days(), synergy__move_between_sites=False)
    assert cost(res) == pytest.approx(1_314_000)
    assert res.summary["moved_between_sites_share"] == pytest.approx(0.0, abs=1e-9)


def test_certificates_mode_named_explicitly(tmp_path):
    # same as test_green_share_with_certificates, with the mode written out
    res = solve_tiny(tmp_path, policy__min_green_share=0.8,
                     policy__green_accounting="certificates",
                     policy__certificates={"price_per_mwh": 20.0, "max_share": 1.0})
    assert cost(res) == pytest.approx(BASE + 3504 * 20)
    assert res.summary["green_accounting"] == "certificates"


def test_storage_cannot_carry_energy_between_representative_days(tmp_path):
    # a second day with no sun: each day's state of charge is cyclic, so day 1's solar cannot
    # be stored for day 2 and hourly 90 % is out of reach there (grid is 60 % green)
    from siteplan.errors import InfeasibleError

    t = _day_night(storage=True)
    t["slices"] = [dict(s, weight_h=2190.0) for s in t["slices"]]
    t["slices"] += [{"slice": f"{s['slice']}2", "day": "d2", "hour": s["hour"],
                     "weight_h": 2190.0} for s in t["slices"]]
    t["renewables"] += [{"region": "b", "tech": "solar", "slice": s, "cf": 0.0}
                        for s in ("sun2", "night2")]
    with pytest.raises(InfeasibleError, match="hourly matching must give"):
        solve_tiny(tmp_path, t, policy__green_accounting="hourly",
                   policy__hourly_clean_share=0.9, synergy__storage=True, **DAY_NIGHT)


# --- family 13: water ------------------------------------------------------------------------
def _wet(dry_lb: bool = False):
    """Air cooling uses 1 L/kWh of IT energy (1 m3 per MWh); with ``dry_lb``, lb's only
    option is dry (no water) at PUE 1.2."""
    t = tiny_tables()
    t["cooling"][0]["wue_l_per_kwh"] = 1.0
    if dry_lb:
        t["cooling"].append({"cooling": "dry", "name": "Dry", "facility_cost_per_mw_year": 0.0,
                             "wue_l_per_kwh": 0.0})
        t["site_options"][1].update(site="lb-dry", cooling="dry", pue=1.2)
    return t


def test_water_cap_moves_work_to_the_dear_province(tmp_path):
    # lb (region b) may withdraw 13,140 m3 = 1.5 MW x 8760 h: the other 0.5 MW goes to la
    res = solve_tiny(tmp_path, _wet(), policy__water_cap_m3={"b": 13_140.0})
    assert cost(res) == pytest.approx(H * (1.5 * 50 + 0.5 * 100))
    sites = res.sites.set_index("site")
    assert sites.loc["lb-air", "water_m3"] == pytest.approx(13_140.0)
    assert sites.loc["la-air", "water_m3"] == pytest.approx(0.5 * H)


def test_water_cap_chooses_dry_cooling(tmp_path):
    # no water at b: lb's dry option (PUE 1.2: 2 x 1.2 x 50 per h) beats la (2 x 100 per h)
    res = solve_tiny(tmp_path, _wet(dry_lb=True), policy__water_cap_m3={"b": 0.0})
    assert cost(res) == pytest.approx(H * 2 * 1.2 * 50)
    assert res.summary["water_m3"] == pytest.approx(0.0)


def test_water_cap_that_no_plan_meets_is_named(tmp_path):
    from siteplan.errors import InfeasibleError

    # 17,520 m3 are needed (2 MW x 8760 h at 1 m3/MWh) and none is allowed anywhere
    with pytest.raises(InfeasibleError, match="water cap must give: policy.water_cap_m3 must "
                                              "rise by 17,520 m3"):
        solve_tiny(tmp_path, _wet(), policy__water_cap_m3={"a": 0.0, "b": 0.0})


def test_unknown_province_in_water_cap_is_a_scenario_error(tmp_path):
    from siteplan.errors import InputDataError

    with pytest.raises(InputDataError, match="key 'policy.water_cap_m3': unknown id 'c'"):
        solve_tiny(tmp_path, _wet(), policy__water_cap_m3={"c": 1.0})
