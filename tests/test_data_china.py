"""Checks for the China dataset in data/china/ (pandas only)."""
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from siteplan.inputs.registry import TABLES

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "china"

# every file the registry requires, plus the optional ones this dataset ships, with the
# registry's required columns (src/siteplan/inputs/registry.py is the contract)
REQUIRED = {
    t.file: [c.name for c in t.columns if c.required]
    for t in TABLES.values()
    if t.required or t.name in ("demand_profile", "tou", "renewables", "ppa")
}


def load(name):
    return pd.read_csv(DATA / name, keep_default_na=False, dtype=str)


def num(df, col):
    return pd.to_numeric(df[col])


def test_31_regions_and_ids():
    r = load("regions.csv")
    assert len(r) == 31 and r["region"].is_unique
    assert all(re.fullmatch(r"[a-z0-9-]+", x) for x in r["region"])
    assert set(r["zone"]) <= {"east", "west"}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_no_blank_required_cells(name):
    df = load(name)
    for col in REQUIRED[name]:
        assert (df[col].str.strip() != "").all(), f"{name}:{col} has blanks"


def test_references_exist():
    regions = set(load("regions.csv")["region"])
    loc = load("locations.csv")
    assert len(loc) >= 30 and loc["location"].is_unique
    assert set(loc["region"]) <= regions
    so = load("site_options.csv")
    assert set(so["location"]) <= set(loc["location"])
    assert set(so["cooling"]) <= set(load("cooling.csv")["cooling"])
    hw, wl = set(load("hardware.csv")["hardware"]), set(load("workloads.csv")["workload"])
    th = load("throughput.csv")
    assert set(th["hardware"]) <= hw and set(th["workload"]) <= wl
    for f in ["demand.csv", "tou.csv", "renewables.csv", "ppa.csv"]:
        assert set(load(f)["region"]) <= regions
    slices = set(load("slices.csv")["slice"])
    assert set(load("demand_profile.csv")["slice"]) <= slices
    assert set(load("renewables.csv")["slice"]) <= slices


def test_ranges():
    r = load("regions.csv")
    assert (num(r, "price_per_mwh") > 0).all()
    assert num(r, "green_share").between(0, 1).all()
    assert (num(r, "ef_tco2_per_mwh") >= 0).all()
    assert (num(load("site_options.csv"), "pue") >= 1).all()
    assert num(load("renewables.csv"), "cf").between(0, 1).all()
    assert (num(load("tou.csv"), "multiplier") > 0).all()
    assert (num(load("throughput.csv"), "tokens_per_s") > 0).all()
    assert (num(load("locations.csv"), "max_mw") > 0).all()
    loc = load("locations.csv")
    p = pd.to_numeric(loc["price_per_mwh"].replace("", None))
    assert (p.dropna() > 0).all()


def test_demand_total():
    """140 trillion inference tokens a day (interactive + batch); training is compute in
    MW-IT of the reference hardware: 0.40 / 0.60 x the inference classes' busy MW on it."""
    d = load("demand.csv")
    tokens = d[d["workload"] != "training"]
    assert abs(sum(int(x) for x in tokens["tokens_per_day"]) - 140 * 10**12) <= 1
    train = d[d["workload"] == "training"]
    assert (train["tokens_per_day"] == "").all() and (tokens["mw_it"] == "").all()
    thr = load("throughput.csv").set_index(["hardware", "workload"])["tokens_per_s"].astype(float)
    busy_mw = sum(float(x) / 86400 / thr[("supernode", w)] * 1.6 / 1000
                  for w, x in zip(tokens["workload"], tokens["tokens_per_day"], strict=True))
    assert num(train, "mw_it").sum() == pytest.approx(busy_mw * 0.40 / 0.60, rel=1e-3)
    assert len(d) == 31 * 3


def test_slices_and_profiles():
    s = load("slices.csv")
    assert len(s) == 96 and num(s, "weight_h").sum() == 8760
    dp = load("demand_profile.csv").merge(s, on="slice")
    dp["f"], dp["w"] = num(dp, "factor"), num(dp, "weight_h")
    for (_w, _d), g in dp.groupby(["workload", "day"]):
        assert abs((g["f"] * g["w"]).sum() / g["w"].sum() - 1) < 1e-6


def test_every_column_documented():
    text = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for f in sorted(DATA.glob("*.csv")):
        assert f.name in text, f"{f.name} not in SOURCES.md"
        for col in pd.read_csv(f, nrows=0).columns:
            assert f"`{col}`" in text, f"{f.name}:{col} not documented"


def test_build_reproduces(tmp_path):
    subprocess.run([sys.executable, str(DATA / "build.py"), "--out", str(tmp_path)], check=True)
    produced = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert produced
    for rel in produced:
        assert (tmp_path / rel).read_bytes() == (DATA / rel).read_bytes(), f"{rel} differs"
    for f in DATA.glob("*.csv"):
        assert (tmp_path / f.name).exists(), f"{f.name} not produced by build.py"


GRID_REGIONS = {"north", "northeast", "east", "central", "northwest", "southwest", "south"}


def test_grid_region_every_province():
    r = load("regions.csv").set_index("region")
    assert set(r["grid_region"]) == GRID_REGIONS  # every regional grid has a province
    assert (r["grid_region"].str.strip() != "").all()
    china_southern = {"guangdong", "guangxi", "yunnan", "guizhou", "hainan"}
    assert set(r.index[r["grid_region"] == "south"]) == china_southern
    assert r.at["inner-mongolia", "grid_region"] == "north"  # Mengxi, where its sites are


def test_construction_index_and_opex_ranges():
    r = load("regions.csv")
    assert len(r) == 31
    idx = num(r, "construction_index")
    assert idx.between(0.85, 1.25).all()
    assert abs(idx.mean() - 1.0) < 0.05  # an index around the national average
    c = load("cooling.csv").set_index("cooling")
    opex = pd.to_numeric(c["opex_per_mw_year"])
    fac = pd.to_numeric(c["facility_cost_per_mw_year"])
    assert opex.between(0.5e6, 5e6).all()  # CNY per MW-IT and year
    assert (opex < fac).all()
    assert num(load("hardware.csv"), "opex_share").between(0.0, 0.2).all()


def test_grid_connection_and_headroom_ranges():
    loc = load("locations.csv")
    assert (num(loc, "connection_cost_per_mw_year") == 0).all()  # by tier, grid_tiers.csv
    tiers = load("grid_tiers.csv")
    assert list(num(tiers, "voltage_kv")) == [110, 220, 500]
    mw, cost = num(tiers, "max_mw"), num(tiers, "cost_per_year")
    assert mw.is_monotonic_increasing and cost.is_monotonic_increasing
    assert (cost / mw).between(2e4, 1e5).all()  # CNY/yr per MW at each tier's top
    head = num(loc, "grid_headroom_mw")
    assert head.between(20, 10_000).all()
    regions = set(load("regions.csv")["region"])
    assert set(loc["region"]) <= regions


def test_wheeling_charges_every_province():
    ppa = load("ppa.csv")
    regions = set(load("regions.csv")["region"])
    assert set(ppa["region"]) == regions
    w = num(ppa, "wheeling_per_mwh")
    assert w.between(100, 350).all()  # CNY/MWh at 110 kV
    hubei = ppa.loc[ppa["region"] == "hubei", "wheeling_per_mwh"].astype(float)
    assert (hubei == 229.5).all()  # 88.4 + 82.3 + 45.2 + 13.6, official 2026-01 table
    # the contract's energy price alone is below the grid price almost everywhere, the
    # delivered price (energy + wheeling) is not: PPAs no longer undercut the grid for free
    price = load("regions.csv").set_index("region")["price_per_mwh"].astype(float)
    assert (w.to_numpy() < price.loc[ppa["region"]].to_numpy()).all()


def test_wind_has_a_diurnal_shape():
    ren = load("renewables.csv")
    wind = ren[ren["tech"] == "wind"].assign(cf=lambda d: d["cf"].astype(float))
    spread = wind.groupby(["region", wind["slice"].str.split("-").str[0]])["cf"].agg(
        lambda x: x.max() / max(x.min(), 1e-9))
    assert (spread > 1.05).all()  # no region-season is flat within the day


def test_sources_cite_no_index_ids_or_local_paths():
    for folder in (DATA, ROOT / "data" / "us"):
        for f in [folder / "SOURCES.md", *folder.glob("raw/*.csv")]:
            text = f.read_text(encoding="utf-8")
            # search-index ids and paths of the unshipped reference compilation
            for bad in ("index id", "file id", "shared" + "/reference", "/" + "work/"):
                assert bad not in text, f"{f.name} cites {bad!r}"
