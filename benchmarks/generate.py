"""Synthetic but realistic siteplan datasets at named sizes (docs/data-format.md format).

    python benchmarks/generate.py --size national --out /tmp/bench/national [--seed 0]

writes ``OUT/data/*.csv`` and ``OUT/scenario.yaml`` (dataset: data). Deterministic for a seed.

Sizes (regions x site options x workload classes x slices):
  small       31 x 20 (20 locations, 1 cooling option each)    x 3 x 24   (1 day)
  national    31 x 60 (30 locations x air/liquid)               x 3 x 288  (12 days x 24 h)
  prefecture 340 x 200 (100 locations x air/liquid)             x 3 x 96   (4 days x 24 h)
  hourly       3 x 3   (1 cooling, 1 hardware type)               x 2 x 8760 (365 days x 24 h)
``national`` (and the test-only ``tiny``) open sites as binaries (a MIP); ``small`` and
``prefecture`` relax open[s] to [0, 1] (``solver.integer_sites: false``, an LP), so their solve
time measures the LP and not the branch-and-bound luck.

Ranges: flat-period prices 300-750 CNY/MWh (west cheaper) with time-of-use multipliers
(valley ~0.5, peak ~1.6); PUE 1.1-1.4 by climate and cooling; latency limits 40 / 200 / none
ms on great-circle distances inside a China-sized box (lat 21-46 N, lon 80-124 E); solar and
wind PPAs with diurnal and seasonal capacity factors; three hardware types; batch and
training shiftable within the day.
"""

from __future__ import annotations

import argparse
import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

TOTAL_TOKENS_PER_DAY = 140e12  # China, March 2026 order of magnitude
CLASS_SHARE = {"interactive": 0.50, "batch": 0.35, "training": 0.15}
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
LAT_BOX, LON_BOX = (21.0, 46.0), (80.0, 124.0)
WEST_LON = 108.0  # regions west of this are policy zone "west"


@dataclass(frozen=True)
class Size:
    regions: int
    locations: int
    coolings: tuple[str, ...]
    days: list[tuple[str, float]]  # (day id, weight of each hourly slice in h)
    integer: bool = False  # open[s] binary (MIP) or relaxed to [0, 1] (LP)
    demand_scale: float = 1.0  # share of the national token volume
    hardware: int = 3  # the first this many of HARDWARE
    workloads: int = 3  # the first this many of WORKLOADS
    hourly: bool = False  # 365 days: daily weather, price_profile.csv, weekday demand shapes
    mip_rel_gap: float = 1e-4  # the MIP gap target (national sizes: 0.5 %, as the China ones)


def _sizes() -> dict[str, Size]:
    months = [(f"m{i + 1:02d}", float(n)) for i, n in enumerate(DAYS_IN_MONTH)]
    seasons = [(s, 365.0 / 4) for s in ("winter", "spring", "summer", "autumn")]
    return {
        "tiny": Size(8, 6, ("air",), [("typ", 365.0)], integer=True, demand_scale=0.1),
        "small": Size(31, 20, ("air",), [("typ", 365.0)]),
        "national": Size(31, 30, ("air", "liquid"), months, integer=True, mip_rel_gap=5e-3),
        "national-96": Size(31, 30, ("air", "liquid"), seasons, integer=True,
                            mip_rel_gap=5e-3),
        "prefecture": Size(340, 100, ("air", "liquid"), seasons),
        "hourly": Size(3, 3, ("air",), [(f"d{d + 1:03d}", 1.0) for d in range(365)],
                       demand_scale=0.05, hardware=1, workloads=2, hourly=True),
    }


SIZES = _sizes()

HARDWARE = [  # id, name, kW/unit, capex CNY/unit, lifetime, idle share
    ("gpu-imported", "H100/H800-class GPU (8-GPU server share)", 1.60, 375000, 5, 0.30),
    ("npu-domestic", "Ascend 910B-class NPU", 0.80, 120000, 5, 0.30),
    ("supernode", "CloudMatrix-class super-node share", 1.60, 169271, 5, 0.35),
]
THROUGHPUT = {  # tokens/s per unit: interactive, batch, training
    "gpu-imported": (1682.0, 4205.0, 941.9),
    "npu-domestic": (394.9, 987.3, 228.6),
    "supernode": (1513.8, 3784.5, 651.0),
}
WORKLOADS = [  # id, name, latency_ms, shiftable, peak_factor
    ("interactive", "Interactive chat / app inference", 40, "false", None),
    ("batch", "Agent and batch API inference", 200, "true", 2.0),
    ("training", "Training and fine-tuning", None, "true", 1.5),
]
COOLING = {  # id: (name, facility CNY/(MW-IT yr), WUE L/kWh, PUE offset)
    "air": ("Air with airside economiser", 2546305, 0.26, 0.04),
    "liquid": ("Direct-to-chip liquid", 3182882, 0.05, -0.03),
}


def _points(rng: np.random.Generator, n: int, west_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Centroids: a dense east (lon 108-122, lat 22-41) and a sparse west."""
    west = rng.random(n) < west_share
    lat = np.where(west, rng.uniform(25.0, 45.0, n), rng.uniform(22.0, 41.0, n))
    lon = np.where(west, rng.uniform(82.0, WEST_LON - 0.5, n),
                   rng.uniform(WEST_LON + 0.5, 122.0, n))
    return np.round(lat, 4), np.round(lon, 4)


def generate(size: str, out: Path, seed: int = 0) -> Path:
    """Write ``out/data/*.csv`` and ``out/scenario.yaml``; returns the scenario path."""
    spec = SIZES[size]
    rng = np.random.default_rng(seed)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    R, NL = spec.regions, spec.locations

    # --- regions ----------------------------------------------------------------------
    rlat, rlon = _points(rng, R, west_share=0.35)
    rwest = rlon < WEST_LON
    price = np.where(rwest, rng.uniform(300, 500, R), rng.uniform(500, 750, R))
    green = np.where(rwest, rng.uniform(0.35, 0.60, R), rng.uniform(0.12, 0.35, R))
    ef = np.clip(0.95 - 0.9 * green + rng.normal(0, 0.04, R), 0.30, 0.95)
    pop = np.where(rwest, 1.0, 3.0) * rng.lognormal(0.0, 0.6, R)
    share = pop / pop.sum()
    regions = [{
        "region": f"r{i:03d}", "name": f"Region {i}", "lat": rlat[i], "lon": rlon[i],
        "zone": "west" if rwest[i] else "east", "price_per_mwh": round(float(price[i]), 1),
        "green_share": round(float(green[i]), 3), "ef_tco2_per_mwh": round(float(ef[i]), 4),
        "demand_share": round(float(share[i]), 5),
    } for i in range(R)]

    # --- locations: jittered around a region's centroid (west favoured: new-energy bases)
    w_loc = np.where(rwest, 2.0, 1.0)
    loc_region = rng.choice(R, size=NL, p=w_loc / w_loc.sum())
    llat = np.clip(rlat[loc_region] + rng.normal(0, 1.0, NL), *LAT_BOX)
    llon = np.clip(rlon[loc_region] + rng.normal(0, 1.0, NL), *LON_BOX)
    max_mw = rng.choice([300.0, 500.0, 1000.0, 1500.0, 3000.0], NL)
    min_mw = np.where(rng.random(NL) < 0.3, 50.0, 0.0)
    fixed = np.round(rng.uniform(15e6, 60e6, NL), -3)
    locations = [{
        "location": f"l{i:03d}", "name": f"Location {i}", "region": f"r{loc_region[i]:03d}",
        "lat": round(float(llat[i]), 4), "lon": round(float(llon[i]), 4),
        "kind": "new-energy-base" if rwest[loc_region[i]] else "metro",
        "fixed_cost_per_year": fixed[i], "min_mw": min_mw[i], "max_mw": max_mw[i],
    } for i in range(NL)]

    # --- cooling and site options: PUE from climate (cooler north/west is better) ------
    cooling = [{"cooling": c, "name": COOLING[c][0], "facility_cost_per_mw_year": COOLING[c][1],
                "wue_l_per_kwh": COOLING[c][2]} for c in spec.coolings]
    climate = 1.26 - 0.006 * (llat - 21.0) - 0.04 * rwest[loc_region]  # ~1.08 .. 1.26
    site_options = []
    for i in range(NL):
        existing = float(rng.choice([100.0, 200.0])) if rng.random() < 0.08 else 0.0
        for c in spec.coolings:
            pue = float(np.clip(climate[i] + COOLING[c][3] + rng.normal(0, 0.02), 1.10, 1.40))
            row = {"site": f"l{i:03d}-{c}", "location": f"l{i:03d}", "cooling": c,
                   "pue": round(pue, 3), "existing_mw": existing}
            site_options.append(row)
            existing = 0.0  # existing capacity sits on the first option only

    hardware = [{"hardware": h, "name": n, "kw_per_unit": kw, "capex_per_unit": cx,
                 "lifetime_years": life, "idle_share": idle}
                for h, n, kw, cx, life, idle in HARDWARE[:spec.hardware]]
    classes = [w[0] for w in WORKLOADS[:spec.workloads]]
    throughput = [{"hardware": h["hardware"], "workload": k, "tokens_per_s": v}
                  for h in hardware
                  for k, v in zip(CLASS_SHARE, THROUGHPUT[h["hardware"]], strict=True)
                  if k in classes]
    workloads = [{"workload": k, "name": n, "latency_ms": lat, "shiftable": sh,
                  "peak_factor": pf} for k, n, lat, sh, pf in WORKLOADS[:spec.workloads]]
    demand = [{"region": f"r{i:03d}", "workload": k,
               "tokens_per_day": round(TOTAL_TOKENS_PER_DAY * spec.demand_scale * s * share[i])}
              for i in range(R) for k, s in CLASS_SHARE.items() if k in classes]

    # --- time: representative days x 24 hourly slices ----------------------------------
    slices, day_pos = [], []
    for di, (day, wt) in enumerate(spec.days):
        for h in range(24):
            slices.append({"slice": f"{day}-h{h:02d}", "day": day, "hour": h, "weight_h": wt})
            day_pos.append(di)
    hours = np.array([s["hour"] for s in slices])
    n_days = len(spec.days)
    season = np.array([math.cos(2 * math.pi * (d + 0.5) / n_days) for d in day_pos]) \
        if n_days > 1 else np.zeros(len(slices))  # +1 mid-winter .. -1 mid-summer
    # hourly data: weekends are flatter, weather changes day by day
    weekday = np.array([d % 7 < 5 for d in day_pos]) if spec.hourly else np.ones(len(slices), bool)
    prof_int = 1.0 + np.where(weekday, 0.45, 0.25) * np.cos(2 * np.pi * (hours - 20) / 24)
    prof_bat = 1.0 + 0.20 * np.cos(2 * np.pi * (hours - 14) / 24)
    demand_profile = [{"workload": k, "slice": s["slice"], "factor": round(float(f), 4)}
                      for k, prof in (("interactive", prof_int), ("batch", prof_bat))
                      for s, f in zip(slices, prof, strict=True)]

    # --- time-of-use: valley 23-07, peak 08-11 and 17-21, sharp 19-20 -----------------
    tou = []
    for i in range(R):
        valley, peak = rng.uniform(0.40, 0.60), rng.uniform(1.45, 1.70)
        for h in range(24):
            if h >= 23 or h < 7:
                m, p = valley, "valley"
            elif h in (19, 20):
                m, p = peak * 1.2, "sharp"
            elif 8 <= h <= 11 or 17 <= h <= 21:
                m, p = peak, "peak"
            else:
                m, p = 1.0, "flat"
            tou.append({"region": f"r{i:03d}", "hour": h, "multiplier": round(float(m), 3),
                        "period": p})

    # --- renewables and PPA offers -----------------------------------------------------
    renewables, ppa = [], []
    sun = np.clip(np.sin(np.pi * (hours - 6) / 12), 0.0, None)  # 06-18 h
    for i in range(R):
        if rng.random() < 0.2:
            continue  # no PPA market in this region
        solar_q = rng.uniform(0.65, 0.85) if rwest[i] else rng.uniform(0.45, 0.65)
        cf_solar = np.clip(solar_q * sun * (1.0 - 0.25 * season), 0.0, 1.0)
        wind_q = rng.uniform(0.30, 0.45) if rwest[i] else rng.uniform(0.18, 0.30)
        cf_wind = np.clip(wind_q * (1.0 + 0.25 * np.cos(2 * np.pi * (hours - 2) / 24)
                                    + 0.2 * season) + rng.normal(0, 0.03, len(hours)), 0.02, 0.9)
        if spec.hourly:
            cf_solar = cf_solar * np.clip(rng.normal(0.85, 0.2, n_days), 0.1, 1.0)[day_pos]
            cf_wind = np.clip(cf_wind * rng.lognormal(0.0, 0.35, n_days)[day_pos], 0.0, 1.0)
        for tech, cf, cost in (("solar", cf_solar, rng.uniform(300e3, 500e3)),
                               ("wind", cf_wind, rng.uniform(550e3, 750e3))):
            ppa.append({"region": f"r{i:03d}", "tech": tech,
                        "cost_per_mw_year": round(float(cost)),
                        "max_mw": float(rng.choice([100.0, 300.0, 1000.0]))})
            renewables += [{"region": f"r{i:03d}", "tech": tech, "slice": s["slice"],
                            "cf": round(float(v), 4)} for s, v in zip(slices, cf, strict=True)]

    price_profile = []
    if spec.hourly:  # dearer in winter and summer peaks, day-to-day noise
        for i in range(R):
            f = 1.0 + 0.12 * season + 0.06 * np.cos(4 * np.pi * np.array(day_pos) / n_days) \
                + rng.normal(0, 0.05, n_days)[day_pos]
            price_profile += [{"region": f"r{i:03d}", "slice": s["slice"],
                               "factor": round(float(v), 4)}
                              for s, v in zip(slices, f, strict=True)]

    tables = {
        "regions": regions, "locations": locations, "cooling": cooling,
        "site_options": site_options, "hardware": hardware, "throughput": throughput,
        "workloads": workloads, "demand": demand, "slices": slices,
        "demand_profile": demand_profile, "tou": tou, "renewables": renewables, "ppa": ppa,
    }
    if price_profile:
        tables["price_profile"] = price_profile
    for name, rows in tables.items():
        _write_csv(data / f"{name}.csv", rows)
    scenario = scenario_doc(size)
    path = out / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path


def scenario_doc(size: str) -> dict:
    """The benchmark scenario: every optional family that is cheap to state is switched on."""
    return {
        "name": f"bench-{size}",
        "description": f"siteplan benchmark, synthetic {size} dataset (benchmarks/generate.py)",
        "dataset": "data",
        "currency": "CNY",
        "policy": {
            "min_green_share": 0.6,
            "min_site_green_share": 0.3,
            "pue_cap": {"east": 1.25, "west": 1.2},
            "utilisation_min": 0.5,
            "utilisation_max": 0.85,
            "carbon_price_per_t": 60.0,
            "unserved_cost_per_mtok": 200.0,
            "certificates": {"price_per_mwh": 25.0, "max_share": 0.25},
        },
        "time": {"hours_per_slice": 1},
        "network": {"route_factor": 1.5, "overhead_ms": 4.0, "cost_per_mtok_per_1000km": 0.0},
        "solver": {"time_limit_s": 1800, "mip_rel_gap": SIZES[size].mip_rel_gap,
                   "threads": 1, "seed": 0,
                   "integer_sites": SIZES[size].integer},
    }


def _write_csv(path: Path, rows: list[dict]) -> None:
    cols: list[str] = []
    for row in rows:
        cols += [c for c in row if c not in cols]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, fieldnames=cols)
        wr.writeheader()
        for row in rows:
            wr.writerow({c: _cell(row.get(c)) for c in cols})


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", required=True, choices=sorted(SIZES))
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(generate(args.size, args.out, args.seed))


if __name__ == "__main__":
    main()
