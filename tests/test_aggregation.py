"""Representative days (time.representative_days): exact at N = all days, weights, errors."""

from __future__ import annotations

import pytest

import siteplan
from builders import hourly_tables, write_scenario
from siteplan.pipeline import prepare

SERIES = ["demand_profile.factor[chat]", "renewables.cf[b,solar]", "price_profile.factor[a]",
          "price_profile.factor[b]"]


@pytest.fixture(scope="module")
def hourly(tmp_path_factory):
    return write_scenario(tmp_path_factory.mktemp("hourly"), hourly_tables(), name="hourly",
                          policy={"min_green_share": 0.5})


@pytest.fixture(scope="module")
def full(hourly):
    return siteplan.solve(siteplan.load_scenario(hourly))


def test_all_days_as_representatives_is_the_full_model(hourly, full):
    res = siteplan.solve(siteplan.load_scenario(hourly, ["time.representative_days=365"]))
    assert full.summary["size"]["slices"] == res.summary["size"]["slices"] == 8760
    assert res.summary["objective"] == pytest.approx(full.summary["objective"], rel=1e-12)
    agg = res.summary["time_aggregation"]
    assert agg["representative_days"] == 365 and set(agg["profile_rmse"]) == set(SERIES)
    assert all(v == 0.0 for v in agg["profile_rmse"].values())
    assert "time_aggregation" not in full.summary


@pytest.mark.parametrize("method", ["hierarchical", "kmeans"])
def test_clustered_days_carry_the_year(hourly, full, method):
    sc = siteplan.load_scenario(hourly, ["time.representative_days=8",
                                         f"time.clustering={method}"])
    data = prepare(sc)
    assert len(data.days) == 8 and data.n_slices == 8 * 24
    assert data.slice_weight_h.sum() == pytest.approx(8760.0, rel=1e-12)
    res = siteplan.solve(sc)
    agg = res.summary["time_aggregation"]
    assert sum(agg["day_weight_h"].values()) == pytest.approx(8760.0)
    assert all(v > 0 for v in agg["day_weight_h"].values())
    assert all(0 < agg["profile_rmse"][s] < 0.25 for s in SERIES[1:])  # the year varies
    error = abs(res.summary["objective"] - full.summary["objective"]) / full.summary["objective"]
    assert 0 < error < 0.01  # an approximation, and a close one for this case


def test_the_peak_day_is_a_representative_of_its_own(hourly, method="hierarchical"):
    """time.keep_peak: the day holding chat's peak hour (relative to its day's mean; the
    weekday shape peaks at 20:00, first on d001) is kept with its own 24 h, so the clustered
    year has the full year's highest chat rate (the split happens before either clustering
    method runs; one method is tested to keep the suite short)."""
    keys = ["time.representative_days=4", f"time.clustering={method}"]
    data = prepare(siteplan.load_scenario(hourly, keys))
    agg = data.time_aggregation
    assert agg["peak_days"] == ["d001"] and agg["day_weight_h"]["d001"] == pytest.approx(24.0)
    assert agg["representative_days"] == 4
    year = prepare(siteplan.load_scenario(hourly))
    assert data.demand[:, 0].sum(axis=0).max() == pytest.approx(
        year.demand[:, 0].sum(axis=0).max(), rel=1e-12)


def test_more_days_fit_the_year_better(hourly):
    def rmse(n):
        data = prepare(siteplan.load_scenario(hourly, [f"time.representative_days={n}"]))
        return sum(data.time_aggregation["profile_rmse"].values())

    assert rmse(48) < rmse(12) < rmse(2)


def test_hours_per_slice_merges_the_representative_hours(hourly):
    keys = ["time.representative_days=4", "time.hours_per_slice=6"]
    data = prepare(siteplan.load_scenario(hourly, [*keys, "time.keep_peak=false"]))
    assert data.n_slices == 16 and data.slice_weight_h.sum() == pytest.approx(8760.0)
    # kept peak (default): chat's peak hour splits its 6-hour slice into before/peak/after
    data = prepare(siteplan.load_scenario(hourly, keys))
    peak = data.slices.index(data.peak_slices["chat"])
    assert data.slice_weight_h.sum() == pytest.approx(8760.0)
    hour = int(data.slice_hour[peak]) % 6
    assert data.n_slices - 16 == int(hour > 0) + int(hour < 5)
    same_day = data.slice_day == data.slice_day[peak]
    assert data.demand[:, 0, peak].sum() == pytest.approx(data.demand[:, 0, same_day].sum(
        axis=0).max())  # the kept hour is the day's highest chat rate


def test_run_prints_and_writes_the_aggregation(hourly, tmp_path):
    import json

    from click.testing import CliRunner

    from siteplan.cli import main

    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["run", str(hourly), "--set", "time.representative_days=6",
                                  "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "6 representative days of 365 (hierarchical), largest profile RMSE" in r.output
    agg = json.loads((out / "summary.json").read_text())["time_aggregation"]
    assert len(agg["day_weight_h"]) == 6 and set(agg["profile_rmse"]) == set(SERIES)
