"""One-off extraction of the raw inputs in this folder from the siteplan reference
compilation (a folder of sourced facts, not shipped with the repo).  Kept for provenance only:
build.py never runs it.  Re-run only to refresh raw/.

    python data/china/raw/extract_raw.py REFERENCE_FOLDER
"""
import shutil
import sys
from pathlib import Path

import pandas as pd

REF = Path(sys.argv[1])
OUT = Path(__file__).resolve().parent


def sub(src, cols, dst):
    df = pd.read_csv(REF / src, dtype=str, keep_default_na=False)
    df[cols].to_csv(OUT / dst, index=False, lineterminator="\n")


sub("china_provinces.csv",
    ["adcode", "name_zh", "name_en", "capital_en", "capital_lon", "capital_lat",
     "mee_grid_region_unverified", "ef_2023_kgco2_per_kwh", "coal_benchmark_tariff_yuan_per_kwh",
     "gdp_2023_100m_yuan_srcA", "gdp_2023_100m_yuan_srcB", "pop_2023_10k_srcA"],
    "china_provinces.csv")
shutil.copyfile(REF / "china_hub_clusters.csv", OUT / "china_hub_clusters.csv")
sub("climate/china_climate.csv",
    ["adcode", "city", "lat", "lon", "annual_mean_drybulb_c", "hours_wetbulb_below_12c",
     "ashrae_climate_zone"], "china_climate.csv")
sub("climate/china_freecooling_detail.csv",
    ["adcode", "city", "station_wmo", "hours_db_lt27c", "model_pue_airside_econ_adiabatic",
     "model_pue_tower_waterside_econ"], "china_freecooling_detail.csv")
sub("climate/china_water.csv", ["adcode", "name_en", "local_withdrawal_to_resources_pct"],
    "china_water.csv")
sub("genmix/china_generation_mix.csv",
    ["adcode", "name_en", "wind_gw", "solar_gw", "wind_full_load_hours", "solar_full_load_hours",
     "consumption_twh", "wind_curtailment_pct", "solar_curtailment_pct"],
    "china_generation_mix.csv")

# hourly profiles: load/solar/wind x 31 provinces x months 01-12, wide (h00..h23)
hp = pd.read_csv(REF / "genmix/china_hourly_profiles.csv", dtype={"season_or_month": str})
hp = hp[hp["season_or_month"].isin([f"{m:02d}" for m in range(1, 13)])]
hp = hp[hp["kind"].isin(["load", "solar", "wind"])]
w = hp.pivot_table(index=["adcode", "kind", "season_or_month"], columns="hour", values="value",
                   aggfunc="first").reset_index()
w.columns = ["adcode", "kind", "month"] + [f"h{h:02d}" for h in range(24)]
w.to_csv(OUT / "hourly_profiles_wide.csv", index=False, lineterminator="\n")

# diurnal wind shape: renewables.ninja (MERRA-2) average December-2022 day at one point in
# each of four northern provinces (the only hourly wind shapes in the compilation)
rn = pd.read_csv(REF / "genmix/china_hourly_profiles.csv", dtype={"season_or_month": str})
rn = rn[(rn["kind"] == "wind") & rn["season_or_month"].str.contains("renewables.ninja")]
rn = rn.pivot_table(index="adcode", columns="hour", values="value", aggfunc="first").reset_index()
rn.columns = ["adcode"] + [f"h{h:02d}" for h in range(24)]
rn.to_csv(OUT / "wind_diurnal_rn_dec2022.csv", index=False, lineterminator="\n")

# provincial flat prices, March 2026 snapshot (1-10 kV two-part agency purchase), plus the
# sub-provincial zones of two cluster sites (Jibei for Zhangjiakou, northern Guangdong for
# Shaoguan)
t = pd.read_csv(REF / "tariffs/china_tariffs.csv", dtype=str, keep_default_na=False)
t = t[t["flat_yuan_per_kwh"] != ""][["adcode", "name_en", "year_month", "flat_yuan_per_kwh"]]
t.insert(2, "zone", "")
obs = pd.read_csv(REF / "tariffs/china_tariff_observations.csv", dtype=str, keep_default_na=False)
obs = obs[(obs["year_month"] == "2026-03") & (obs["item"] == "flat")
          & obs["zone"].str.contains("Jibei|粤北")]
obs = obs.rename(columns={"value": "flat_yuan_per_kwh"})
t = pd.concat([t, obs[["adcode", "name_en", "zone", "year_month", "flat_yuan_per_kwh"]]])
t.to_csv(OUT / "prices_2026_03.csv", index=False, lineterminator="\n")

for f in ["china_provinces.geojson", "china_context.geojson"]:
    shutil.copyfile(REF / "boundaries" / f, OUT / f)
