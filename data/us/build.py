#!/usr/bin/env python3
"""Build the siteplan United States dataset (data/us/) from the raw copies in data/us/raw/.

Deterministic, offline (no network), pandas + stdlib only.

    python data/us/build.py [--out DIR]      # DIR defaults to data/us

Every derived CSV and boundaries/us_states.geojson is rewritten byte for byte from:
  raw/us_states.csv, raw/us_states.geojson, raw/pue_by_cooling.csv,
  raw/wiki_renewable_share_2022.csv, raw/wiki_generation_by_source_2022.csv,
  raw/nei_fuel_shares_2021.csv, raw/eia_epa_2023_gen_excerpt.csv,
  raw/state_population_2023.csv, raw/trtllm_perf_overview_excerpt.csv
plus the named assumptions below. Sources, grades and licences are in SOURCES.md.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"

# ---------------------------------------------------------------------------
# Assumptions (named constants). Each has a source or "estimate: method".
# ---------------------------------------------------------------------------

# --- zones: policy zone by interconnection ----------------------------------
# Source: NERC interconnection footprints (Western Interconnection = WECC).
# Rule: a state is `west` if most of its load is in the Western Interconnection;
# AK and HI (not interconnected) are `west` by geography; TX (ERCOT, its own
# interconnection) is put in `east` (estimate: binary zone, ERCOT is not WECC;
# El Paso's small WECC area is ignored). Every other state is `east`.
WEST_STATES = ("AK", "AZ", "CA", "CO", "HI", "ID", "MT", "NM", "NV", "OR", "UT", "WA", "WY")
# grid_region: the interconnection of most of the state's load (EIA, "U.S. electric system
# is made up of interconnections and balancing authorities", Today in Energy, 2016-07-20):
# western = WEST_STATES without AK and HI; ercot = TX (parts of TX are in SPP, MISO and
# WECC: estimate, majority of load); alaska and hawaii are not interconnected; the rest
# (including split states NE, SD: majority of load) eastern.
GRID_REGION = {"TX": "ercot", "AK": "alaska", "HI": "hawaii",
               **{c: "western" for c in WEST_STATES if c not in ("AK", "HI")}}

# --- green share ------------------------------------------------------------
# Source precedence (all in-state *generation* shares of renewables =
# wind + solar + hydro + geothermal + biomass; not consumption):
#   1 raw/wiki_renewable_share_2022.csv   (Wikipedia list, EIA 2022 data)
#   2 raw/wiki_generation_by_source_2022.csv (Wikipedia list, EIA 2022), computed
#   3 raw/nei_fuel_shares_2021.csv        (NEI, EIA 2021 data), computed
#   4 raw/eia_epa_2023_gen_excerpt.csv    (EIA EPA 2023 tables 3.7 / 3.15), non-hydro
#     share, plus the hydro share below where the state has hydro
#   5 GREEN_SHARE_ESTIMATES               (estimate)
WI_HYDRO_SHARE = (
    0.042  # 24/7 Wall St. (2021-06-14, EIA 2019 data): "4.2% ... from hydroelectric" (grade C)
)
GREEN_SHARE_ESTIMATES = {
    # estimate: no state row retrieved. West Virginia generation is almost all coal
    # (NYT/EIA: "coal still fuels nearly all electricity generation"; eGRID2023 0.893
    # tCO2e/MWh, the highest of all states); 0.06 = small wind + hydro fleet, set by judgement.
    "WV": 0.060,
}

# --- locations ----------------------------------------------------------------
# lat/lon: estimate: city/campus-area centre rounded to 0.01 deg from general gazetteer
#   knowledge (not surveyed points).
# climate zone: ASHRAE 169 / IECC county climate zone (DOE Building America,
#   PNNL-17211 Rev.3 "Guide to Determining Climate Regions by County"), transcribed by
#   county, not machine-checked here.
# max_mw: estimate: rounded order of magnitude of operating + under-construction IT
#   capacity reported for the market in 2024-25 trade press; a planning cap, not a forecast.
# kind: hyperscale-hub (largest multi-operator markets), campus (single/few operator
#   campuses), metro (dense metro colocation).
LOCATIONS = (
    # id, name, region, lat, lon, county, climate_zone, kind, max_mw
    (
        "ashburn",
        "Northern Virginia (Ashburn)",
        "va",
        39.04,
        -77.49,
        "Loudoun VA",
        "4A",
        "hyperscale-hub",
        3000,
    ),
    (
        "dallas-fort-worth",
        "Dallas-Fort Worth",
        "tx",
        32.90,
        -97.04,
        "Dallas/Tarrant TX",
        "3A",
        "hyperscale-hub",
        1500,
    ),
    ("abilene", "Abilene", "tx", 32.45, -99.73, "Taylor TX", "3B", "campus", 1200),
    ("san-antonio", "San Antonio", "tx", 29.42, -98.49, "Bexar TX", "2A", "metro", 600),
    ("phoenix", "Phoenix", "az", 33.45, -112.07, "Maricopa AZ", "2B", "hyperscale-hub", 1500),
    (
        "columbus-new-albany",
        "Columbus / New Albany (central Ohio)",
        "oh",
        40.08,
        -82.81,
        "Franklin/Licking OH",
        "5A",
        "hyperscale-hub",
        1500,
    ),
    ("atlanta", "Atlanta", "ga", 33.75, -84.39, "Fulton GA", "3A", "hyperscale-hub", 1200),
    ("chicago", "Chicago", "il", 41.88, -87.63, "Cook IL", "5A", "metro", 1000),
    (
        "secaucus",
        "New York metro (Secaucus NJ)",
        "nj",
        40.79,
        -74.06,
        "Hudson NJ",
        "4A",
        "metro",
        500,
    ),
    (
        "hillsboro",
        "Hillsboro (Portland)",
        "or",
        45.52,
        -122.99,
        "Washington OR",
        "4C",
        "hyperscale-hub",
        800,
    ),
    ("the-dalles", "The Dalles", "or", 45.59, -121.18, "Wasco OR", "5B", "campus", 600),
    ("quincy", "Quincy", "wa", 47.23, -119.85, "Grant WA", "5B", "campus", 800),
    (
        "silicon-valley",
        "Silicon Valley (Santa Clara)",
        "ca",
        37.35,
        -121.95,
        "Santa Clara CA",
        "3C",
        "metro",
        600,
    ),
    (
        "reno",
        "Reno (Tahoe-Reno Industrial Center)",
        "nv",
        39.53,
        -119.81,
        "Washoe/Storey NV",
        "5B",
        "campus",
        1000,
    ),
    ("salt-lake-city", "Salt Lake City", "ut", 40.76, -111.89, "Salt Lake UT", "5B", "metro", 600),
    (
        "council-bluffs",
        "Council Bluffs",
        "ia",
        41.26,
        -95.86,
        "Pottawattamie IA",
        "5A",
        "campus",
        800,
    ),
    (
        "des-moines",
        "Des Moines (West Des Moines)",
        "ia",
        41.59,
        -93.62,
        "Polk/Dallas IA",
        "5A",
        "campus",
        800,
    ),
    ("omaha", "Omaha (Papillion)", "ne", 41.26, -95.94, "Douglas/Sarpy NE", "5A", "campus", 600),
    ("cheyenne", "Cheyenne", "wy", 41.14, -104.82, "Laramie WY", "6B", "campus", 600),
    # non-contiguous states, served locally (no contiguous site is within 40 ms of Hawaii).
    # Two Oahu candidates (Honolulu and Kapolei host Oahu's colocation centres) so the N-1
    # rule can hold on the island; Anchorage for Alaska (Railbelt grid). max_mw: estimate
    # 50 (range 20-100): small next to the island and Railbelt grids' peak load (of order
    # 1 GW), far above the ~1 MW their states need.
    ("honolulu", "Honolulu (Oahu)", "hi", 21.31, -157.86, "Honolulu HI", "1A", "colocation", 50),
    ("kapolei", "Kapolei (Oahu)", "hi", 21.33, -158.08, "Honolulu HI", "1A", "colocation", 50),
    ("anchorage", "Anchorage", "ak", 61.22, -149.90, "Anchorage AK", "7", "colocation", 50),
)

# Discounting for annualisation. estimate: 7% real WACC, 20-year facility life (brief).
DISCOUNT_RATE = 0.07
FACILITY_LIFE_YEARS = 20

# One-off opening cost (land, substation/grid connection, fibre) by location kind, USD.
# estimate: judgement, ~1-2% of a 1 GW campus build at US$7-12M/MW (FACTS.md 9);
# annualised with the CRF above.
# colocation (the non-contiguous candidates): estimate US$15 M (range 5-30 M): fit-out of
# leased halls in an existing colocation centre (power, cooling, cages), no new substation.
OPENING_COST_USD = {"hyperscale-hub": 120e6, "metro": 150e6, "campus": 100e6,
                    "colocation": 15e6}

# --- cooling ------------------------------------------------------------------
# Build cost per MW-IT (building + power + cooling), USD. Source: FACTS.md 9 (Dgtl Infra):
# US$7-12M per MW. estimate: position in the range by cooling technology.
BUILD_COST_PER_MW = {"air": 8.5e6, "evaporative": 9.0e6, "liquid": 10.5e6}
COOLING_NAMES = {
    "air": "Airside economiser + adiabatic assist (air-cooled halls)",
    "evaporative": "Water-cooled chiller + cooling tower + waterside economiser",
    "liquid": "Direct liquid cooling (warm-water cold plate, dry coolers)",
}
# Lei & Masanet (2022) rows in raw/pue_by_cooling.csv used for each cooling id.
LM_ROWS = {
    "air": "airside economiser + adiabatic (large/hyperscale)",
    "evaporative": "water-cooled chiller + tower + waterside economiser (large/hyperscale)",
}
# Zones missing from the Lei & Masanet table mapped to the row with the same number.
# estimate: dry 'B' zones use the humid 'A' row (conservative for evaporative cooling).
ZONE_PROXY = {"2B": "2A", "3B": "3A"}
# Point in the 5th-95th percentile range used as the site PUE. estimate: midpoint =
# typical new large build (5th = best practice, 95th = conservative).
PUE_RANGE_POINT = 0.5
# Liquid: no climate-resolved source. estimate: warm-water DLC reaches the best-practice
# (5th percentile) PUE of the tower + waterside-economiser model in the same zone.
LIQUID_PUE_BASIS = ("evaporative", 0.0)
# Liquid WUE: dry coolers, "dry coolers / air-cooled (no evaporation) typical 0-0.05"
# (raw/pue_by_cooling.csv); upper end taken.
LIQUID_WUE = 0.05
# Evaporative (tower) options are not offered in hot-arid zones. estimate: water-scarcity rule.
NO_EVAPORATIVE_ZONES = ("2B", "3B")

# --- hardware -----------------------------------------------------------------
# kW per accelerator incl. host share = DGX system max input power / 8 GPUs.
# DGX H100 / H200: 10.2 kW max (NVIDIA DGX H100/H200 user guide, via unanswered.io).
# DGX B200: 14.3 kW max (docs.nvidia.com/dgx/dgxb200-user-guide).
DGX_KW = {"gpu-h100": 10.2, "gpu-h200": 10.2, "gpu-b200": 14.3}
GPUS_PER_DGX = 8
# GPU street price, USD. Source: aiinframap.com H100/H200/B200 TCO page (grade C,
# "rough public estimates"): H100 ~30,000, H200 ~35,000, B200 ~40,000.
GPU_PRICE_USD = {"gpu-h100": 30000.0, "gpu-h200": 35000.0, "gpu-b200": 40000.0}
# estimate: host CPUs, memory, NICs, NVSwitch, storage and cluster fabric add 35% to
# the GPU price per accelerator.
HOST_SHARE_FACTOR = 1.35
LIFETIME_YEARS = 5  # estimate: 5-year depreciation (registry default)
IDLE_SHARE = 0.30  # estimate: registry default
HARDWARE_NAMES = {
    "gpu-h100": "NVIDIA H100 SXM 80GB (DGX H100 class)",
    "gpu-h200": "NVIDIA H200 SXM 141GB (DGX H200 class)",
    "gpu-b200": "NVIDIA B200 180GB (DGX B200, Blackwell class)",
}
TRT_GPU = {"gpu-h100": "H100 SXM 80GB", "gpu-h200": "H200 SXM 141GB", "gpu-b200": "B200 180GB"}
# Throughput method (Llama-3.3-70B, TensorRT-LLM perf-overview, ISL/OSL 1000/1000):
#   batch       = per-GPU output tok/s x (ISL+OSL)/OSL  (tokens counted = input + output,
#                 like the "tokens processed" demand figures)
#   interactive = batch x INTERACTIVE_DERATE
#   training    = MFU x dense BF16 peak / (6 x params)
TRT_ISL, TRT_OSL = 1000, 1000
INTERACTIVE_DERATE = 0.5  # estimate: max-load benchmark vs serving under a latency target
TRAIN_MFU = 0.40  # estimate: typical large-model training MFU (30-50%)
TRAIN_PARAMS = 70e9  # same 70B reference model
DENSE_BF16_TFLOPS = {  # H100/H200 989 (FACTS.md 10 / accelerators.csv); B200 2,250 (aiinframap, C)
    "gpu-h100": 989.0,
    "gpu-h200": 989.0,
    "gpu-b200": 2250.0,
}

# --- workloads ------------------------------------------------------------------
WORKLOADS = (
    # id, name, latency_ms, shiftable, peak_factor   (estimate: brief's policy values)
    ("interactive", "Interactive inference (chat, assistants)", "50", "false", ""),
    ("batch", "Batch inference (offline, agents, embeddings)", "200", "true", "3.00"),
    ("training", "Training and fine-tuning (compute, MW-IT of the reference hardware)", "",
     "true", "1.50"),
)
# Training is compute, not tokens (as in data/china): demand_unit mw_it, in MW-IT of the
# reference hardware kept busy. estimate: training's share of AI compute 0.40 (range
# 0.30-0.50; no US measurement found: the nearest measured split is IDC/Inspur's China
# AI-server workloads, 42.4 % training / 57.6 % inference, 2023, as in data/china).
TRAINING_SHARE = 0.40
TRAINING_REFERENCE = "gpu-h100"  # the installed-base mainstream of 2025-2026

# --- demand -------------------------------------------------------------------
GOOGLE_TOKENS_PER_MONTH = 1.3e15  # Google, Oct 2025 (the-decoder.com; B)
OPENAI_TOKENS_PER_MONTH = 2.6e14  # analyst estimate quoted by thetradable.com (C)
GROQ_TOKENS_PER_MONTH = 5.0e13  # same source (C)
OTHER_PROVIDERS_FACTOR = 1.5  # estimate: Microsoft, Meta, Anthropic, AWS, xAI, others add 50%
GROWTH_2025_2026 = 2.0  # estimate: Google 0.98 -> 1.3 quadrillion Jun -> Oct 2025; x2 to 2026
US_SHARE = 0.35  # estimate: share of global token volume served for US users
DAYS_PER_MONTH = 365.25 / 12
# estimate: the token statistics count inference; the former split 0.55 / 0.35 / 0.10 (with
# training as tokens) renormalised over the two inference classes
CLASS_SHARES = {"interactive": 0.55 / 0.90, "batch": 0.35 / 0.90}
# Split by state: population share (raw/state_population_2023.csv). estimate: proxy.

# --- slices -------------------------------------------------------------------
SEASONS = (("winter", 90, 14), ("spring", 92, 105), ("summer", 92, 197), ("autumn", 91, 288))
# (id, days, representative day-of-year for solar geometry)
# Clock: one national clock = US Eastern Standard Time (UTC-5, no DST). Known simplification.
ET_MERIDIAN = -75.0
# Time-zone offset of the state's main zone vs Eastern (hours); used for TOU and profiles.
TZ_OFFSET = {
    "CT": -1,
    "MT": -2,
    "PT": -3,
    "AK": -4,
    "HT": -5,
}
STATE_TZ = {
    "AL": "CT",
    "AR": "CT",
    "IA": "CT",
    "IL": "CT",
    "KS": "CT",
    "LA": "CT",
    "MN": "CT",
    "MO": "CT",
    "MS": "CT",
    "ND": "CT",
    "NE": "CT",
    "OK": "CT",
    "SD": "CT",
    "TN": "CT",
    "TX": "CT",
    "WI": "CT",
    "AZ": "MT",
    "CO": "MT",
    "ID": "MT",
    "MT": "MT",
    "NM": "MT",
    "UT": "MT",
    "WY": "MT",
    "CA": "PT",
    "NV": "PT",
    "OR": "PT",
    "WA": "PT",
    "AK": "AK",
    "HI": "HT",
}  # others Eastern (offset 0). estimate: state's main zone.

# Interactive diurnal profile (ET clock): 1 + A cos(2pi (h - H_PEAK)/24). estimate.
INTERACTIVE_AMPLITUDE = 0.5
INTERACTIVE_PEAK_HOUR_ET = 15

# --- TOU (estimate: default shape, no state tariff retrieved) ----------------
# Local clock: valley 00-06 (7 h) 0.70, peak 14-19 (6 h) 1.35, flat otherwise (11 h) 1.00;
# time-weighted daily mean = 1.000 so a flat load pays the EIA annual average price.
TOU_VALLEY_HOURS = tuple(range(0, 7))
TOU_PEAK_HOURS = tuple(range(14, 20))
TOU_VALLEY, TOU_PEAK, TOU_FLAT = 0.70, 1.35, 1.00

# --- renewables (estimate: state mean capacity factors by resource group) --------
# Anchors: EIA (2014-17) utility PV CF US 25%, AZ 29.1%, UT 29.0%, CA 28.4%, NJ/MA ~16%;
# S&P Global (2020) wind CF US 35.5%, SPP 42%, NE ~45%, SD ~40%.
SOLAR_CF = {
    **{s: 0.28 for s in ("AZ", "CA", "NV", "NM", "UT")},
    **{s: 0.25 for s in ("CO", "TX", "OK", "KS", "NE", "WY", "ID", "OR", "FL", "HI")},
    **{
        s: 0.22
        for s in (
            "GA",
            "NC",
            "SC",
            "AL",
            "MS",
            "LA",
            "AR",
            "TN",
            "VA",
            "MO",
            "SD",
            "ND",
            "MT",
            "KY",
            "DC",
            "MD",
            "DE",
        )
    },
    "AK": 0.12,
}
SOLAR_CF_DEFAULT = 0.17  # Northeast, Great Lakes, Upper Midwest, WA (NJ/MA ~16% anchor)
WIND_CF = {
    **{s: 0.42 for s in ("NE", "KS", "OK", "SD", "ND", "IA", "WY", "NM")},
    **{s: 0.38 for s in ("TX", "MN", "CO", "MT")},
    **{
        s: 0.33
        for s in (
            "IL",
            "IN",
            "MO",
            "WI",
            "MI",
            "OH",
            "ID",
            "OR",
            "WA",
            "CA",
            "NV",
            "UT",
            "AZ",
            "NY",
            "PA",
            "ME",
            "VT",
            "NH",
            "MA",
            "HI",
            "AK",
            "WV",
        )
    },
}
WIND_CF_DEFAULT = 0.28  # Southeast / Mid-Atlantic coast (little onshore wind)
CF_CAP = 0.95  # estimate: no slice above 95% of nameplate
WIND_SEASON = {"winter": 1.10, "spring": 1.15, "summer": 0.80, "autumn": 0.95}  # estimate
WIND_DIURNAL_AMPLITUDE = 0.10  # estimate: +/-10%, peak at 03 local (nocturnal jet)
WIND_PEAK_HOUR_LOCAL = 3

# --- PPA ------------------------------------------------------------------------
# LevelTen Energy North American PPA Price Index Q4 2024, market-averaged P25
# (pv-tech.org, 30 Jan 2025): solar 56.76, wind 67.81 USD/MWh.
PPA_PRICE = {"solar": 56.76, "wind": 67.81}
PPA_MAX_MW = 1000.0  # estimate: contracted capacity limit per site

HOURS_PER_YEAR = 8760


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def crf(rate: float, years: int) -> float:
    return rate / (1.0 - (1.0 + rate) ** (-years))


def f(x: float, nd: int) -> str:
    s = f"{x:.{nd}f}"
    if s.startswith("-") and float(s) == 0.0:
        s = s[1:]
    return s


def write_csv(out: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    for line in lines:
        assert "\n" not in line
    (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def quote(s: str) -> str:
    return f'"{s}"' if ("," in s or '"' in s) else s


# ---------------------------------------------------------------------------
# regions
# ---------------------------------------------------------------------------
def green_shares(states: pd.DataFrame) -> tuple[dict, dict]:
    name_to_code = dict(zip(states["name"], states["state"], strict=True))
    name_to_code["DC"] = "DC"
    share, how = {}, {}

    w = pd.read_csv(RAW / "wiki_renewable_share_2022.csv")
    for r in w.itertuples():
        c = name_to_code[r.state_name]
        share[c], how[c] = r.renewable_pct / 100.0, "wiki-list-2022"

    g = pd.read_csv(RAW / "wiki_generation_by_source_2022.csv")
    for r in g.itertuples():
        c = name_to_code[r.state_name]
        if c not in share:
            share[c] = (r.wind + r.hydro + r.solar + r.bio + r.geo) / r.total_twh
            how[c] = "wiki-by-source-2022"

    n = pd.read_csv(RAW / "nei_fuel_shares_2021.csv")
    for r in n.itertuples():
        c = name_to_code[r.state_name]
        if c not in share:
            share[c] = (
                r.hydro_pct + r.geothermal_pct + r.solar_pct + r.wind_pct + r.biomass_other_pct
            ) / 100.0
            how[c] = "nei-2021"

    e = pd.read_csv(RAW / "eia_epa_2023_gen_excerpt.csv")
    for r in e.itertuples():
        c = name_to_code[r.state_name]
        if c not in share:
            v = r.nonhydro_renewable_gwh_2023 / r.total_gen_gwh_2023
            if c == "WI":
                v += WI_HYDRO_SHARE
            share[c], how[c] = v, "eia-2023-nonhydro"

    for c, v in GREEN_SHARE_ESTIMATES.items():
        if c not in share:
            share[c], how[c] = v, "estimate"
    missing = sorted(set(states["state"]) - set(share))
    assert not missing, f"green share missing for {missing}"
    return share, how


def build_regions(out: Path, states: pd.DataFrame, fips: dict, pop_share: dict) -> None:
    share, _ = green_shares(states)
    rows = []
    for r in states.sort_values("state").itertuples():
        c = r.state
        rows.append(
            [
                c.lower(),
                quote(r.name),
                fips[c],
                f(r.ref_lat, 6),
                f(r.ref_lon, 6),
                "west" if c in WEST_STATES else "east",
                f(r.industrial_price_usd_per_mwh_2024, 2),
                f(share[c], 4),
                f(r.egrid2023_co2e_t_per_mwh, 4),
                f(pop_share[c], 6),
                GRID_REGION.get(c, "eastern"),
            ]
        )
    write_csv(
        out,
        "regions.csv",
        [
            "region",
            "name",
            "code",
            "lat",
            "lon",
            "zone",
            "price_per_mwh",
            "green_share",
            "ef_tco2_per_mwh",
            "demand_share",
            "grid_region",
        ],
        rows,
    )


# ---------------------------------------------------------------------------
# locations, cooling, site options
# ---------------------------------------------------------------------------
def lei_masanet() -> dict:
    p = pd.read_csv(RAW / "pue_by_cooling.csv")
    res = {}
    for cid, tech in LM_ROWS.items():
        sub = p[
            (p["technology"] == tech)
            & p["climate_or_condition"].str.startswith("ASHRAE climate zone ")
        ]
        for r in sub.itertuples():
            zone = r.climate_or_condition.split("ASHRAE climate zone ")[1].split(" ")[0]
            lo, hi = (float(x) for x in r.pue.split("-"))
            wlo, whi = (float(x) for x in r.wue_l_per_kwh.split("-"))
            res[(cid, zone)] = (lo, hi, wlo, whi)
    return res


def site_pue(lm: dict, cooling: str, zone: str) -> float:
    z = ZONE_PROXY.get(zone, zone)
    if cooling == "liquid":
        basis, point = LIQUID_PUE_BASIS
        lo, hi, _, _ = lm[(basis, z)]
        return lo + point * (hi - lo)
    lo, hi, _, _ = lm[(cooling, z)]
    return lo + PUE_RANGE_POINT * (hi - lo)


def build_locations(out: Path) -> None:
    k = crf(DISCOUNT_RATE, FACILITY_LIFE_YEARS)
    rows = []
    for lid, name, reg, lat, lon, _county, _cz, kind, max_mw in LOCATIONS:
        rows.append(
            [
                lid,
                quote(name),
                reg,
                f(lat, 2),
                f(lon, 2),
                kind,
                f(OPENING_COST_USD[kind] * k, 2),
                f(max_mw, 1),
            ]
        )
    write_csv(
        out,
        "locations.csv",
        ["location", "name", "region", "lat", "lon", "kind", "fixed_cost_per_year", "max_mw"],
        rows,
    )


def build_cooling(out: Path, lm: dict) -> None:
    k = crf(DISCOUNT_RATE, FACILITY_LIFE_YEARS)
    zones = sorted({z for (_c, z) in lm})
    rows = []
    for cid in ("air", "evaporative", "liquid"):
        if cid == "liquid":
            wue = LIQUID_WUE
        else:
            wue = sum((lm[(cid, z)][2] + lm[(cid, z)][3]) / 2 for z in zones) / len(zones)
        rows.append([cid, quote(COOLING_NAMES[cid]), f(BUILD_COST_PER_MW[cid] * k, 2), f(wue, 3)])
    write_csv(
        out, "cooling.csv", ["cooling", "name", "facility_cost_per_mw_year", "wue_l_per_kwh"], rows
    )


def build_site_options(out: Path, lm: dict) -> list:
    rows = []
    for lid, _n, _r, _la, _lo, _c, cz, _k, _m in LOCATIONS:
        for cid in ("air", "evaporative", "liquid"):
            if cid == "evaporative" and cz in NO_EVAPORATIVE_ZONES:
                continue
            rows.append([f"{lid}-{cid}", lid, cid, f(site_pue(lm, cid, cz), 3)])
    write_csv(out, "site_options.csv", ["site", "location", "cooling", "pue"], rows)
    return rows


# ---------------------------------------------------------------------------
# hardware, throughput, workloads
# ---------------------------------------------------------------------------
def throughput_table() -> dict:
    t = pd.read_csv(RAW / "trtllm_perf_overview_excerpt.csv")
    res = {}
    for hw, gpu in TRT_GPU.items():
        row = t[(t["gpu"] == gpu) & (t["isl"] == TRT_ISL) & (t["osl"] == TRT_OSL)].iloc[0]
        per_gpu_out = row["total_output_tokens_per_s"] / row["tp"]
        batch = per_gpu_out * (TRT_ISL + TRT_OSL) / TRT_OSL
        res[(hw, "batch")] = batch
        res[(hw, "interactive")] = batch * INTERACTIVE_DERATE
        res[(hw, "training")] = TRAIN_MFU * DENSE_BF16_TFLOPS[hw] * 1e12 / (6.0 * TRAIN_PARAMS)
    return res


def build_hardware(out: Path) -> None:
    rows = []
    for hw in ("gpu-h100", "gpu-h200", "gpu-b200"):
        rows.append(
            [
                hw,
                quote(HARDWARE_NAMES[hw]),
                f(DGX_KW[hw] / GPUS_PER_DGX, 4),
                f(GPU_PRICE_USD[hw] * HOST_SHARE_FACTOR, 2),
                f(LIFETIME_YEARS, 1),
                f(IDLE_SHARE, 2),
            ]
        )
    write_csv(
        out,
        "hardware.csv",
        ["hardware", "name", "kw_per_unit", "capex_per_unit", "lifetime_years", "idle_share"],
        rows,
    )
    tp = throughput_table()
    rows = [
        [hw, wl, f(tp[(hw, wl)], 1)]
        for hw in ("gpu-h100", "gpu-h200", "gpu-b200")
        for wl in ("interactive", "batch", "training")
    ]
    write_csv(out, "throughput.csv", ["hardware", "workload", "tokens_per_s"], rows)


def build_workloads(out: Path) -> None:
    rows = [[w, quote(n), lat, sh, pf, "tokens" if w in CLASS_SHARES else "mw_it",
             "" if w in CLASS_SHARES else TRAINING_REFERENCE]
            for (w, n, lat, sh, pf) in WORKLOADS]
    write_csv(out, "workloads.csv", ["workload", "name", "latency_ms", "shiftable",
                                     "peak_factor", "demand_unit", "reference_hardware"], rows)


def training_mw_it() -> float:
    """National training demand, MW-IT of the reference hardware busy on average: the
    inference classes' busy MW on it x TRAINING_SHARE / (1 - TRAINING_SHARE)."""
    tp = throughput_table()
    kw = DGX_KW[TRAINING_REFERENCE] / GPUS_PER_DGX
    tokens_s = total_tokens_per_day() / 86400.0
    busy_mw = sum(tokens_s * share / tp[(TRAINING_REFERENCE, wl)] * kw / 1000.0
                  for wl, share in CLASS_SHARES.items())
    return busy_mw * TRAINING_SHARE / (1.0 - TRAINING_SHARE)


# ---------------------------------------------------------------------------
# demand
# ---------------------------------------------------------------------------
def total_tokens_per_day() -> float:
    month = GOOGLE_TOKENS_PER_MONTH + OPENAI_TOKENS_PER_MONTH + GROQ_TOKENS_PER_MONTH
    return month * OTHER_PROVIDERS_FACTOR * GROWTH_2025_2026 * US_SHARE / DAYS_PER_MONTH


def population_shares(states: pd.DataFrame) -> dict:
    pop = pd.read_csv(RAW / "state_population_2023.csv")
    name_to_code = dict(zip(states["name"], states["state"], strict=True))
    p = {name_to_code[r.state_name]: float(r.population) for r in pop.itertuples()}
    assert len(p) == 51
    tot = sum(p.values())
    return {c: v / tot for c, v in p.items()}


def build_demand(out: Path, pop_share: dict) -> None:
    total = total_tokens_per_day()
    train = training_mw_it()
    rows = []
    for c in sorted(pop_share):
        for wl in ("interactive", "batch"):
            rows.append([c.lower(), wl, f(total * pop_share[c] * CLASS_SHARES[wl], 0), ""])
        rows.append([c.lower(), "training", "", f(train * pop_share[c], 3)])
    write_csv(out, "demand.csv", ["region", "workload", "tokens_per_day", "mw_it"], rows)


# ---------------------------------------------------------------------------
# slices, profiles, tou, renewables, ppa
# ---------------------------------------------------------------------------
def slice_ids() -> list:
    return [(f"{s}-h{h:02d}", s, h, days) for (s, days, _d) in SEASONS for h in range(24)]


def build_slices(out: Path) -> None:
    rows = [[sid, s, str(h), f(days, 1)] for (sid, s, h, days) in slice_ids()]
    write_csv(out, "slices.csv", ["slice", "day", "hour", "weight_h"], rows)


def build_demand_profile(out: Path) -> None:
    rows = []
    for wl in ("interactive", "batch", "training"):
        for sid, _s, h, _d in slice_ids():
            if wl == "interactive":
                v = 1.0 + INTERACTIVE_AMPLITUDE * math.cos(
                    2 * math.pi * (h - INTERACTIVE_PEAK_HOUR_ET) / 24
                )
            else:
                v = 1.0
            rows.append([wl, sid, f(v, 4)])
    write_csv(out, "demand_profile.csv", ["workload", "slice", "factor"], rows)


def tz_offset(code: str) -> int:
    return TZ_OFFSET.get(STATE_TZ.get(code, "ET"), 0)


def build_tou(out: Path, codes: list) -> None:
    rows = []
    for c in codes:
        for h in range(24):
            local = (h + tz_offset(c)) % 24
            if local in TOU_VALLEY_HOURS:
                m, p = TOU_VALLEY, "valley"
            elif local in TOU_PEAK_HOURS:
                m, p = TOU_PEAK, "peak"
            else:
                m, p = TOU_FLAT, "flat"
            rows.append([c.lower(), str(h), f(m, 4), p])
    write_csv(out, "tou.csv", ["region", "hour", "multiplier", "period"], rows)


def solar_shape(lat: float, lon: float) -> dict:
    """max(cos zenith, 0) at the middle of each ET hour, per season (clear-sky geometry)."""
    shape = {}
    phi = math.radians(lat)
    for s, _days, doy in SEASONS:
        dec = math.radians(23.44 * math.sin(2 * math.pi * (284 + doy) / 365))
        for h in range(24):
            solar_time = h + 0.5 + (lon - ET_MERIDIAN) / 15.0
            ha = math.radians(15.0 * (solar_time - 12.0))
            cz = math.sin(phi) * math.sin(dec) + math.cos(phi) * math.cos(dec) * math.cos(ha)
            shape[(s, h)] = max(cz, 0.0)
    return shape


def scale_to_mean(shape: dict, target: float) -> dict:
    """Scale so the hour-weighted annual mean equals target, capping at CF_CAP (iterated)."""
    days = {s: d for (s, d, _x) in SEASONS}
    k = 1.0
    for _ in range(50):
        vals = {key: min(k * v, CF_CAP) for key, v in shape.items()}
        mean = sum(vals[(s, h)] * days[s] for (s, h) in vals) / HOURS_PER_YEAR
        if abs(mean - target) < 1e-12 or mean == 0:
            break
        k *= target / mean
    return {key: min(k * v, CF_CAP) for key, v in shape.items()}


def annual_cf(states_row, tech: str) -> float:
    c = states_row.state
    if tech == "solar":
        return SOLAR_CF.get(c, SOLAR_CF_DEFAULT)
    return WIND_CF.get(c, WIND_CF_DEFAULT)


def build_renewables(out: Path, states: pd.DataFrame) -> None:
    rows = []
    for r in states.sort_values("state").itertuples():
        c = r.state
        sol = scale_to_mean(solar_shape(r.ref_lat, r.ref_lon), annual_cf(r, "solar"))
        wshape = {}
        for s, _d, _x in SEASONS:
            for h in range(24):
                local = (h + tz_offset(c)) % 24
                wshape[(s, h)] = WIND_SEASON[s] * (
                    1.0
                    + WIND_DIURNAL_AMPLITUDE
                    * math.cos(2 * math.pi * (local - WIND_PEAK_HOUR_LOCAL) / 24)
                )
        wnd = scale_to_mean(wshape, annual_cf(r, "wind"))
        for tech, vals in (("solar", sol), ("wind", wnd)):
            for sid, s, h, _d in slice_ids():
                rows.append([c.lower(), tech, sid, f(vals[(s, h)], 4)])
    write_csv(out, "renewables.csv", ["region", "tech", "slice", "cf"], rows)


def build_ppa(out: Path, states: pd.DataFrame) -> None:
    rows = []
    for r in states.sort_values("state").itertuples():
        for tech in ("solar", "wind"):
            cost = PPA_PRICE[tech] * annual_cf(r, tech) * HOURS_PER_YEAR
            rows.append([r.state.lower(), tech, f(cost, 2), f(PPA_MAX_MW, 1)])
    write_csv(out, "ppa.csv", ["region", "tech", "cost_per_mw_year", "max_mw"], rows)


# ---------------------------------------------------------------------------
# boundaries
# ---------------------------------------------------------------------------
def build_boundaries(out: Path) -> dict:
    gj = json.loads((RAW / "us_states.geojson").read_text(encoding="utf-8"))
    fips = {}
    for feat in gj["features"]:
        p = feat["properties"]
        p["region"] = p["state"].lower()
        fips[p["state"]] = p["fips"]
    (out / "boundaries").mkdir(parents=True, exist_ok=True)
    (out / "boundaries" / "us_states.geojson").write_text(
        json.dumps(gj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8", newline="\n"
    )
    return fips


# ---------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE), help="output directory (default: data/us)")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)

    states = pd.read_csv(RAW / "us_states.csv")
    assert len(states) == 51
    fips = build_boundaries(out)
    pop_share = population_shares(states)
    lm = lei_masanet()

    build_regions(out, states, fips, pop_share)
    build_locations(out)
    build_cooling(out, lm)
    build_site_options(out, lm)
    build_hardware(out)
    build_workloads(out)
    build_demand(out, pop_share)
    build_slices(out)
    build_demand_profile(out)
    build_tou(out, sorted(states["state"]))
    build_renewables(out, states)
    build_ppa(out, states)


if __name__ == "__main__":
    main()
