"""Multi-year pathways (family 9): hand-solved two-year cases, and one year = single year.

Units as in builders.py: 1 MW-IT serves 1 Mtok/h; a year has 8760 h. Electricity is free in
these cases unless stated, so the optimum is the capital and unserved cost alone. With
discount rate r and lifetime n, a capex of C per MW is paid as the annuity C x crf(r, n) in
every year the vintage stands; year 2027 is discounted by d = 1 / (1 + r).
"""

from __future__ import annotations

import pytest

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.inputs.derive import annuity_factor
from siteplan.inputs.pathway import derive_pathway
from siteplan.model.build import build_pathway_model
from siteplan.solve import solve_model

H = 8760.0


def _one_region(price: float = 0.0, capex: float = 100.0, life: float = 2.0):
    """Demand 1 Mtok/h in region a only; power priced at ``price``; one hardware ``gen1``."""
    t = tiny_tables()
    t["demand"] = [t["demand"][0]]
    for r in t["regions"]:
        r["price_per_mwh"] = price
    t["hardware"] = [{"hardware": "gen1", "name": "Gen 1", "kw_per_unit": 1000.0,
                      "capex_per_unit": capex, "lifetime_years": life, "idle_share": 0.0}]
    t["throughput"] = [{"hardware": "gen1", "workload": "chat",
                        "tokens_per_s": t["throughput"][0]["tokens_per_s"]}]
    return t


def _add_gen2(t, capex: float, first_year: int, life: float = 1.0, speed: float = 1.0):
    t["hardware"].append({"hardware": "gen2", "name": "Gen 2", "kw_per_unit": 1000.0,
                          "capex_per_unit": capex, "lifetime_years": life, "idle_share": 0.0,
                          "first_year": first_year})
    t["throughput"].append({"hardware": "gen2", "workload": "chat",
                            "tokens_per_s": t["throughput"][0]["tokens_per_s"] * speed})
    return t


def _solve(tmp_path, t, years=(2026, 2027), rate=0.0, growth=None, **keys):
    keys.setdefault("finance__discount_rate", rate)
    pw = keys.pop("pathway", {})
    if growth is not None:
        pw["demand_growth"] = dict(zip(years, growth, strict=True))
    path = write_scenario(tmp_path, t, years=list(years), pathway=pw, **keys)
    return siteplan.solve(siteplan.load_scenario(path))


def _built(res, asset: str) -> dict[int, float]:
    b = res.builds[res.builds["asset"] == asset]
    return {int(y): float(v) for y, v in b.groupby("year")["built_mw"].sum().items()}


# --- build early vs late under discounting ---------------------------------------------------
# gen1 (capex 100, life 2) can serve both years if built in 2026; gen2 (free, from 2027) only
# 2027. Leaving 2026 unserved costs V = 170 (voll 170 / 8760 per Mtok x 8760 Mtok).
#   early: a (1 + d) with a = 100 crf(r, 2);   late: V + 0.
#   r = 0:  a = 50,      early = 100   < 170  -> build gen1 in 2026
#   r = 1:  a = 133.33,  early = 200   > 170  -> wait for gen2, 2026 unserved
@pytest.mark.parametrize(("rate", "npc", "early"), [(0.0, 100.0, True), (1.0, 170.0, False)])
def test_build_early_or_late_depends_on_discounting(tmp_path, rate, npc, early):
    t = _add_gen2(_one_region(), capex=0.0, first_year=2027)
    res = _solve(tmp_path, t, rate=rate, policy__unserved_cost_per_mtok=170.0 / H)
    assert res.summary["objective"] == pytest.approx(npc, rel=1e-6)
    assert _built(res, "gen1").get(2026, 0.0) == pytest.approx(1.0 if early else 0.0, abs=1e-6)
    years = {y["year"]: y for y in res.summary["years"]}
    assert years[2026]["unserved_tokens_per_day"] == pytest.approx(0.0 if early else 24e6,
                                                                   abs=1.0)
    assert years[2026]["discounted_years"] == pytest.approx(1.0)
    assert years[2027]["discounted_years"] == pytest.approx(1.0 / (1.0 + rate))


# --- retirement at lifetime -------------------------------------------------------------------
# capex 100: life 1 -> a = 100 each year, built twice: NPC = 100 + 100 d
#            life 2 -> a = 50 (r = 0), built once:   NPC = 50 + 50
@pytest.mark.parametrize(("life", "npc", "builds"), [(1.0, 200.0, {2026: 1.0, 2027: 1.0}),
                                                      (2.0, 100.0, {2026: 1.0})])
def test_capacity_retires_at_its_lifetime(tmp_path, life, npc, builds):
    res = _solve(tmp_path, _one_region(life=life))
    assert res.summary["objective"] == pytest.approx(npc, rel=1e-6)
    got = {y: v for y, v in _built(res, "gen1").items() if v > 1e-6}
    assert got == pytest.approx(builds)
    b = res.builds[(res.builds["asset"] == "gen1") & (res.builds["year"] == 2027)]
    assert float(b["retired_mw"].sum()) == pytest.approx(1.0 if life == 1.0 else 0.0)
    assert float(b["standing_mw"].sum()) == pytest.approx(1.0)


def test_sparse_years_stand_for_the_years_between(tmp_path):
    """Years 2026 and 2028: 2026 stands for 2026-2027 (span 2), 2028 for itself; life 2
    retires the 2026 build in 2028. r = 0.1: weights 1 + 1/1.1 and 1/1.21.
    NPC = a (1 + 1/1.1) + a / 1.21, a = 100 crf(0.1, 2) (built twice)."""
    res = _solve(tmp_path, _one_region(), years=(2026, 2028), rate=0.1)
    a = 100.0 * annuity_factor(0.1, 2.0)
    assert res.summary["objective"] == pytest.approx(a * (1 + 1 / 1.1) + a / 1.21, rel=1e-6)
    assert {y["year"]: y["span_years"] for y in res.summary["years"]} == {2026: 2.0, 2028: 1.0}
    assert _built(res, "gen1") == pytest.approx({2026: 1.0, 2028: 1.0})


# --- hardware generations ------------------------------------------------------------------
# years 2026, 2028; gen1 (capex 100, life 2) retires in 2028; gen2 from 2028 is twice as fast
# (1 MW serves 2 Mtok/h): replacing with gen2 costs 0.5 MW x its capex per MW.
@pytest.mark.parametrize(("gen2_capex", "replaced"), [(150.0, True), (250.0, False)])
def test_newer_generation_replaces_the_old_when_cheaper_per_token(tmp_path, gen2_capex,
                                                                  replaced):
    t = _add_gen2(_one_region(), capex=gen2_capex, first_year=2028, life=2.0, speed=2.0)
    res = _solve(tmp_path, t, years=(2026, 2028))
    assert _built(res, "gen1").get(2026) == pytest.approx(1.0)
    assert _built(res, "gen2").get(2028, 0.0) == pytest.approx(0.5 if replaced else 0.0,
                                                               abs=1e-6)
    assert _built(res, "gen1").get(2028, 0.0) == pytest.approx(0.0 if replaced else 1.0,
                                                               abs=1e-6)
    # r = 0: gen1 pays 50/yr x 2 years in 2026; in 2028 min(50, 0.5 x gen2_capex / 2)
    last = 0.5 * gen2_capex / 2 if replaced else 50.0
    assert res.summary["objective"] == pytest.approx(100.0 + last, rel=1e-6)


def test_hardware_of_a_later_year_is_not_in_a_single_year_run(tmp_path):
    t = _add_gen2(_one_region(), capex=0.0, first_year=2027)
    path = write_scenario(tmp_path, t, finance__discount_rate=0.0)
    res = siteplan.solve(siteplan.load_scenario(path, [ "year=2026"]))
    assert res.objective == pytest.approx(50.0)  # gen1 alone (a = 50)
    res = siteplan.solve(siteplan.load_scenario(path, ["year=2027"]))
    assert res.objective == pytest.approx(0.0, abs=1e-9)  # free gen2


# --- options stay open; policies by year --------------------------------------------------
def test_an_opened_option_stays_open_and_pays_its_fixed_cost(tmp_path):
    """Demand only in 2026 (growth 0 in 2027); la has a fixed cost 10/yr: opened in 2026 it
    stays open in 2027: NPC = 50 + 10 + 10 (life 1 capex 50)."""
    t = _one_region(capex=50.0, life=1.0)
    t["locations"][0]["fixed_cost_per_year"] = 10.0
    t["locations"][1]["max_mw"] = 0.0
    res = _solve(tmp_path, t, growth=(1.0, 0.0))
    assert res.summary["objective"] == pytest.approx(70.0, rel=1e-6)
    opened = res.sites[res.sites["site"] == "la-air"].set_index("year")["open"]
    assert opened.to_dict() == {2026: 1, 2027: 1}


def test_facility_rows_make_buildings_stand_for_their_hardware(tmp_path):
    """Facility 20/MW-yr; hardware life 1 is rebuilt in 2027 inside the same building:
    NPC = 2 x 100 (hardware) + 2 x 20 (facility); without c_facility_capacity: 200."""
    t = _one_region(life=1.0)
    t["cooling"][0]["facility_cost_per_mw_year"] = 20.0
    path = write_scenario(tmp_path, t, years=[2026, 2027], finance__discount_rate=0.0)
    sc = siteplan.load_scenario(path)
    built = build_pathway_model(derive_pathway(sc))
    m = built.model
    assert solve_model(built, sc.solver, want_duals=False).objective == pytest.approx(240.0)
    m.c_facility_capacity.deactivate()
    assert solve_model(built, sc.solver, want_duals=False).objective == pytest.approx(200.0)
    res = siteplan.solve(sc)
    fac = res.builds[res.builds["asset"] == "facility"].set_index("year")
    assert fac["built_mw"].to_dict() == pytest.approx({2026: 1.0, 2027: 0.0})


@pytest.mark.parametrize(("u_min", "la_2026", "npc"), [
    (0.0, 2.0, 200.0),              # build ahead at la: 2 MW x 50 x 2 years
    (1.0, 1.0, 150.0 + 30.0 * H),   # no idle MW in 2026 allowed: lb serves the growth
])
def test_a_falling_pue_cap_stops_new_builds_but_keeps_what_stands(tmp_path, u_min, la_2026,
                                                                  npc):
    """la-air (PUE 1.2) may be built in 2026 but not in 2027 (cap 1.1); lb-air (PUE 1.0) pays
    30/MWh. Demand doubles in 2027; capex 100, life 2, r = 0 (a = 50 per MW-yr)."""
    t = _one_region(capex=100.0, life=2.0)
    t["site_options"][0]["pue"] = 1.2
    t["regions"][1]["price_per_mwh"] = 30.0
    path = write_scenario(tmp_path, t, years=[2026, 2027], finance__discount_rate=0.0,
                          policy__utilisation_min=u_min,
                          pathway={"demand_growth": {2026: 1.0, 2027: 2.0},
                                   "by_year": {2027: {"policy": {"pue_cap": {"east": 1.1}}}}})
    res = siteplan.solve(siteplan.load_scenario(path))
    mw = res.sites.pivot(index="year", columns="site", values="mw_it_total")
    assert mw.loc[2026].to_dict() == pytest.approx({"la-air": la_2026, "lb-air": 0.0})
    assert mw.loc[2027].to_dict() == pytest.approx({"la-air": la_2026, "lb-air": 2.0 - la_2026})
    assert _built(res, "gen1").get(2027, 0.0) == pytest.approx(2.0 - la_2026, abs=1e-6)
    assert res.summary["objective"] == pytest.approx(npc, rel=1e-6)
    excluded = res.excluded
    assert set(zip(excluded["year"], excluded["site"], strict=True)) == {(2027, "la-air")}


def test_existing_capacity_is_sunk_and_retires(tmp_path):
    """1 MW of gen1 built in 2025 (life 2) stands in 2026 at no cost and retires in 2027,
    when 1 MW is built (a = 50 in 2027 only, r = 0)."""
    t = _one_region()
    t["existing_capacity"] = [{"site": "la-air", "hardware": "gen1", "mw": 1.0,
                               "build_year": 2025}]
    res = _solve(tmp_path, t)
    assert res.summary["objective"] == pytest.approx(50.0, rel=1e-6)
    assert _built(res, "gen1") == pytest.approx({2027: 1.0})  # builds.csv: new capacity
    single = write_scenario(tmp_path / "single", t, finance__discount_rate=0.0)
    one = siteplan.solve(siteplan.load_scenario(single))  # 2026 alone: standing, open
    assert one.sites.set_index("site").loc["la-air", "open"] == 1


# --- one year = the single-year model --------------------------------------------------------
@pytest.mark.parametrize("keys", [
    {},
    {"policy__min_green_share": 0.5, "policy__carbon_price_per_t": 10.0},
])
def test_one_year_pathway_equals_the_single_year_run(tmp_path, keys):
    t = tiny_tables()
    t["hardware"][0].update(capex_per_unit=1000.0, lifetime_years=3.0)
    t["locations"][0]["fixed_cost_per_year"] = 100.0
    single = write_scenario(tmp_path / "a", t, **keys)
    one = siteplan.solve(siteplan.load_scenario(single))
    path = write_scenario(tmp_path / "b", t, years=[2026], **keys)
    res = siteplan.solve(siteplan.load_scenario(path))
    assert res.summary["objective"] == pytest.approx(one.objective, rel=1e-9)
    assert res.summary["cost_breakdown"] == pytest.approx(one.summary["cost_breakdown"])
    for name in ("sites", "regions"):
        ours = getattr(res, name).drop(columns="year").reset_index(drop=True)
        theirs = getattr(one, name).reset_index(drop=True)
        assert list(ours.columns) == list(theirs.columns)
        num = ours.select_dtypes("number").columns
        assert ours[num].to_numpy() == pytest.approx(theirs[num].to_numpy(), nan_ok=True)


def test_pathway_writes_a_year_column_and_builds_csv(tmp_path):
    res = _solve(tmp_path, _one_region())
    out = res.write(tmp_path / "out")
    for name in ("allocation", "sites", "regions"):
        head = (out / f"{name}.csv").read_text().splitlines()[0]
        assert head.startswith("year,")
    builds = (out / "builds.csv").read_text().splitlines()
    assert builds[0] == "year,site,location,region,zone,asset,built_mw,retired_mw,standing_mw"
    years = res.summary["years"]
    assert [y["year"] for y in years] == [2026, 2027]
    assert sum(y["discounted_years"] * y["objective"] for y in years) == pytest.approx(
        res.summary["net_present_cost"])


# --- bad pathway input: one line each ---------------------------------------------------------
@pytest.mark.parametrize(("keys", "expected"), [
    ({"years": [2027, 2026]}, "key 'years': expected strictly increasing years"),
    ({"pathway": {"demand_growth": {2026: 2.0}}}, "key 'pathway': needs 'years'"),
    ({"years": [2026, 2027], "pathway": {"demand_growth": {2026: 1.0}}},
     "key 'pathway.demand_growth': no multiplier for year(s) [2027]"),
    ({"years": [2026], "pathway": {"by_year": {2030: {"policy": {}}}}},
     "key 'pathway.by_year': year(s) [2030] are not in years [2026]"),
    ({"years": [2026], "pathway": {"by_year": {2026: {"policy": {"min_green_shar": 0.9}}}}},
     "key 'pathway.by_year.2026.policy.min_green_shar': unknown key"),
    ({"years": [2026], "pathway": {"by_year": {2026: {"policy": {"min_green_share": 2}}}}},
     "key 'pathway.by_year.2026.policy.min_green_share'"),
])
def test_bad_pathway_keys_are_one_line_errors(tmp_path, keys, expected):
    path = write_scenario(tmp_path, tiny_tables(), **keys)
    with pytest.raises(siteplan.ScenarioError) as err:
        siteplan.load_scenario(path)
    assert expected in str(err.value)
    assert "\n" not in str(err.value).strip()


def test_bad_first_year_in_hardware_csv(tmp_path):
    t = _add_gen2(_one_region(), capex=0.0, first_year=2027)
    t["hardware"][1]["first_year"] = "2027.5"
    path = write_scenario(tmp_path, t)
    with pytest.raises(siteplan.InputDataError) as err:
        siteplan.solve(siteplan.load_scenario(path))
    assert "hardware.csv, line 3 (hardware=gen2): 'first_year' is '2027.5'; expected a whole " \
        "number" in str(err.value)


# --- the commands on a pathway's results ---------------------------------------------------
def test_run_report_and_compare_read_a_pathway_year_by_year(tmp_path):
    from click.testing import CliRunner

    from siteplan.cli import main

    path = write_scenario(tmp_path, _one_region(), years=[2026, 2027],
                          finance__discount_rate=0.0,
                          pathway={"demand_growth": {2026: 1.0, 2027: 2.0}})
    cli = CliRunner()
    out = tmp_path / "out"
    run = cli.invoke(main, ["run", str(path), "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "net present cost" in run.output
    assert "2027" in run.output and (out / "builds.csv").is_file()
    rep = cli.invoke(main, ["report", str(out), "-o", str(tmp_path / "r.html"), "--no-map",
                            "--year", "2026"])
    assert rep.exit_code == 0, rep.output
    html = (tmp_path / "r.html").read_text()
    assert "Build-out by year" in html and "year 2026" in html
    cmp = cli.invoke(main, ["compare", str(out), str(out), "--year", "2027"])
    assert cmp.exit_code == 0, cmp.output
    bad = cli.invoke(main, ["compare", str(out), str(out), "--year", "2029"])
    assert bad.exit_code == 2
    assert "no year 2029 in this pathway; expected one of 2026, 2027" in bad.output


def test_year_of_a_single_year_result_is_an_error(tmp_path):
    from siteplan.report.result import ReportError, load_result

    path = write_scenario(tmp_path, _one_region())
    out = siteplan.solve(siteplan.load_scenario(path)).write(tmp_path / "out")
    assert load_result(out).notes == []
    with pytest.raises(ReportError, match="not a pathway result"):
        load_result(out, year=2026)


def test_growth_paths_multiply_by_region_and_workload(tmp_path):
    """Region a x3 and class chat x2 in 2027 (national x1): 6 Mtok/h in 2027, served by
    capacity of life 1 and capex 10 (a = 10, r = 0): NPC = 10 x 1 + 10 x 6 = 70."""
    res = _solve(tmp_path, _one_region(capex=10.0, life=1.0), pathway={
        "region_growth": {"a": {2026: 1.0, 2027: 3.0}},
        "workload_growth": {"chat": {2026: 1.0, 2027: 2.0}}})
    served = {y["year"]: y["served_tokens_per_day"] for y in res.summary["years"]}
    assert served == pytest.approx({2026: 24e6, 2027: 6 * 24e6})
    assert res.summary["objective"] == pytest.approx(70.0, rel=1e-6)


def test_validate_checks_every_year_of_a_pathway(tmp_path):
    """2027 needs 300 Mtok/h against 200 MW buildable: validate names the year (exit 3)."""
    from click.testing import CliRunner

    from siteplan.cli import main

    path = write_scenario(tmp_path, _one_region(), years=[2026, 2027],
                          pathway={"demand_growth": {2026: 1.0, 2027: 300.0}})
    ok = CliRunner().invoke(main, ["validate", str(path), "--set",
                                   "pathway.demand_growth.2027=2"])
    assert ok.exit_code == 0, ok.output
    assert "years 2026-2027 (2 modelled)" in ok.output
    bad = CliRunner().invoke(main, ["validate", str(path)])
    assert bad.exit_code == 3, bad.output
    assert "year 2027:" in bad.output and "year 2026:" not in bad.output


def test_sweep_rows_of_a_pathway(tmp_path):
    """sweep.csv: objective = the net present cost, cost per Mtok from the final year."""
    from siteplan.study.sweep import sweep

    path = write_scenario(tmp_path, _one_region(), years=[2026, 2027],
                          finance__discount_rate=0.0,
                          pathway={"demand_growth": {2026: 1.0, 2027: 2.0}})
    out = sweep(path, grid=["finance.discount_rate=0"], outdir=tmp_path / "sw")
    row = out.table.iloc[0]
    # r = 0, capex 100, life 2 (a = 50): 1 MW from 2026 (50 + 50) + 1 MW in 2027 (50) = 150
    assert row["objective"] == pytest.approx(150.0, rel=1e-6)
    # 2027: 2 MW x 50 over 2 x 8760 Mtok (electricity free)
    assert row["avg_cost_per_mtok"] == pytest.approx(100.0 / (2 * H), rel=1e-6)
