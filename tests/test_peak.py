"""Peak sizing (time.keep_peak, policy.peak_headroom), planned vs realised utilisation, the
headline case, and hardware-cooling compatibility (rack_kw / max_rack_kw), on hand-solved
tiny cases."""

from __future__ import annotations

import pytest

import siteplan
from builders import TOKENS_PER_S_PER_MW, solve_tiny, tiny_tables, write_scenario
from siteplan.errors import InputDataError
from siteplan.results.case import headline_case

H = 8760.0


def _peaky() -> dict:
    """One day of four hourly slices (2190 h each); chat profile 0.5, 1, 1, 1.5 (mean 1).

    Demand 1 Mtok/h mean in each of a and b, so 2 Mtok/h in all, 3 at the hour-3 peak. No
    latency limit: everything goes to lb (50/MWh against 100). Hardware 1,000 per MW-yr
    (discount rate 0, life 1 y), 1 MW-IT serves 1 Mtok/h, PUE 1, idle 0.
    """
    t = tiny_tables()
    t["hardware"][0]["capex_per_unit"] = 1000.0
    t["slices"] = [{"slice": f"h{h}", "day": "d", "hour": h, "weight_h": H / 4}
                   for h in range(4)]
    t["demand_profile"] = [{"workload": "chat", "slice": f"h{h}", "factor": f}
                           for h, f in enumerate([0.5, 1.0, 1.0, 1.5])]
    return t


ENERGY = 50 * H * 2  # 876,000: every Mtok at lb, 1 MWh per Mtok, whatever the capacity


def _solve(tmp_path, tables=None, **keys):
    return solve_tiny(tmp_path, tables or _peaky(), finance__discount_rate=0.0, **keys)


def test_the_kept_peak_hour_sets_capacity(tmp_path):
    """Hand optimum: cost = 1,000 x cap + 876,000 with cap >= the largest slice rate.

    Hourly (hours_per_slice 1): cap = 3 -> 879,000. One 4-hour slice with the peak kept
    (default): slices {h0..h2} at 0.833 and {h3} at 1.5 per region -> cap = 3 -> 879,000,
    the hourly optimum. Realised utilisation = 2 / 3 of the planned ceiling 1.
    """
    hourly = _solve(tmp_path / "hourly")
    kept = _solve(tmp_path / "kept", time__hours_per_slice=4)
    for res in (hourly, kept):
        assert res.summary["objective"] == pytest.approx(1000 * 3 + ENERGY)
        assert res.sites.set_index("site").loc["lb-air", "mw_it_total"] == pytest.approx(3.0)
    assert kept.summary["size"]["slices"] == 2
    assert kept.summary["peak_slices"] == {"chat": "h3"}  # the slice kept for chat's peak
    assert kept.summary["utilisation_planned"] == 1.0
    assert kept.summary["utilisation_realised"] == pytest.approx(2 / 3)
    lb = kept.sites.set_index("site").loc["lb-air"]
    assert (lb["utilisation_planned"], lb["utilisation_realised"]) == pytest.approx((1.0, 2 / 3))


def test_aggregation_without_the_kept_peak_undersizes(tmp_path):
    """keep_peak false: the one 4-hour slice has the mean rate 2, so cap = 2 -> 878,000, a
    plan that cannot serve the 3 Mtok/h of hour 3 (the hourly optimum needs 3 MW)."""
    res = _solve(tmp_path, time__hours_per_slice=4, time__keep_peak=False)
    assert res.summary["size"]["slices"] == 1
    assert res.summary["objective"] == pytest.approx(1000 * 2 + ENERGY)
    assert res.sites.set_index("site").loc["lb-air", "mw_it_total"] == pytest.approx(2.0)


def test_headroom_sizes_latency_bound_capacity_above_its_peak(tmp_path):
    """peak_headroom 1.2: 1.2 x 3 <= cap -> cap = 3.6 -> 879,600; at utilisation_max 0.8 the
    ceiling applies to the reserve too: 1.2 x 3 <= 0.8 cap -> cap = 4.5 -> 880,500."""
    res = _solve(tmp_path / "h", time__hours_per_slice=4, policy__peak_headroom=1.2)
    assert res.summary["objective"] == pytest.approx(1000 * 3.6 + ENERGY)
    res = _solve(tmp_path / "u", time__hours_per_slice=4, policy__peak_headroom=1.2,
                 policy__utilisation_max=0.8)
    assert res.summary["objective"] == pytest.approx(1000 * 4.5 + ENERGY)
    assert res.summary["utilisation_planned"] == 0.8
    assert res.summary["utilisation_realised"] == pytest.approx(2 / 4.5)


def test_shiftable_work_fills_the_headroom(tmp_path):
    """Add batch (shiftable, 0.6 Mtok/h flat per region, 1 Mtok/h per MW, peak_factor 10) at
    headroom 1.2: the reserve 0.6 MW above the 3 MW chat peak is free for batch, which only
    needs its daily volume, 1.2 Mtok/h x 24 h = 28.8 Mtok a day, placed in the slices where
    chat leaves room under cap 3.6 (room 1.6 + 1.6 + 1.6 + 0.6 MW x 6 h = 32.4 >= 28.8).
    So cap stays 3.6 -> 3,600 + 50 x 8760 x 3.2 = 1,405,200 (energy of chat and batch)."""
    t = _peaky()
    t["workloads"].append({"workload": "batch", "name": "Batch", "shiftable": "true",
                           "peak_factor": 10.0})
    t["throughput"].append({"hardware": "gpu", "workload": "batch",
                            "tokens_per_s": TOKENS_PER_S_PER_MW})
    t["demand"] += [{"region": r, "workload": "batch", "tokens_per_day": 0.6 * 24e6}
                    for r in "ab"]
    res = _solve(tmp_path, t, policy__peak_headroom=1.2)
    assert res.summary["objective"] == pytest.approx(3600 + 50 * H * 3.2)


def test_flat_profiles_keep_their_slices(tmp_path):
    """No peak to keep: a flat chat profile merges into one slice as before."""
    t = _peaky()
    del t["demand_profile"]
    res = _solve(tmp_path, t, time__hours_per_slice=4)
    assert res.summary["size"]["slices"] == 1
    assert res.summary["objective"] == pytest.approx(1000 * 2 + ENERGY)


# --- headline case ------------------------------------------------------------------------
def test_headline_says_best_case_and_the_other_figure(tmp_path):
    path = write_scenario(tmp_path, tiny_tables(), policy__utilisation_max=0.85,
                          case__other_scenario="tiny-realistic",
                          case__other_cost_per_mtok=3.5)
    sc = siteplan.load_scenario(path)
    block = headline_case(sc, {"utilisation_realised": 0.8})
    assert block["kind"] == "best"
    assert block["text"] == ("best case: every site sized at the utilisation ceiling 85% "
                             "(realised 80% over the year); measured utilisation of China's "
                             "computing centres is nearer 30 %; the realistic case "
                             "(tiny-realistic): 3.5000 CNY/Mtok")
    # figures measured for another scenario (inherited): the case is said, the figure not
    sc = siteplan.load_scenario(path, ["case.figures_for=tiny-base"])
    assert headline_case(sc, {})["text"].endswith("nearer 30 %; the realistic case "
                                                  "(tiny-realistic)")
    sc = siteplan.load_scenario(write_scenario(tmp_path / "r", tiny_tables(),
                                               policy__utilisation_max=0.3,
                                               case__kind="realistic"))
    text = headline_case(sc, {})["text"]
    assert text == ("realistic case: every site sized at the utilisation ceiling 30%, as "
                    "measured rather than at the policy target")


# --- hardware-cooling compatibility ---------------------------------------------------------
def _dense() -> dict:
    """Air (25 kW/rack, facility 100 per MW-yr) or liquid (200 kW/rack, 150) at each location;
    one chip with 40 kW racks; 2 Mtok/h flat in all, so 2 MW-IT, all at lb (energy 876,000)."""
    t = tiny_tables()
    t["cooling"] = [
        {"cooling": "air", "name": "Air", "facility_cost_per_mw_year": 100.0,
         "max_rack_kw": 25.0},
        {"cooling": "liquid", "name": "Liquid", "facility_cost_per_mw_year": 150.0,
         "max_rack_kw": 200.0}]
    t["site_options"] += [{"site": f"{loc}-liquid", "location": loc, "cooling": "liquid",
                           "pue": 1.0} for loc in ("la", "lb")]
    t["hardware"][0]["rack_kw"] = 40.0
    return t


def test_a_dense_chip_forces_liquid_cooling_and_its_premium(tmp_path):
    """Hand optimum: the 40 kW racks fit only liquid: 150 x 2 + 876,000 = 876,300 (air would
    be 876,200: the premium is 50 per MW x 2 MW)."""
    res = _solve(tmp_path, _dense())
    assert res.summary["objective"] == pytest.approx(876_300)
    sites = res.sites.set_index("site")
    assert sites.loc["lb-liquid", "mw_it_total"] == pytest.approx(2.0)
    assert sites.loc["lb-air", "mw_it_total"] == pytest.approx(0.0)


def test_without_rack_densities_the_dense_chip_sits_in_air(tmp_path):
    """Removal: rack_kw blank -> any cooling hosts it -> air at 876,200."""
    t = _dense()
    t["hardware"][0]["rack_kw"] = None
    res = _solve(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(876_200)
    assert res.sites.set_index("site").loc["lb-air", "mw_it_total"] == pytest.approx(2.0)


def test_a_sparse_chip_in_air_competes_with_the_dense_one_in_liquid(tmp_path):
    """A second chip with 20 kW racks (fits air) at 1,000 more per MW-yr: dense + liquid
    (150) beats sparse + air (100 + 1,000), so 876,300 again; at a 10 per MW-yr premium the
    sparse chip in air wins: 110 x 2 + 876,000 = 876,220."""
    for extra, want in ((1000.0, 876_300), (10.0, 876_220)):
        t = _dense()
        t["hardware"].append({"hardware": "sparse", "name": "Sparse", "kw_per_unit": 1000.0,
                              "capex_per_unit": extra, "lifetime_years": 1.0,
                              "idle_share": 0.0, "rack_kw": 20.0})
        t["throughput"].append({"hardware": "sparse", "workload": "chat",
                                "tokens_per_s": TOKENS_PER_S_PER_MW})
        res = _solve(tmp_path / str(extra), t)
        assert res.summary["objective"] == pytest.approx(want)


def test_existing_capacity_the_cooling_cannot_hold_is_an_input_error(tmp_path):
    t = _dense()
    t["existing_capacity"] = [{"site": "lb-air", "hardware": "gpu", "build_year": 2025,
                               "mw": 1.0}]
    with pytest.raises(InputDataError) as exc:
        _solve(tmp_path, t)
    (line,) = exc.value.problems
    assert "existing_capacity.csv: site lb-air, hardware gpu" in line
    assert "max_rack_kw" in line and "rack_kw" in line


def test_the_cli_summary_and_the_report_say_the_headline_case(tmp_path):
    from siteplan.report.html import build_report
    from siteplan.results.text import format_summary

    res = _solve(tmp_path, time__hours_per_slice=4, case__kind="realistic",
                 case__other_scenario="tiny-best", case__other_objective=5e5)
    text = ("realistic case: every site sized at the utilisation ceiling 100% (realised 67% "
            "over the year), as measured rather than at the policy target; the best case "
            "(tiny-best): 0.001 billion CNY/yr")
    assert res.summary["headline_case"]["text"] == text
    printed = format_summary(res.summary, tmp_path / "out")
    assert f"  headline           {text}" in printed.splitlines()
    assert "  utilisation        planned 100.0%, realised 66.7% (busy MWh / MW-IT x 8760 h)" \
        in printed.splitlines()
    res.write(tmp_path / "out")
    html = build_report([tmp_path / "out"], maps=False)
    assert f"Headline: {text}." in html
