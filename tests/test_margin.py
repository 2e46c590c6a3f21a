"""Objective margin (family 16, token value): low-value demand is left unserved exactly where
its tier's price is below its marginal cost; revenue, cost and margin add up.

Hand-solved instance: a latency budget of 5 ms keeps each region on its own location, so
region a's tokens cost 100/Mtok (la's price, 1 MW per Mtok/h, no capex) and b's cost 50/Mtok.
Chat demand is 1 Mtok/h in each; half of it pays 120/Mtok (premium), half 70 (commodity).
a's commodity half (70 < 100) is not worth serving; everything else is (120, 70 > 50).
    cost    = 8760 x (0.5 x 100 + 1.0 x 50)            =   876,000
    revenue = 8760 x (0.5 x 120 + 0.5 x 120 + 0.5 x 70) = 1,357,800
    margin  = 481,800; revenue foregone = 8760 x 0.5 x 70 = 306,600
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.cli import main

H = 8760.0
TIERS = [{"workload": "chat", "tier": "premium", "share": 0.5, "price_per_mtok": 120.0},
         {"workload": "chat", "tier": "commodity", "share": 0.5, "price_per_mtok": 70.0}]


def margin_tables(tiers=TIERS):
    t = tiny_tables()
    t["workloads"][0]["latency_ms"] = 5.0
    t["token_value"] = [dict(r) for r in tiers]
    return t


def _solve(tmp_path, tables, **keys):
    path = write_scenario(tmp_path, tables, **{"objective": "margin", **keys})
    return siteplan.solve(siteplan.load_scenario(path))


def test_demand_below_its_marginal_cost_is_left_unserved(tmp_path):
    res = _solve(tmp_path, margin_tables())
    s = res.summary
    cost = s["objective"] - s["cost_breakdown"]["unserved"]
    assert cost == pytest.approx(876_000)
    assert s["revenue"] == pytest.approx(1_357_800)
    assert s["margin"] == pytest.approx(481_800)
    assert s["revenue_foregone"] == pytest.approx(306_600)
    assert s["objective"] == pytest.approx(876_000 + 306_600)
    assert s["margin_per_mtok"] == pytest.approx(481_800 / (1.5 * H))
    reg = res.regions.set_index("region")
    assert reg.loc["a", "unserved_tokens_per_day"] == pytest.approx(12e6)  # half of 24e6
    assert reg.loc["b", "unserved_tokens_per_day"] == pytest.approx(0.0, abs=1e-3)
    assert reg.loc["a", "margin"] == pytest.approx(H * (60 - 50))
    assert reg.loc["b", "margin"] == pytest.approx(H * (95 - 50))
    assert reg["revenue"].sum() == pytest.approx(s["revenue"])
    chat = s["margin_by_workload"]["chat"]
    assert chat["margin"] == pytest.approx(481_800)
    assert chat["unserved_tiers"] == "commodity at 70/Mtok"


def test_a_dearer_commodity_tier_is_served_everywhere(tmp_path):
    tiers = [dict(TIERS[0]), {**TIERS[1], "price_per_mtok": 101.0}]
    s = _solve(tmp_path, margin_tables(tiers)).summary
    assert s["unserved_tokens_per_day"] == pytest.approx(0.0, abs=1e-3)
    assert s["revenue_foregone"] == pytest.approx(0.0, abs=1e-6)
    assert s["margin"] == pytest.approx(H * (2 * 0.5 * 120 + 2 * 0.5 * 101) - H * 150)


def test_the_cost_objective_ignores_token_value(tmp_path):
    path = write_scenario(tmp_path, margin_tables())
    s = siteplan.solve(siteplan.load_scenario(path)).summary
    assert s["objective"] == pytest.approx(H * 150)  # all demand served at least cost
    assert "margin" not in s and s["unserved_tokens_per_day"] == 0


@pytest.mark.parametrize(("tables", "keys", "needle"), [
    (tiny_tables, {"objective": "margin"}, "no token_value.csv rows"),
    (lambda: margin_tables([{**TIERS[0], "share": 0.6}, TIERS[1]]), {"objective": "margin"},
     "tier shares sum to 1.1"),
    (margin_tables, {"objective": "margin", "policy__unserved_cost_per_mtok": 5.0},
     "remove policy.unserved_cost_per_mtok"),
])
def test_bad_margin_input_is_one_line(tmp_path, tables, keys, needle):
    path = write_scenario(tmp_path, tables(), **keys)
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2, out.output
    lines = [ln for ln in out.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and needle in lines[0], out.output


# --- token value by region -------------------------------------------------------------------
LIST = {"workload": "chat", "tier": "list", "share": 1.0}


def test_a_regions_own_value_leaves_it_unserved_where_the_class_is_served_elsewhere(tmp_path):
    """Same costs as above (a's tokens 100/Mtok, b's 50). Every region pays 120/Mtok, except
    b, whose own row says 40: a is served (120 > 100), b is not (40 < 50), though b's tokens
    are the cheaper ones.
        cost    = 8760 x 100 = 876,000;  revenue = 8760 x 120 = 1,051,200
        margin  = 175,200;               revenue foregone = 8760 x 40 = 350,400
    """
    tiers = [{**LIST, "price_per_mtok": 120.0}, {**LIST, "region": "b", "price_per_mtok": 40.0}]
    res = _solve(tmp_path, margin_tables(tiers))
    s = res.summary
    assert s["objective"] - s["cost_breakdown"]["unserved"] == pytest.approx(876_000)
    assert s["revenue"] == pytest.approx(1_051_200)
    assert s["margin"] == pytest.approx(175_200)
    assert s["revenue_foregone"] == pytest.approx(350_400)
    reg = res.regions.set_index("region")
    assert reg.loc["a", "unserved_tokens_per_day"] == pytest.approx(0.0, abs=1e-3)
    assert reg.loc["b", "unserved_tokens_per_day"] == pytest.approx(24e6)
    assert reg.loc["a", "margin_chat"] == pytest.approx(H * (120 - 100))
    assert reg.loc["a", "margin_per_mtok_chat"] == pytest.approx(20.0)
    assert reg.loc["b", "margin_chat"] == pytest.approx(0.0, abs=1e-6)
    assert reg["margin_chat"].sum() == pytest.approx(s["margin"])
    assert s["margin_by_workload"]["chat"]["unserved_tiers"] == "list at 40/Mtok"
    # without b's own row, b is served too (120 > 50)
    s = _solve(tmp_path / "all", margin_tables(tiers[:1])).summary
    assert s["unserved_tokens_per_day"] == pytest.approx(0.0, abs=1e-3)
    assert s["margin"] == pytest.approx(H * (2 * 120 - 150))


def test_regions_with_the_same_routes_but_other_values_are_not_pooled(tmp_path):
    """No latency limit and no network cost: both regions reach both locations alike (one
    demand group under objective cost), lb serves at 50/Mtok. a's own value is 30 < 50: a is
    left unserved, b served.
        cost = 8760 x 50 = 438,000;  revenue = 8760 x 120 = 1,051,200;  margin = 613,200
        revenue foregone = 8760 x 30 = 262,800
    """
    t = margin_tables([{**LIST, "price_per_mtok": 120.0},
                       {**LIST, "region": "a", "price_per_mtok": 30.0}])
    t["workloads"][0].pop("latency_ms")
    res = _solve(tmp_path, t)
    s = res.summary
    assert s["objective"] == pytest.approx(438_000 + 262_800)
    assert s["margin"] == pytest.approx(613_200)
    reg = res.regions.set_index("region")
    assert reg.loc["a", "unserved_tokens_per_day"] == pytest.approx(24e6)
    assert reg.loc["b", "unserved_tokens_per_day"] == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize(("tiers", "needle"), [
    ([{**LIST, "region": "b", "price_per_mtok": 40.0}],
     "no tiers for workload(s) chat (region a)"),
    ([{**LIST, "price_per_mtok": 120.0}, {**LIST, "region": "b", "share": 0.5,
                                           "price_per_mtok": 40.0}],
     "(workload=chat, region=b): tier shares sum to 0.5"),
    ([{**LIST, "price_per_mtok": 120.0}, {**LIST, "price_per_mtok": 40.0}],
     "duplicated workload=chat, tier=list, region=(blank)"),
    ([{**LIST, "price_per_mtok": 120.0}, {**LIST, "region": "z", "price_per_mtok": 40.0}],
     "token_value.csv"),
])
def test_bad_regional_value_is_one_line(tmp_path, tiers, needle):
    path = write_scenario(tmp_path, margin_tables(tiers), objective="margin")
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2, out.output
    lines = [ln for ln in out.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and needle in lines[0], out.output
