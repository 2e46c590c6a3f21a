"""Deliberately infeasible tiny plans: exit code 3 and the cause in planning terms.

Base instance (tests/builders.py): regions a (0, 0) and b (0, 10 deg east), one location at
each (la, lb: max_mw 100), 1 MW-IT serves 1 Mtok/h, PUE 1, one slice of 8760 h; each region
demands 1 Mtok/h of class chat. Round-trip latency a -> lb is ~16.3 ms (zero overhead), so a
10 ms limit ties a to la and b to lb.

The first group is caught by the pre-solve checks (diagnose.py); the second passes them
and is explained by the elastic re-solve (elastic.py), which reports by how much each limit
must give.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.cli import main

H = 8760.0


def _latency(t, ms=10.0):
    t["workloads"][0]["latency_ms"] = ms


def _run(tmp_path, tables, *args, **keys):
    path = write_scenario(tmp_path, tables, **keys)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(out), *args])
    assert result.exit_code == 3, (result.output, result.exception)
    assert "Traceback" not in result.output
    assert not out.exists()
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert all(ln.startswith("error: infeasible: ") for ln in lines), lines
    return result.output


# --- pre-solve causes ------------------------------------------------------------------------
def test_pue_cap_excludes_every_option_in_reach(tmp_path):
    t = tiny_tables()
    _latency(t)
    t["site_options"][0]["pue"] = 1.3
    out = _run(tmp_path, t, policy__pue_cap={"east": 1.2})
    assert "region a, class chat" in out
    assert "PUE cap 1.2 (east) excludes every cooling option at la" in out
    assert "best PUE there 1.3" in out


def test_location_excluded_by_policy_in_reach(tmp_path):
    t = tiny_tables()
    _latency(t)
    out = _run(tmp_path, t, policy__exclude_locations=["lb"])
    assert "region b, class chat" in out
    assert "lb is excluded by policy.exclude_locations" in out


def test_class_capacity_within_latency(tmp_path):
    # a can only reach la (0.5 MW) but needs 1 MW; total capacity (100.5 MW) is plenty
    t = tiny_tables()
    _latency(t)
    t["locations"][0]["max_mw"] = 0.5
    out = _run(tmp_path, t)
    assert "chat demand of regions a can only reach la" in out
    assert "needs 1 MW IT installed" in out and "max_mw there is 0.5 MW" in out


def test_class_capacity_within_latency_at_the_utilisation_ceiling(tmp_path):
    t = tiny_tables()
    _latency(t)
    t["locations"][1]["max_mw"] = 1.0  # b needs 1 MW busy -> 1.25 MW at u_max 0.8
    out = _run(tmp_path, t, policy__utilisation_max=0.8)
    assert "regions b can only reach lb" in out
    assert "needs 1.25 MW IT installed (1 MW busy at the utilisation ceiling 0.8)" in out
    assert "max_mw there is 1 MW" in out


def test_total_capacity_shortfall(tmp_path):
    t = tiny_tables()
    for loc in t["locations"]:
        loc["max_mw"] = 0.9
    out = _run(tmp_path, t)
    assert "capacity of all open-able sites is 1.8 MW IT" in out
    assert "demand needs 2 MW" in out


def test_utilisation_floor_against_existing_capacity(tmp_path):
    # 50 MW stand at la; the floor 50% needs 219,000 MWh busy, all demand is 17,520 MWh
    t = tiny_tables()
    t["site_options"][0]["existing_mw"] = 50.0
    out = _run(tmp_path, t, policy__utilisation_min=0.5)
    assert "utilisation floor 50% at la-air (la)" in out
    assert "2.19e+05 MWh" in out and "1.752e+04 MWh" in out


def test_carbon_cap_below_cleanest_plan(tmp_path):
    # cleanest: everything at lb (0.3 t/MWh): 2 MW x 8760 h x 0.3 = 5,256 t
    out = _run(tmp_path, tiny_tables(), policy__carbon_cap_t=100.0)
    assert "carbon cap 100 tCO2 is below the cleanest possible plan" in out
    assert "at least 5,256 tCO2" in out


def test_max_site_share_times_locations_below_one(tmp_path):
    out = _run(tmp_path, tiny_tables(), policy__max_site_share=0.4)
    assert "policy.max_site_share 40% x 2 locations that can serve chat (la, lb) = 80%" in out


def test_max_site_share_within_latency(tmp_path):
    # a holds 75% of chat demand and can only reach la, which may serve at most 60%
    t = tiny_tables()
    _latency(t)
    t["demand"][0]["tokens_per_day"] = 72e6
    out = _run(tmp_path, t, policy__max_site_share=0.6)
    assert "regions a hold 75.0% of national chat demand but can only reach 1 location(s) (la)" \
        in out


def test_single_sourcing_region_larger_than_any_location(tmp_path):
    t = tiny_tables()
    t["demand"][0]["tokens_per_day"] = 150 * 24e6  # 150 MW; each location holds 100
    out = _run(tmp_path, t, policy__single_sourcing=True)
    assert "single-sourcing: region a, class chat needs 150 MW IT at one location" in out
    assert "la with max_mw 100 MW" in out


def test_validate_reports_presolve_causes_with_exit_3(tmp_path):
    path = write_scenario(tmp_path, tiny_tables(), policy__carbon_cap_t=100.0)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 3
    assert "carbon cap 100 tCO2" in result.output


# --- elastic re-solve: the pre-solve checks pass, HiGHS proves infeasibility -----------------
def test_elastic_carbon_cap_with_limited_clean_capacity(tmp_path):
    # lb (0.3 t/MWh) holds 1 MW, so 1 MW runs at la (0.5): 8760 x 0.8 = 7,008 t > cap 6,000.
    # The bound (5,256 t, capacity ignored) is below the cap, so only HiGHS finds this.
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.0
    out = _run(tmp_path, t, policy__carbon_cap_t=6000.0)
    assert "carbon cap must give: policy.carbon_cap_t 6,000 tCO2 must rise by 1,008 tCO2" in out
    assert "to 7,008 tCO2" in out
    assert "demand must give" not in out


def test_elastic_green_share_with_limited_green_capacity(tmp_path):
    # best plan: 1 MW at lb (60% green) + 1 MW at la (20%) = 40% < 50%
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.0
    out = _run(tmp_path, t, policy__min_green_share=0.5)
    assert "green share must give: policy.min_green_share 50.0% must fall by 10 percentage " \
           "points (to 40.0%)" in out


def test_elastic_site_green_share_where_latency_forces_a_brown_site(tmp_path):
    t = tiny_tables()
    _latency(t)
    out = _run(tmp_path, t, policy__min_site_green_share=0.5)
    assert "site green share must give" in out
    assert "la -30 pts" in out


def test_utilisation_floor_existing_capacity_out_of_reach(tmp_path):
    # existing 3 MW at la must be 50% busy (13,140 MWh) but latency lets only a (8,760 MWh)
    # reach la
    t = tiny_tables()
    _latency(t)
    t["site_options"][0]["existing_mw"] = 3.0
    out = _run(tmp_path, t, policy__utilisation_min=0.5)
    assert "utilisation floor 50% at la-air (la)" in out


def test_utilisation_floor_existing_capacity_together(tmp_path):
    # existing 1.5 MW at each site, floor 70%: each site alone can be filled (all demand can
    # reach it) but together they need 18,396 MWh > 17,520 MWh of work
    t = tiny_tables()
    for s in t["site_options"]:
        s["existing_mw"] = 1.5
    out = _run(tmp_path, t, policy__utilisation_min=0.7)
    assert "the existing capacity at la-air, lb-air must be busy 1.84e+04 MWh" in out


def test_elastic_reports_through_the_api(tmp_path):
    t = tiny_tables()
    t["locations"][1]["max_mw"] = 1.0
    path = write_scenario(tmp_path, t, policy__carbon_cap_t=6000.0)
    with pytest.raises(siteplan.InfeasibleError) as info:
        siteplan.solve(siteplan.load_scenario(path))
    assert info.value.exit_code == 3
    assert len(info.value.causes) == 1
    assert info.value.causes[0].startswith("carbon cap must give")


def _hall_tables():
    """a reaches {la, lx}, b reaches {lb, lx}, c reaches {lc} (network.csv latencies).

    la, lb, lx hold 1 MW each; a and b need 1.6 MW each: each alone fits in its two
    locations (2 MW), together they need 3.2 MW in {la, lb, lx} (3 MW). That set is no
    single region's reach, so the pre-solve checks pass; lc (100 MW) keeps the total ample.
    """
    t = tiny_tables()
    _latency(t)
    t["regions"].append({**t["regions"][1], "region": "c", "name": "C", "lon": 20.0})
    t["locations"] = [
        {"location": name, "name": name.upper(), "region": "a", "lat": 0.0, "lon": 0.0,
         "max_mw": mw}
        for name, mw in (("la", 1.0), ("lb", 1.0), ("lx", 1.0), ("lc", 100.0))
    ]
    t["site_options"] = [{"site": f"{n}-air", "location": n, "cooling": "air", "pue": 1.0}
                         for n in ("la", "lb", "lx", "lc")]
    reach = {"a": {"la", "lx"}, "b": {"lb", "lx"}, "c": {"lc"}}
    t["network"] = [{"region": r, "location": loc, "latency_ms": 1.0 if loc in locs else 99.0}
                    for r, locs in reach.items() for loc in ("la", "lb", "lx", "lc")]
    t["demand"] = [{"region": r, "workload": "chat", "tokens_per_day": d * 24e6}
                   for r, d in (("a", 1.6), ("b", 1.6), ("c", 1.0))]
    return t


def test_elastic_capacity_gives_when_latency_sets_overlap(tmp_path):
    out = _run(tmp_path, _hall_tables())
    assert "capacity must give: locations need 0.2 MW IT beyond their max_mw" in out
    assert "demand must give" not in out


def test_elastic_demand_report_in_tokens_per_day(tmp_path, monkeypatch):
    # demand is normally the last thing to give; price it below capacity to check its report:
    # a and b lack 0.2 MW = 0.2 Mtok/h = 4.8 million tokens/day together
    import siteplan.model.demand as demand

    monkeypatch.setattr(demand, "DEMAND_PRIORITY", 1e-3)
    out = _run(tmp_path, _hall_tables())
    assert "demand must give: 4.8e+06 tokens/day of time-fixed demand cannot be served" in out
    assert "capacity must give" not in out
