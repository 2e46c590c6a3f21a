"""Build tiny datasets and scenarios for hand-solved tests.

``tiny_tables()`` returns a minimal, valid dataset as dicts of rows; tests change what they
need and write it with ``write_dataset``. Defaults are chosen so numbers are easy by hand:
one slice of 8760 h, 1 MW-IT of hardware serves 1 Mtok/h (1e6 tokens/h), PUE 1, idle 0.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import yaml

# 1 Mtok/h per MW-IT: tokens_per_s = 1e6 / 3600 per unit of 1000 kW
TOKENS_PER_S_PER_MW = 1e6 / 3600.0


def tiny_tables() -> dict[str, list[dict]]:
    return copy.deepcopy({
        "regions": [
            {"region": "a", "name": "A", "lat": 0.0, "lon": 0.0, "zone": "east",
             "price_per_mwh": 100.0, "green_share": 0.2, "ef_tco2_per_mwh": 0.5},
            {"region": "b", "name": "B", "lat": 0.0, "lon": 10.0, "zone": "west",
             "price_per_mwh": 50.0, "green_share": 0.6, "ef_tco2_per_mwh": 0.3},
        ],
        "locations": [
            {"location": "la", "name": "LA", "region": "a", "lat": 0.0, "lon": 0.0,
             "max_mw": 100.0, "fixed_cost_per_year": 0.0},
            {"location": "lb", "name": "LB", "region": "b", "lat": 0.0, "lon": 10.0,
             "max_mw": 100.0, "fixed_cost_per_year": 0.0},
        ],
        "cooling": [{"cooling": "air", "name": "Air", "facility_cost_per_mw_year": 0.0}],
        "site_options": [
            {"site": "la-air", "location": "la", "cooling": "air", "pue": 1.0},
            {"site": "lb-air", "location": "lb", "cooling": "air", "pue": 1.0},
        ],
        "hardware": [
            {"hardware": "gpu", "name": "GPU", "kw_per_unit": 1000.0, "capex_per_unit": 0.0,
             "lifetime_years": 1.0, "idle_share": 0.0},
        ],
        "workloads": [{"workload": "chat", "name": "Chat", "shiftable": "false"}],
        "throughput": [{"hardware": "gpu", "workload": "chat",
                        "tokens_per_s": TOKENS_PER_S_PER_MW}],
        "demand": [
            {"region": "a", "workload": "chat", "tokens_per_day": 24e6},  # 1 Mtok/h
            {"region": "b", "workload": "chat", "tokens_per_day": 24e6},
        ],
        "slices": [{"slice": "all", "day": "d", "hour": 0, "weight_h": 8760.0}],
    })


def trade_off_tables() -> dict[str, list[dict]]:
    """East a: cheap, 20 % green; west b: dearer, 95 % green: green floors cost money."""
    t = tiny_tables()
    t["regions"][0].update(price_per_mwh=50.0, green_share=0.2, ef_tco2_per_mwh=0.8)
    t["regions"][1].update(price_per_mwh=80.0, green_share=0.95, ef_tco2_per_mwh=0.05)
    return t


def write_dataset(folder: Path, tables: dict[str, list[dict]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        cols: list[str] = []
        for row in rows:
            cols += [c for c in row if c not in cols]
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            wr = csv.DictWriter(fh, fieldnames=cols)
            wr.writeheader()
            for row in rows:
                wr.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in cols})
    return folder


def write_scenario(folder: Path, tables: dict[str, list[dict]], **keys) -> Path:
    """Dataset in ``folder/data`` and scenario ``folder/s.yaml`` (keys deep-set by dotted name)."""
    write_dataset(folder / "data", tables)
    doc: dict = {"name": "tiny", "dataset": "data", "currency": "CNY",
                 "network": {"overhead_ms": 0.0, "cost_per_mtok_per_1000km": 0.0}}
    for dotted, value in keys.items():
        node = doc
        parts = dotted.split("__")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    path = folder / "s.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def solve_tiny(tmp_path: Path, tables=None, **keys):
    import siteplan

    path = write_scenario(tmp_path, tables or tiny_tables(), **keys)
    return siteplan.solve(siteplan.load_scenario(path))


def sweep_tables() -> dict[str, list[dict]]:
    """Four locations with fixed costs and minimum sizes, two days x four slices with
    time-of-use prices, a shiftable class and solar PPAs: opening decisions move with prices.
    """
    t = tiny_tables()
    t["regions"].append({"region": "c", "name": "C", "lat": 5.0, "lon": 5.0, "zone": "east",
                         "price_per_mwh": 80.0, "green_share": 0.35, "ef_tco2_per_mwh": 0.6})
    t["locations"] = [
        {"location": loc, "name": loc.upper(), "region": r, "lat": lat, "lon": lon,
         "max_mw": mx, "min_mw": mn, "fixed_cost_per_year": fc}
        for loc, r, lat, lon, mx, mn, fc in [
            ("la", "a", 0.0, 0.0, 3.0, 0.0, 20_000.0), ("lb", "b", 0.0, 10.0, 2.5, 1.0, 60_000.0),
            ("lc", "c", 5.0, 5.0, 3.0, 0.5, 40_000.0), ("ld", "b", 1.0, 11.0, 4.0, 2.0, 90_000.0)]]
    t["site_options"] = [{"site": f"{loc}-air", "location": loc, "cooling": "air", "pue": pue}
                         for loc, pue in [("la", 1.3), ("lb", 1.15), ("lc", 1.2), ("ld", 1.1)]]
    t["hardware"][0].update(capex_per_unit=30_000.0, idle_share=0.2)
    t["workloads"].append({"workload": "batch", "name": "Batch", "shiftable": "true",
                           "peak_factor": 2.0})
    t["throughput"].append({"hardware": "gpu", "workload": "batch",
                            "tokens_per_s": 2 * TOKENS_PER_S_PER_MW})
    t["demand"] += [{"region": r, "workload": "batch", "tokens_per_day": 30e6} for r in "abc"]
    t["demand"].append({"region": "c", "workload": "chat", "tokens_per_day": 36e6})
    hours = [0, 6, 12, 18]
    t["slices"] = [{"slice": f"{d}-h{h:02d}", "day": d, "hour": h, "weight_h": 8760.0 / 8}
                   for d in ("winter", "summer") for h in hours]
    t["tou"] = [{"region": r, "hour": h, "multiplier": m} for r in "abc"
                for h, m in zip(hours, [0.5, 1.0, 1.2, 1.6], strict=True)]
    t["demand_profile"] = [{"workload": "chat", "slice": s["slice"], "factor": f}
                           for s, f in zip(t["slices"], [0.4, 1.0, 1.2, 1.4] * 2, strict=True)]
    cf = {"winter": [0.0, 0.3, 0.6, 0.1], "summer": [0.0, 0.5, 0.9, 0.2]}
    t["renewables"] = [{"region": r, "tech": "solar", "slice": s["slice"],
                        "cf": cf[s["day"]][hours.index(s["hour"])]}
                       for r in "bc" for s in t["slices"]]
    t["ppa"] = [{"region": r, "tech": "solar", "cost_per_mw_year": c}
                for r, c in [("b", 60_000.0), ("c", 90_000.0)]]
    return t


def hourly_tables(days: int = 365, seed: int = 0) -> dict[str, list[dict]]:
    """A year of hourly slices (``days`` x 24, 1 h each when days = 365): seasonal and daily
    price shapes, solar with daily weather, a daily demand shape that varies by weekday."""
    import numpy as np

    rng = np.random.default_rng(seed)
    t = tiny_tables()
    t["hardware"][0].update(capex_per_unit=400_000.0, idle_share=0.3)
    t["locations"][1]["fixed_cost_per_year"] = 0.0
    hours = np.arange(24)
    day = np.arange(days)
    season = np.cos(2 * np.pi * (day + 10) / 365)  # +1 mid-winter
    weather = np.clip(rng.normal(0.8, 0.25, days), 0.1, 1.0)
    names = [f"d{d + 1:03d}" for d in day]
    t["slices"] = [{"slice": f"{n}-h{h:02d}", "day": n, "hour": int(h),
                    "weight_h": 8760.0 / (24 * days)} for n in names for h in hours]
    tou = np.where((hours >= 23) | (hours < 7), 0.5, np.where((hours >= 17) & (hours <= 21),
                                                               1.6, 1.0))
    t["tou"] = [{"region": r, "hour": int(h), "multiplier": float(m)} for r in "ab"
                for h, m in zip(hours, tou, strict=True)]
    price = 1.0 + 0.25 * season[:, None] + rng.normal(0, 0.05, (days, 24))
    t["price_profile"] = [{"region": r, "slice": f"{n}-h{h:02d}",
                           "factor": round(float(price[d, h] * (1.1 if r == "b" else 1.0)), 4)}
                          for r in "ab" for d, n in enumerate(names) for h in hours]
    weekday = (day % 7 < 5)[:, None]
    shape = 1.0 + np.where(weekday, 0.45, 0.2) * np.cos(2 * np.pi * (hours - 20) / 24)[None, :]
    t["demand_profile"] = [{"workload": "chat", "slice": f"{n}-h{h:02d}",
                            "factor": round(float(shape[d, h]), 4)}
                           for d, n in enumerate(names) for h in hours]
    sun = np.clip(np.sin(np.pi * (hours - 6) / 12), 0, None)
    cf = np.clip(0.8 * sun[None, :] * (1 - 0.3 * season[:, None]) * weather[:, None], 0, 1)
    t["renewables"] = [{"region": "b", "tech": "solar", "slice": f"{n}-h{h:02d}",
                        "cf": round(float(cf[d, h]), 4)}
                       for d, n in enumerate(names) for h in hours]
    t["ppa"] = [{"region": "b", "tech": "solar", "cost_per_mw_year": 120_000.0}]
    return t
