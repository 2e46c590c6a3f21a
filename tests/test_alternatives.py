"""Near-optimal alternatives (siteplan.study.alternatives) on a hand-solved instance.

Four regions a, b, c, d, one location and one air option each (PUE 1, 1 MW-IT serves
1 Mtok/h), facility cost 10,000 CNY/(MW-IT yr), hardware free. Demand: 3 Mtok/h in d.
Grid prices (CNY/MWh): a 50, b 50, c 60, d 40. Max MW-IT: a, b, c 2; d 1.

By hand: d is cheapest, so it holds its 1 MW: 1 x 8760 x 40 = 350,400. The other 2 MW go to a
or to b (same price, 2 x 8760 x 50 = 876,000); c would cost 2 x 8760 x 60 = 1,051,200.
Facility: 3 x 10,000 = 30,000. Least cost C* = 350,400 + 876,000 + 30,000 = 1,256,400.
Two equally cheap site sets, {a, d} and {b, d}; with slack 0 alternatives must return both,
never use c, and keep d in every plan.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.errors import OutputExistsError
from siteplan.study.alternatives import alternatives

LEAST = 350_400.0 + 876_000.0 + 30_000.0


def two_sets_tables() -> dict:
    t = tiny_tables()
    t["regions"] = [
        {"region": r, "name": r.upper(), "lat": 0.0, "lon": float(i), "zone": "east",
         "price_per_mwh": p, "green_share": 0.2, "ef_tco2_per_mwh": 0.5}
        for i, (r, p) in enumerate([("a", 50.0), ("b", 50.0), ("c", 60.0), ("d", 40.0)])]
    t["locations"] = [
        {"location": f"l{r}", "name": f"L{r}", "region": r, "lat": 0.0, "lon": float(i),
         "max_mw": mx, "fixed_cost_per_year": 0.0}
        for i, (r, mx) in enumerate([("a", 2.0), ("b", 2.0), ("c", 2.0), ("d", 1.0)])]
    t["site_options"] = [{"site": f"l{r}-air", "location": f"l{r}", "cooling": "air",
                          "pue": 1.0} for r in "abcd"]
    t["cooling"][0]["facility_cost_per_mw_year"] = 10_000.0
    t["demand"] = [{"region": "d", "workload": "chat", "tokens_per_day": 72e6}]  # 3 Mtok/h
    return t


def test_two_equally_cheap_site_sets_are_both_returned(tmp_path):
    path = write_scenario(tmp_path, two_sets_tables())
    res = alternatives(path, slack=0.0, count=3, outdir=tmp_path / "alt", progress=False)
    assert res.least_cost == pytest.approx(LEAST, rel=1e-9)
    assert len(res.plans) == 2  # {a, d} and {b, d}; the other solves repeat them
    assert res.duplicates == 2
    for p in res.plans:
        assert p["cost"] == pytest.approx(LEAST, rel=1e-7)
    t = res.table.set_index(["kind", "id"])
    plans = t.loc[("site", "la-air"), ["plan_00_mw", "plan_01_mw"]].to_list()
    assert sorted(plans) == pytest.approx([0.0, 2.0], abs=1e-6)
    plans_b = t.loc[("site", "lb-air"), ["plan_00_mw", "plan_01_mw"]].to_list()
    assert [a + b for a, b in zip(plans, plans_b, strict=True)] == pytest.approx([2.0, 2.0])
    for kind, key in (("site", "la-air"), ("region", "a"), ("site", "lb-air")):
        assert t.loc[(kind, key), "min_mw"] == pytest.approx(0.0, abs=1e-6)
        assert t.loc[(kind, key), "max_mw"] == pytest.approx(2.0, abs=1e-6)
        assert not t.loc[(kind, key), "must_have"]
    assert t.loc[("site", "ld-air"), "must_have"]
    assert t.loc[("region", "d"), "min_mw"] == pytest.approx(1.0, abs=1e-6)
    assert t.loc[("site", "lc-air"), "never_used"]
    assert not t.loc[("site", "la-air"), "never_used"]
    # each plan is a normal result folder whose own cost is the plan's
    for i in range(2):
        folder = tmp_path / "alt" / f"plan-{i:02d}"
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["objective"] == pytest.approx(LEAST, rel=1e-7)
        assert (folder / "scenario.yaml").is_file() and (folder / "record.json").is_file()
        sites = pd.read_csv(folder / "sites.csv")
        assert sites["mw_it_total"].sum() == pytest.approx(3.0, abs=1e-6)
    assert "Near-optimal alternatives" in (tmp_path / "alt" / "alternatives.html").read_text()


def test_slack_lets_dearer_site_in_and_budget_holds(tmp_path):
    """With 2 % slack (25,128 CNY), c may take 25,128 / (8760 x 10) = 0.2868 MW from a or b
    (the price step 60 - 50), but every plan stays within the budget."""
    path = write_scenario(tmp_path, two_sets_tables())
    res = alternatives(path, slack=0.02, count=1, outdir=tmp_path / "alt", progress=False)
    for p in res.plans:
        assert p["cost"] <= LEAST * 1.02 * (1 + 1e-9)
    t = res.table.set_index(["kind", "id"])
    assert t.loc[("site", "lc-air"), "max_mw"] <= 0.02 * LEAST / (8760 * 10) + 1e-6
    assert t.loc[("site", "lc-air"), "max_mw"] > 0.01


def test_cli_alternatives(tmp_path):
    path = write_scenario(tmp_path, two_sets_tables())
    out = tmp_path / "alt"
    r = CliRunner().invoke(main, ["alternatives", str(path), "--slack", "0", "--count", "2",
                                  "-o", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "2 distinct plans" in r.output
    table = pd.read_csv(out / "alternatives.csv")
    assert set(table.columns) >= {"kind", "id", "min_mw", "max_mw", "must_have", "never_used"}
    # a second run into the same folder needs --force
    r = CliRunner().invoke(main, ["alternatives", str(path), "--count", "1", "-o", str(out),
                                  "--no-progress"])
    assert r.exit_code == OutputExistsError.exit_code and "--force" in r.output
    r = CliRunner().invoke(main, ["alternatives", str(path), "--slack", "3", "-o",
                                  str(tmp_path / "x")])
    assert r.exit_code == 2 and "--slack" in r.output
    assert "Example" in CliRunner().invoke(main, ["alternatives", "--help"]).output
