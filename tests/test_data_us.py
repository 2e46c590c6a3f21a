"""Checks on the United States dataset in data/us/ (pandas only)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from siteplan.inputs.registry import TABLES

DATA = Path(__file__).resolve().parents[1] / "data" / "us"
CSVS = sorted(p.name for p in DATA.glob("*.csv"))
DERIVED = CSVS + ["boundaries/us_states.geojson"]
SLUG = re.compile(r"^[a-z0-9_-]+$")

# every file the registry requires, plus the optional ones this dataset ships, with the
# registry's required columns (src/siteplan/inputs/registry.py is the contract)
REQUIRED = {
    t.file: [c.name for c in t.columns if c.required]
    for t in TABLES.values()
    if t.required or t.name in ("demand_profile", "tou", "renewables", "ppa")
}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype={"code": str})


@pytest.fixture(scope="module")
def t() -> dict:
    return {n: read(n) for n in CSVS}


def test_expected_files_present():
    assert set(REQUIRED) <= set(CSVS)
    assert (DATA / "build.py").is_file() and (DATA / "SOURCES.md").is_file()
    assert (DATA / "boundaries" / "us_states.geojson").is_file()


def test_51_regions(t):
    r = t["regions.csv"]
    assert len(r) == 51 and r["region"].is_unique
    assert all(len(x) == 2 and x.islower() for x in r["region"])
    assert {"va", "tx", "dc", "ca", "wy"} <= set(r["region"])
    assert set(r["zone"]) <= {"east", "west"}


def test_ids_are_slugs_and_unique(t):
    for name, col in [
        ("locations.csv", "location"),
        ("cooling.csv", "cooling"),
        ("site_options.csv", "site"),
        ("hardware.csv", "hardware"),
        ("workloads.csv", "workload"),
        ("slices.csv", "slice"),
    ]:
        ids = t[name][col]
        assert ids.is_unique, name
        assert all(SLUG.match(str(x)) for x in ids), name


def test_required_cells_filled(t):
    for name, cols in REQUIRED.items():
        df = t[name]
        for c in cols:
            assert c in df.columns, (name, c)
            assert df[c].notna().all(), (name, c)


def test_references_exist(t):
    regions = set(t["regions.csv"]["region"])
    locs = set(t["locations.csv"]["location"])
    cool = set(t["cooling.csv"]["cooling"])
    hw = set(t["hardware.csv"]["hardware"])
    wl = set(t["workloads.csv"]["workload"])
    sl = set(t["slices.csv"]["slice"])
    assert set(t["locations.csv"]["region"]) <= regions
    assert set(t["site_options.csv"]["location"]) == locs
    assert set(t["site_options.csv"]["cooling"]) <= cool
    assert set(t["throughput.csv"]["hardware"]) <= hw and set(t["throughput.csv"]["workload"]) <= wl
    assert set(t["demand.csv"]["region"]) == regions and set(t["demand.csv"]["workload"]) == wl
    assert len(t["demand.csv"]) == 51 * 3
    assert (
        set(t["demand_profile.csv"]["workload"]) <= wl
        and set(t["demand_profile.csv"]["slice"]) == sl
    )
    for name in ("tou.csv", "renewables.csv", "ppa.csv"):
        assert set(t[name]["region"]) == regions, name
    assert set(t["renewables.csv"]["slice"]) == sl
    assert len(t["renewables.csv"]) == 51 * 2 * 96
    assert len(t["tou.csv"]) == 51 * 24


def test_options_per_location(t):
    n = t["site_options.csv"].groupby("location").size()
    assert n.between(2, 3).all()
    assert 15 <= len(t["locations.csv"]) <= 25


def test_ranges(t):
    r = t["regions.csv"]
    assert (r["price_per_mwh"] > 0).all()
    assert r["green_share"].between(0, 1).all()
    assert (r["ef_tco2_per_mwh"] >= 0).all()
    assert r["lat"].between(18, 72).all() and r["lon"].between(-180, -60).all()
    assert abs(r["demand_share"].sum() - 1) < 1e-4
    assert (t["site_options.csv"]["pue"] >= 1).all()
    assert (t["locations.csv"]["max_mw"] > 0).all()
    assert (t["locations.csv"]["fixed_cost_per_year"] >= 0).all()
    h = t["hardware.csv"]
    assert (h["kw_per_unit"] > 0).all() and (h["capex_per_unit"] > 0).all()
    assert h["idle_share"].between(0, 1).all()
    assert (t["throughput.csv"]["tokens_per_s"] > 0).all()
    dem = t["demand.csv"]
    tokens, train = dem[dem["workload"] != "training"], dem[dem["workload"] == "training"]
    assert (tokens["tokens_per_day"] > 0).all() and tokens["mw_it"].isna().all()
    # training is compute: MW-IT of gpu-h100 busy, 0.40 / 0.60 of inference's busy MW there
    assert train["tokens_per_day"].isna().all() and (train["mw_it"] > 0).all()
    assert train["mw_it"].sum() == pytest.approx(209.3, abs=0.1)
    assert t["renewables.csv"]["cf"].between(0, 1).all()
    assert (t["tou.csv"]["multiplier"] > 0).all()
    assert (t["ppa.csv"]["cost_per_mw_year"] > 0).all()
    assert (t["cooling.csv"]["wue_l_per_kwh"] >= 0).all()
    pf = t["workloads.csv"]["peak_factor"].dropna()
    assert (pf >= 1).all()


def test_slices(t):
    s = t["slices.csv"]
    assert len(s) == 96
    assert s["hour"].between(0, 23).all()
    assert s.groupby("day").size().eq(24).all()
    assert s["weight_h"].sum() == pytest.approx(8760)
    assert s.groupby("day")["weight_h"].first().to_dict() == {
        "winter": 90,
        "spring": 92,
        "summer": 92,
        "autumn": 91,
    }


def test_demand_profile_day_means_are_one(t):
    p = t["demand_profile.csv"].merge(t["slices.csv"], on="slice")
    p["w"] = p["factor"] * p["weight_h"]
    g = p.groupby(["workload", "day"])
    means = g["w"].sum() / g["weight_h"].sum()
    assert (means - 1).abs().max() < 1e-3


def test_tou_daily_mean_is_one(t):
    m = t["tou.csv"].groupby("region")["multiplier"].mean()
    assert (m - 1).abs().max() < 1e-3


def test_boundaries_have_region(t):
    gj = json.loads((DATA / "boundaries" / "us_states.geojson").read_text(encoding="utf-8"))
    regions = {f["properties"]["region"] for f in gj["features"]}
    assert len(gj["features"]) == 51 and regions == set(t["regions.csv"]["region"])


def test_every_column_documented_in_sources():
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    by_file = {s.split("\n", 1)[0].strip(): s for s in sections}
    for name in CSVS:
        assert name in by_file, f"SOURCES.md has no section '## {name}'"
        sec = by_file[name]
        for col in read(name).columns:
            assert f"`{col}`" in sec, f"{name}: column {col} not documented in SOURCES.md"
        for word in ("source", "year", "unit", "licence", "grade"):
            assert word in sec.lower(), (name, word)


def test_estimates_are_labelled():
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert text.count("estimate") >= 20


def test_build_reproduces_bytes(tmp_path):
    out = tmp_path / "us"
    subprocess.run([sys.executable, str(DATA / "build.py"), "--out", str(out)], check=True)
    produced = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert produced == sorted(DERIVED)
    for rel in DERIVED:
        assert (out / rel).read_bytes() == (DATA / rel).read_bytes(), rel
