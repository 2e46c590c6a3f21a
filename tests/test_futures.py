"""A plan across futures (siteplan.study.futures, siteplan.model.futures), solved by hand.

Three regions on a line: a, m (middle), b; one location and air option in each (PUE 1,
1 MW-IT serves 1 Mtok/h). Grid 50 CNY/MWh everywhere, facility 10,000 CNY/(MW-IT yr),
hardware free. Fixed cost per year if open: la and lb 100,000, lm 50,000. Network cost
(network.csv, CNY/Mtok): 0 to the own region, 10 between neighbours (a-m, m-b), 20 a-b.
Two futures, probability 0.5 each: "west" has 1 Mtok/h of demand in a only, "east" 1 in b.
A year of 1 Mtok/h is 8,760 Mtok: a neighbour haul costs 87,600/yr, a-b 175,200.
Every one-site plan with 1 MW pays energy 8,760 x 50 = 438,000 + facility 10,000 = 448,000.

Own plans: west alone opens la: 448,000 + 100,000 = 548,000 (lm: 448,000 + 50,000 + 87,600
= 585,600; lb: 448,000 + 100,000 + 175,200 = 723,200). East alone, by symmetry, opens lb: 548,000.

Stochastic (expected cost, common build):
  la only: 548,000 in west, 548,000 + 175,200 = 723,200 in east -> expected 635,600
  lb only: the same by symmetry                                 -> 635,600
  lm only: 448,000 + 50,000 + 87,600 = 585,600 in both           -> 585,600  (optimal)
  la and lb, 1 MW each: 438,000 energy + 20,000 facility + 200,000 fixed
             = 658,000 in both                                   -> 658,000
So the stochastic plan (lm) differs from both own plans (la, lb), and the value of the
stochastic solution against each own plan is 635,600 - 585,600 = 50,000 > 0.
Regret of lm: 585,600 - 548,000 = 37,600 in each future; of la: 0 in west, 175,200 in east.
Expected value of perfect information: 585,600 - 548,000 = 37,600.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.errors import ScenarioError
from siteplan.model.futures import ROWS
from siteplan.study.futures import cvar, futures

FUTURES = [{"name": "west", "probability": 0.5, "demand": {"region_scale": {"b": 0.0}}},
           {"name": "east", "probability": 0.5, "demand": {"region_scale": {"a": 0.0}}}]


def hedge_tables() -> dict:
    t = tiny_tables()
    t["regions"] = [
        {"region": r, "name": r.upper(), "lat": 0.0, "lon": lon, "zone": z,
         "price_per_mwh": 50.0, "green_share": 0.2, "ef_tco2_per_mwh": 0.5}
        for r, lon, z in [("a", 0.0, "west"), ("m", 10.0, "west"), ("b", 20.0, "east")]]
    t["locations"] = [
        {"location": f"l{r}", "name": f"L{r}", "region": r, "lat": 0.0, "lon": lon,
         "max_mw": 10.0, "fixed_cost_per_year": fc}
        for r, lon, fc in [("a", 0.0, 100_000.0), ("m", 10.0, 50_000.0), ("b", 20.0, 100_000.0)]]
    t["site_options"] = [{"site": f"l{r}-air", "location": f"l{r}", "cooling": "air",
                          "pue": 1.0} for r in "amb"]
    t["cooling"][0]["facility_cost_per_mw_year"] = 10_000.0
    t["demand"] = [{"region": r, "workload": "chat", "tokens_per_day": 24e6} for r in "ab"]
    pos = {"a": 0, "m": 1, "b": 2}
    t["network"] = [{"region": r, "location": f"l{s}", "cost_per_mtok": 10.0 * abs(pos[r] - pos[s])}
                    for r in "amb" for s in "amb"]
    return t


def _run(tmp_path, **keys):
    path = write_scenario(tmp_path, hedge_tables(), futures=FUTURES, **keys)
    return futures(path, outdir=tmp_path / "f", progress=False)


def test_stochastic_plan_hedges_and_vss_is_positive(tmp_path):
    r = _run(tmp_path)
    reg = r.regret.set_index("plan")
    assert list(r.build["site"]) == ["lm-air"]  # neither own plan's site
    assert reg.loc["stochastic", "expected_cost"] == pytest.approx(585_600, rel=1e-6)
    assert reg.loc["stochastic", "cost_west"] == pytest.approx(585_600, rel=1e-6)
    for own, other in (("west", "east"), ("east", "west")):
        row = reg.loc[f"plan for {own}"]
        assert row[f"cost_{own}"] == pytest.approx(548_000, rel=1e-6)
        assert row[f"cost_{other}"] == pytest.approx(723_200, rel=1e-6)
        assert row["expected_cost"] == pytest.approx(635_600, rel=1e-6)
        assert row["worst_cost"] == pytest.approx(723_200, rel=1e-6)
        assert row["max_regret"] == pytest.approx(175_200, rel=1e-6)
        assert row["vs_stochastic"] == pytest.approx(50_000, rel=1e-6)
    assert reg.loc["stochastic", "max_regret"] == pytest.approx(37_600, rel=1e-6)
    assert r.summary["evpi"] == pytest.approx(37_600, rel=1e-6)
    assert r.summary["vss"]["plan for west"] == pytest.approx(50_000, rel=1e-6)
    # the own plans open la and lb
    for name, site in (("west", "la-air"), ("east", "lb-air")):
        sites = pd.read_csv(tmp_path / "f" / "deterministic" / name / "sites.csv")
        assert list(sites.loc[sites["open"] > 0.5, "site"]) == [site]
    # the stochastic plan's folders: same build, each future's own cost
    for name in ("west", "east"):
        folder = tmp_path / "f" / "stochastic" / name
        s = json.loads((folder / "summary.json").read_text())
        assert s["objective"] == pytest.approx(585_600, rel=1e-6)
        assert s["futures"] == {"plan": "stochastic", "future": name, "probability": 0.5}
    assert "Regret table" in (tmp_path / "f" / "futures.html").read_text()


def test_removing_the_shared_build_gives_perfect_information(tmp_path):
    """Without c_future_open / c_future_capacity each future builds its own plan: the expected
    cost falls from 585,600 to 0.5 x 548,000 + 0.5 x 548,000 = 548,000."""
    from siteplan.model.futures import build_futures_model
    from siteplan.pipeline import build
    from siteplan.solve import solve_model

    path = write_scenario(tmp_path, hedge_tables(), futures=FUTURES)
    sc = siteplan.load_scenario(path)
    data = [build(sc.for_future(i)).years[0] for i in range(2)]
    for off, expected in ((False, 585_600), (True, 548_000)):
        built = build_futures_model(data, [0.5, 0.5])
        if off:
            built.model.c_future_open.deactivate()
            built.model.c_future_capacity.deactivate()
        assert solve_model(built, sc.solver).objective == pytest.approx(expected, rel=1e-6)
    assert {"c_future_open", "c_future_capacity", "c_cvar_excess"} == set(ROWS)


def test_cvar_weight_one_minimises_the_worst_future(tmp_path):
    """With futures of probability 0.9 (west) and 0.1 (east), the expected cost prefers la:
    0.9 x 548,000 + 0.1 x 723,200 = 565,520 < 585,600 (lm). CVaR at alpha 0.8 is the mean of
    the worst 20 %: for la, 0.1 at 723,200 and 0.1 at 548,000 -> 635,600; for lm 585,600.
    With cvar_weight 1 the plan is lm."""
    fs = [dict(FUTURES[0], probability=0.9), dict(FUTURES[1], probability=0.1)]
    for weight, site, objective in ((0.0, "la-air", 565_520), (1.0, "lm-air", 585_600)):
        path = write_scenario(tmp_path / str(weight), hedge_tables(), futures=fs,
                              risk={"cvar_weight": weight, "cvar_alpha": 0.8})
        r = futures(path, outdir=tmp_path / str(weight) / "f", progress=False)
        assert list(r.build["site"]) == [site]
        assert r.summary["stochastic"]["objective"] == pytest.approx(objective, rel=1e-6)
    assert cvar([548_000.0, 723_200.0], [0.9, 0.1], 0.8) == pytest.approx(635_600)


def test_own_plan_infeasible_elsewhere_is_reported(tmp_path):
    """Demand 2 Mtok/h in east's b (region_scale 2), max 1 MW per site: west's own plan (la,
    1 MW) cannot serve east, which the regret table says; the stochastic plan builds 2 MW."""
    t = hedge_tables()
    for loc in t["locations"]:
        loc["max_mw"] = 2.0
    fs = [FUTURES[0], {**FUTURES[1], "demand": {"region_scale": {"a": 0.0, "b": 2.0}}}]
    path = write_scenario(tmp_path, t, futures=fs)
    r = futures(path, outdir=tmp_path / "f", progress=False)
    reg = r.regret.set_index("plan")
    assert reg.loc["plan for west", "infeasible_in"] == "east"
    assert pd.isna(reg.loc["plan for west", "expected_cost"])
    assert r.build["mw_it_total"].sum() == pytest.approx(2.0, abs=1e-6)


def test_bad_futures_are_one_line(tmp_path):
    for fs, words in (
        ([dict(FUTURES[0], probability=0.4), FUTURES[1]], "add up to 0.9"),
        ([FUTURES[0], dict(FUTURES[1], name="west")], "named twice"),
        ([FUTURES[0], dict(FUTURES[1], prices={"nope": 1})], "futures[1] (east).prices.nope"),
    ):
        path = write_scenario(tmp_path, hedge_tables(), futures=fs)
        with pytest.raises(ScenarioError) as exc:
            siteplan.load_scenario(path)
        assert len(exc.value.problems) == 1 and words in exc.value.problems[0]
    path = write_scenario(tmp_path, hedge_tables(), futures=FUTURES)
    r = CliRunner().invoke(main, ["run", str(path), "-o", str(tmp_path / "run")])
    assert r.exit_code == 2 and "siteplan futures" in r.output


def test_cli_futures(tmp_path):
    path = write_scenario(tmp_path, hedge_tables(), futures=FUTURES)
    r = CliRunner().invoke(main, ["futures", str(path), "-o", str(tmp_path / "f"),
                                  "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "stochastic" in r.output and "plan for west" in r.output
    assert (tmp_path / "f" / "regret.csv").is_file()
    assert "Example" in CliRunner().invoke(main, ["futures", "--help"]).output


def test_china_futures_scenario_loads():
    """The shipped scenario: at least three futures, probabilities add up to 1, each future
    a valid single-year scenario with an unserved-demand price (so every plan is priced in
    every future)."""
    from pathlib import Path

    sc = siteplan.load_scenario(Path(__file__).resolve().parents[1] / "scenarios"
                                / "china-2026-futures.yaml")
    assert len(sc.futures) >= 3
    assert sum(f.probability for f in sc.futures) == pytest.approx(1.0)
    scales = [sc.for_future(i).demand.scale for i in range(len(sc.futures))]
    assert min(scales) < max(scales)
    assert sc.policy.unserved_cost_per_mtok and sc.policy.unserved_cost_per_mtok > 0


def test_every_row_of_a_futures_model_belongs_to_a_family(tmp_path):
    import pyomo.environ as pyo

    from siteplan.model.families import family_of_row
    from siteplan.model.futures import build_futures_model
    from siteplan.pipeline import build

    path = write_scenario(tmp_path, hedge_tables(), futures=FUTURES)
    sc = siteplan.load_scenario(path)
    data = [build(sc.for_future(i)).years[0] for i in range(2)]
    m = build_futures_model(data, [0.5, 0.5], cvar_weight=0.5).model
    seen = {c.local_name for c in m.component_objects(pyo.Constraint, descend_into=True)}
    assert set(ROWS) <= seen
    assert {family_of_row(name).NAME for name in ROWS} == {"futures"}
    for name in seen:
        family_of_row(name)
