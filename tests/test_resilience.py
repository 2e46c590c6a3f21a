"""Resilience as policy: share caps (family 8e, model/shares.py) and the N-1 rule (family 8f,
model/n_minus_1.py), hand-solved on the tiny instance of tests/builders.py.

Base (``_capex``): regions a (0, 0) and b (0, 10 deg east), one location each (la at
100 /MWh, lb at 50 /MWh), 1 MW-IT serves 1 Mtok/h at utilisation up to 1, PUE 1, idle 0, one
slice of 8760 h; each region demands 1 Mtok/h of chat (latency limit 1000 ms: every location
reaches every region). Hardware costs 100,000 per MW-IT and year (life 1 year, rate 0).
Without a rule everything runs at lb: 2 MW x 100,000 + 2 MW x 8760 h x 50 = 1,076,000.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from builders import solve_tiny, tiny_tables, write_scenario
from siteplan.cli import main

H = 8760.0
RATE0 = {"finance__discount_rate": 0.0}


def capex_tables():
    t = tiny_tables()
    t["hardware"][0]["capex_per_unit"] = 100_000.0  # per MW-IT (kw_per_unit 1000)
    t["workloads"][0]["latency_ms"] = 1000.0
    return t


def middle_tables():
    """A third location lm (0, 5 deg east, 200 /MWh, fixed 1,000,000/yr) and a 10 ms limit:
    latency a-la 0, a-lm ~8.2, a-lb ~16.3 ms, so region a reaches {la, lm}, b reaches
    {lm, lb}."""
    t = capex_tables()
    t["workloads"][0]["latency_ms"] = 10.0
    t["locations"].insert(1, {"location": "lm", "name": "LM", "region": "a", "lat": 0.0,
                              "lon": 5.0, "max_mw": 100.0, "fixed_cost_per_year": 1_000_000.0,
                              "price_per_mwh": 200.0})
    t["site_options"].append({"site": "lm-air", "location": "lm", "cooling": "air",
                              "pue": 1.0})
    return t


def _mw(res) -> dict[str, float]:
    return dict(zip(res.sites["location"], res.sites["mw_it_total"], strict=True))


def test_without_a_rule_everything_runs_at_the_cheap_site(tmp_path):
    res = solve_tiny(tmp_path, capex_tables(), **RATE0)
    assert res.objective == pytest.approx(2 * 100_000 + 2 * H * 50)
    assert _mw(res) == pytest.approx({"la": 0.0, "lb": 2.0})
    # losing lb leaves nothing: the cover is reported without a rule
    assert res.summary["n1_min_cover"] == pytest.approx(0.0)
    assert res.summary["n1_worst_loss"] == "location lb"
    assert res.summary["n1_share"] is None


@pytest.mark.parametrize(("share", "la_mw"), [(1.0, 2.0), (0.5, 1.0)])
def test_n_minus_1_holds_standby_at_the_dear_site(tmp_path, share, la_mw):
    """Losing lb, la must carry share x the 2 Mtok/h peak: la >= 2 share MW; losing la, lb
    must too (it holds 2 MW anyway, since every MW moved from la to lb saves 8760 x 50 =
    438,000 of energy for 100,000 of hardware). la's MW stand idle (idle share 0: no energy).
    share 1: 4 MW x 100,000 + 876,000 = 1,276,000; share 0.5: 3 MW: 1,176,000."""
    res = solve_tiny(tmp_path, capex_tables(), policy__n_minus_1={"share": share}, **RATE0)
    assert res.objective == pytest.approx((2 + la_mw) * 100_000 + 2 * H * 50)
    assert _mw(res) == pytest.approx({"la": la_mw, "lb": 2.0})
    assert res.summary["n1_min_cover"] == pytest.approx(share)
    cover = dict(zip(res.sites["location"], res.sites["n1_cover"], strict=True))
    assert cover == pytest.approx({"la": 1.0, "lb": share})  # losing la leaves lb's 2 MW


def test_n_minus_1_counts_a_survivor_only_within_latency_reach(tmp_path):
    """a reaches {la, lm}, b reaches {lm, lb}. Without the rule a runs at la, b at lb, lm
    stays shut: 2 x 100,000 + 8760 x (100 + 50) = 1,514,000. With share 1, losing la leaves
    a only lm: lm >= 1; losing lb likewise; losing lm, la >= 1 and lb >= 1. So 3 MW and lm's
    fixed cost: 1,514,000 + 100,000 + 1,000,000 = 2,614,000. Pooling capacity nationally
    (ignoring reach) would keep lm shut and double la and lb instead: 1,714,000."""
    base = solve_tiny(tmp_path / "base", middle_tables(), **RATE0)
    assert base.objective == pytest.approx(2 * 100_000 + H * (100 + 50))
    res = solve_tiny(tmp_path / "n1", middle_tables(), policy__n_minus_1={"share": 1.0},
                     **RATE0)
    assert res.objective == pytest.approx(2_614_000)
    assert _mw(res) == pytest.approx({"la": 1.0, "lm": 1.0, "lb": 1.0})
    assert res.summary["n1_min_cover"] == pytest.approx(1.0)


def test_n_minus_1_protects_only_the_named_classes(tmp_path):
    """chat is shiftable here: by default not protected (it waits for the repair); named in
    policy.n_minus_1.classes it is, as before."""
    t = capex_tables()
    t["workloads"][0]["shiftable"] = "true"
    free = solve_tiny(tmp_path / "free", t, policy__n_minus_1={"share": 1.0}, **RATE0)
    assert free.objective == pytest.approx(2 * 100_000 + 2 * H * 50)
    named = solve_tiny(tmp_path / "named", t, policy__n_minus_1={"share": 1.0,
                                                                "classes": ["chat"]}, **RATE0)
    assert named.objective == pytest.approx(4 * 100_000 + 2 * H * 50)


def _grids(t):
    t["regions"][0]["grid_region"] = "north"
    t["regions"][1]["grid_region"] = "south"
    return t


@pytest.mark.parametrize("level", ["location", "province", "grid_region"])
def test_share_cap_hand_solved(tmp_path, level):
    """lb <= 0.6 x (la + lb). Serving at lb saves 438,000 per MW a year and standby MW at la
    cost 100,000, so lb keeps all 2 MW and la stands by with 2 x 0.4 / 0.6 = 4/3 MW:
    10/3 x 100,000 + 876,000 = 1,209,333.33 (splitting the work 1.2 / 0.8 instead:
    1,426,400). Each level is one place per location here."""
    res = solve_tiny(tmp_path, _grids(capex_tables()), policy__max_share={level: 0.6}, **RATE0)
    assert res.objective == pytest.approx(10 / 3 * 100_000 + 2 * H * 50)
    assert _mw(res) == pytest.approx({"la": 4 / 3, "lb": 2.0})


def test_grid_region_loss_takes_out_every_location_in_it(tmp_path):
    """la and lm in grid north, lb in south (middle_tables, reach ignored: 1000 ms). Losing
    north, lb alone must carry the 2 Mtok/h; losing south, la + lm must. lb holds 2 MW and
    serves all; la (no fixed cost) stands by with 2: 4 x 100,000 + 876,000 = 1,276,000."""
    t = _grids(middle_tables())
    t["workloads"][0]["latency_ms"] = 1000.0
    res = solve_tiny(tmp_path, t, policy__n_minus_1={"share": 1.0, "grid_region": True},
                     **RATE0)
    assert res.objective == pytest.approx(4 * 100_000 + 2 * H * 50)
    assert _mw(res) == pytest.approx({"la": 2.0, "lm": 0.0, "lb": 2.0})


def _run(tmp_path, tables, **keys):
    path = write_scenario(tmp_path, tables, **keys)
    return CliRunner().invoke(main, ["run", str(path), "-o", str(tmp_path / "out")])


def test_n_minus_1_out_of_reach_is_one_line(tmp_path):
    """A 10 ms limit ties a to la and b to lb: nothing survives in reach of either (found
    before solving)."""
    t = capex_tables()
    t["workloads"][0]["latency_ms"] = 10.0
    result = _run(tmp_path, t, policy__n_minus_1={"share": 0.9})
    assert result.exit_code == 3, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()][1:]  # after the heading
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: infeasible: policy.n_minus_1: chat demand of a (la), "
                               "b (lb) can reach only one location within 10 ms (set by ")
    assert lines[0].endswith("workloads.csv (latency_ms)), so losing it leaves nothing; the "
                             "rule needs two locations in reach of every region")


def test_n_minus_1_short_of_capacity_is_one_line(tmp_path):
    """la and lb hold at most 0.5 MW each: losing one, the other carries 0.5 of the 2 Mtok/h
    peak, 25 % where the rule asks 90 %: the elastic re-solve names both losses."""
    t = capex_tables()
    for loc in t["locations"]:
        loc["max_mw"] = 1.0
    result = _run(tmp_path, t, policy__n_minus_1={"share": 0.9},
                  policy__unserved_cost_per_mtok=1e6)
    assert result.exit_code == 3, result.output
    lines = [ln for ln in result.output.splitlines() if "N-1" in ln]
    assert len(lines) == 1, result.output
    assert "N-1 must give: policy.n_minus_1.share 90%" in lines[0]
    assert "location la (chat) -40 pts" in lines[0] and "location lb (chat) -40 pts" in lines[0]


@pytest.mark.parametrize(("keys", "expected"), [
    ({"policy__max_share": {"grid_region": 0.5}},
     "key 'policy.max_share.grid_region' needs a grid_region for every row of regions.csv"),
    ({"policy__n_minus_1": {"share": 1.0, "classes": ["chatt"]}},
     "key 'policy.n_minus_1.classes': unknown id 'chatt'; did you mean 'chat'?"),
    ({"policy__n_minus_1": {"share": 1.5}}, "policy.n_minus_1.share"),
    ({"policy__max_site_share": 0.5, "policy__max_share": {"location": 0.6}}, None),
])
def test_bad_resilience_keys_are_one_line(tmp_path, keys, expected):
    result = _run(tmp_path, capex_tables(), **keys)
    if expected is None:  # the old per-class key still works beside the new caps
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and expected in lines[0], lines


def test_share_caps_below_one_over_the_places_is_one_line(tmp_path):
    """Two locations under a 40 % cap hold at most 80 % of the fleet (found before solving)."""
    result = _run(tmp_path, capex_tables(), policy__max_share={"location": 0.4})
    assert result.exit_code == 3, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()][1:]  # after the heading
    assert lines == ["error: infeasible: policy.max_share.location 40% x 2 places that can hold "
                     "capacity (la, lb) = 80% < 100% of national MW-IT"], lines

