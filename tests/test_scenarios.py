"""The shipped scenarios solve on the real data within their stated gaps, and answer sensibly.

Each scenario is solved once per test session, when a test first needs it (about 10-30 s
each on a 2-core machine); the 2026-2030 pathway is in test_scenario_pathway.py.
Comparisons use proven bounds, so they hold whatever incumbent HiGHS returns within the gap:
a scenario whose feasible set is smaller cannot cost less than the other's lower bound.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import siteplan

ROOT = Path(__file__).resolve().parents[1]
CHINA = ["china-2026", "china-2026-east-only", "china-2026-green-90",
         "china-2026-west-price-shock", "china-2026-hourly-cfe", "china-2026-realistic"]
NAMES = [*CHINA, "us-2026"]
# the hourly-clean scenario is solved here at 6 h slices (about 30 s; as shipped, 3 h slices,
# it takes about 100 s and is measured in benchmarks/ and the closing notes): the per-slice
# rules it tests are the same at any slice length
SETS = {"china-2026-hourly-cfe": ["time.hours_per_slice=6"]}


class _Solved(dict):
    """Each shipped scenario solved once per session (per test worker), when first asked for:
    name -> (scenario, result, result folder)."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def __missing__(self, name: str):
        sc = siteplan.load_scenario(ROOT / "scenarios" / f"{name}.yaml", SETS.get(name, []))
        res = siteplan.solve(sc)
        res.write(self.root / name)
        self[name] = (sc, res, self.root / name)
        return self[name]


@pytest.fixture(scope="session")
def solved(tmp_path_factory) -> _Solved:
    return _Solved(tmp_path_factory.mktemp("scenarios"))


@pytest.mark.parametrize("name", NAMES)
def test_scenario_solves_within_its_stated_gap(solved, name):
    sc, res, _ = solved[name]
    s = res.summary
    assert s["status"] in ("optimal", "gap_limit")
    assert s["mip_gap"] <= sc.solver.mip_rel_gap + 1e-12
    assert s["objective_bound"] <= s["objective"] * (1 + 1e-9)
    assert sum(s["cost_breakdown"].values()) == pytest.approx(s["objective"], rel=1e-9)
    assert s["served_tokens_per_day"] + s["unserved_tokens_per_day"] == pytest.approx(
        s["demand_tokens_per_day"], rel=1e-6)


def test_china_serves_all_140_trillion_tokens_a_day(solved):
    for name in CHINA:
        s = solved[name][1].summary
        assert s["demand_tokens_per_day"] == pytest.approx(140e12, rel=1e-9)
        assert s["unserved_tokens_per_day"] == pytest.approx(0.0, abs=1e3)


def test_policy_floors_hold_on_the_china_plans(solved):
    for name in CHINA:
        sc, res, _ = solved[name]
        assert res.summary["green_share"] >= sc.policy.min_green_share - 1e-6
        opened = res.sites[res.sites["open"] == 1]
        assert (opened["utilisation_realised"] <= sc.policy.utilisation_max + 1e-6).all()
        assert (opened["utilisation_realised"] >= sc.policy.utilisation_min - 1e-6).all()
        assert (opened["utilisation_planned"] == sc.policy.utilisation_max).all()
        caps = opened["zone"].map(sc.policy.pue_cap)
        assert (opened["pue"] <= caps + 1e-9).all()


def test_east_only_costs_more_per_mtok(solved):
    base = solved["china-2026"][1].summary
    east = solved["china-2026-east-only"][1].summary
    assert east["west_share"] == 0.0
    assert east["objective_bound"] > base["objective"]  # proven, not just the incumbents
    assert east["avg_cost_per_mtok"] > base["avg_cost_per_mtok"]


def test_green_90_costs_at_least_the_baseline(solved):
    base = solved["china-2026"][1].summary
    g90 = solved["china-2026-green-90"][1].summary
    assert g90["green_share"] >= 0.9 - 1e-6
    assert g90["objective"] >= base["objective_bound"]


def test_west_price_shock_raises_cost(solved):
    base = solved["china-2026"][1].summary
    shock = solved["china-2026-west-price-shock"][1].summary
    assert shock["objective"] >= base["objective_bound"]


def test_ppa_mw_within_each_province_cap(solved):
    # the caps of ppa.csv are per province and technology, shared by its locations
    import pandas as pd

    caps = pd.read_csv(ROOT / "data" / "china" / "ppa.csv").groupby("region")["max_mw"].sum()
    for name in CHINA:
        sites = solved[name][1].sites
        used = sites.groupby("region")["ppa_mw"].sum()
        assert (used <= caps.reindex(used.index).fillna(0.0) + 1e-6).all(), name


def test_hourly_cfe_matches_every_site_in_every_slice(solved):
    sc, res, folder = solved["china-2026-hourly-cfe"]
    s, hours = res.summary, res.site_hours
    assert s["clean_score_min_slice"] >= 0.9 - 1e-6
    opened = set(res.sites.loc[res.sites["open"] == 1, "site"])
    assert set(hours["site"]) == opened and len(hours) == len(opened) * s["size"]["slices"]
    loaded = hours[hours["load_mw"] > 1e-6]
    assert (loaded["clean_mw"] >= 0.9 * loaded["load_mw"] - 1e-4).all()
    # the plan absorbs curtailed western wind and solar and is far cleaner than the baseline
    assert s["curtailment_absorbed_mwh"] > 0
    assert s["tco2"] < solved["china-2026"][1].summary["tco2"]
    assert (folder / "site_hours.csv").is_file()


def test_realistic_utilisation_costs_more_and_the_headlines_say_which_case(solved):
    """The baseline is the best case (85 % ceiling), china-2026-realistic the measured ~30 %;
    each run's headline names its case and the other's figures, which must match that run
    to within the two gaps (0.5 % each)."""
    base_sc, base, _ = solved["china-2026"]
    real_sc, real, _ = solved["china-2026-realistic"]
    b, r = base.summary, real.summary
    assert r["objective_bound"] > 2 * b["objective"]  # proven: sizing at 30 % costs > x2
    assert r["utilisation_realised"] == pytest.approx(0.30, abs=0.01)
    assert b["headline_case"]["kind"] == "best" and r["headline_case"]["kind"] == "realistic"
    assert b["headline_case"]["text"].startswith("best case: every site sized at the "
                                                 "utilisation ceiling 85%")
    assert "(china-2026-realistic)" in b["headline_case"]["text"]
    for name in ("china-2026-green-90", "china-2026-east-only"):  # inherit the case only
        text = solved[name][1].summary["headline_case"]["text"]
        assert text.startswith("best case") and "CNY/Mtok" not in text
    for sc, other in ((base_sc, r), (real_sc, b)):
        assert sc.case.other_cost_per_mtok == pytest.approx(other["avg_cost_per_mtok"],
                                                             rel=0.011)
        assert sc.case.other_objective == pytest.approx(other["objective"], rel=0.011)


def test_dense_supernodes_sit_only_in_liquid_cooled_halls(solved):
    import pandas as pd

    racks = pd.read_csv(ROOT / "data" / "china" / "hardware.csv").set_index("hardware")
    limit = pd.read_csv(ROOT / "data" / "china" / "cooling.csv").set_index("cooling")
    for name in CHINA:
        sites = solved[name][1].sites
        for hw in [c.removeprefix("mw_it_") for c in sites if c.startswith("mw_it_")
                   and c != "mw_it_total"]:
            used = sites[sites[f"mw_it_{hw}"] > 1e-6]
            fits = racks.at[hw, "rack_kw"] <= used["cooling"].map(limit["max_rack_kw"])
            assert fits.all(), (name, hw)


def test_map_of_the_default_scenario_marks_every_open_site(solved, tmp_path):
    from siteplan.report.map import render_map

    _, res, folder = solved["china-2026"]
    fig, info = render_map(folder)
    png = tmp_path / "map.png"
    fig.savefig(png, dpi=60)
    assert info["site_markers"] == res.summary["sites_open"] > 0
    from PIL import Image

    pixels = np.asarray(Image.open(png).convert("L"))
    assert pixels.std() > 5  # not blank


def _interactive_mtok_h_per_mw(data_dir: Path) -> dict[str, float]:
    """Mtok/h one MW-IT of each hardware serves of interactive work, from the dataset CSVs."""
    import pandas as pd

    hw = pd.read_csv(data_dir / "hardware.csv").set_index("hardware")["kw_per_unit"]
    thr = pd.read_csv(data_dir / "throughput.csv")
    thr = thr[thr["workload"] == "interactive"].set_index("hardware")["tokens_per_s"]
    return {h: thr[h] * 3600 / 1e6 / (hw[h] / 1000) for h in thr.index}


def test_china_plan_survives_the_loss_of_its_largest_site(solved):
    """#15 acceptance, from the written CSVs (not the model's rows): sites in >= 3 provinces
    and >= 2 grid regions, no place above its share cap, and without the largest site the
    rest, at the utilisation ceiling, carries >= policy.n_minus_1.share of the interactive
    peak: nationally, and for every region from the sites within its latency limit."""
    import pandas as pd

    sc, res, folder = solved["china-2026"]
    pol = sc.policy
    sites = pd.read_csv(folder / "sites.csv")
    sites = sites[sites["mw_it_total"] > 1e-6]
    data = ROOT / "data" / "china"
    grid = pd.read_csv(data / "regions.csv").set_index("region")["grid_region"]
    assert sites["region"].nunique() >= 3
    assert sites["region"].map(grid).nunique() >= 2
    share = sites["mw_it_total"] / sites["mw_it_total"].sum()
    assert share.groupby(sites["location"]).sum().max() <= pol.max_share.location + 1e-6
    assert share.groupby(sites["region"]).sum().max() <= pol.max_share.province + 1e-6
    assert share.groupby(sites["region"].map(grid)).sum().max() <= (
        pol.max_share.grid_region + 1e-6)

    per_mw = _interactive_mtok_h_per_mw(data)
    carry = sum(sites[f"mw_it_{h}"] * v for h, v in per_mw.items()
                if f"mw_it_{h}" in sites) * pol.utilisation_max  # hardware of this year
    largest = sites["mw_it_total"].idxmax()
    d = siteplan.prepare(sc)  # inputs: demand per region and slice, latency per region-site
    k = d.workloads.index("interactive")
    peak = d.demand[:, k, :].sum(axis=0).max()  # Mtok/h, the peak slice
    need = pol.n_minus_1.share * peak
    assert carry.drop(largest).sum() >= need * (1 - 1e-6)
    assert carry.sum() - carry[largest] < carry.sum()  # the largest site carries something
    loc = [d.locations.index(x) for x in sites["location"]]
    for r in range(len(d.regions)):
        within = d.latency_ms[r, loc] <= d.workload_latency_ms[k] + 1e-9
        left = carry[within & (sites.index != largest)].sum()
        assert left >= pol.n_minus_1.share * d.demand[r, k, :].max() * (1 - 1e-6), d.regions[r]
    assert res.summary["n1_min_cover"] >= pol.n_minus_1.share - 1e-6
