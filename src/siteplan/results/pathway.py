"""A solved pathway as tables: each year's allocation, sites and regions (with a ``year``
column), ``builds`` (what is built and retired when), and the summary with the net present
cost and each year's cost per Mtok."""

from __future__ import annotations

import numpy as np
import pandas as pd

from siteplan.inputs.pathway import PathwayData
from siteplan.model.context import Built
from siteplan.model.costs import COST_TERMS
from siteplan.model.vintage import standing
from siteplan.results.extract import extract
from siteplan.results.zones import zones_of
from siteplan.solve import SolveResult

EPS_MW = 1e-6


def extract_pathway(built: Built, P: PathwayData, res: SolveResult) -> dict:
    """Tables and summary of a solved pathway model (see module docstring)."""
    m = built.model
    Y = len(P.years)
    d0 = P.data[0]
    site_hw = built.years[0].layout.site_hw
    J, n_s = len(site_hw), len(d0.sites)
    build = res.values(m.v_build_mw).reshape(J, Y)
    fac = res.values(m.v_fac_build_mw).reshape(n_s, Y)
    hw_of = np.array([h for _s, h in site_hw], dtype=int)
    site_of = np.array([s for s, _h in site_hw], dtype=int)
    hw_stand = np.array([standing(P.years, d0.hw_lifetime_years[h]) for h in hw_of])  # (J,Y,Y)
    stand_mw = np.einsum("jyv,jv->jy", hw_stand, build) if J else np.zeros((0, Y))

    tables: dict[str, list[pd.DataFrame]] = {"allocation": [], "sites": [], "regions": [],
                                             "site_hours": []}
    years = []
    for y, (year, ctx, d) in enumerate(zip(P.years, built.years, P.data, strict=True)):
        out = extract(ctx, res, cost_weight=float(P.weight[y]))
        for name in tables:
            tables[name].append(out[name].assign(year=year))
        years.append({"year": year, "span_years": float(P.span_years[y]),
                      "discounted_years": float(P.weight[y]), **out["summary"],
                      **_zone_mw(d, site_of, build[:, y], stand_mw[:, y])})
    frames = {name: _year_first(pd.concat(parts, ignore_index=True))
              for name, parts in tables.items()}
    npc_terms = {t: float(sum(P.weight[y] * years[y]["cost_breakdown"][t] for y in range(Y)))
                 for t in COST_TERMS}
    summary = {
        "objective": float(sum(npc_terms.values())),
        "objective_meaning": "net present cost at the first year (currency)",
        "net_present_cost": float(sum(npc_terms.values())),
        "cost_breakdown": npc_terms,
        "years": years,
        "final_year": years[-1]["year"],
    }
    frames["builds"] = _builds(P, site_hw, build, fac)
    return {**frames, "summary": summary}


def _year_first(df: pd.DataFrame) -> pd.DataFrame:
    return df[["year", *[c for c in df.columns if c != "year"]]]


def _zone_mw(d, site_of: np.ndarray, built: np.ndarray, stand: np.ndarray) -> dict:
    """MW-IT built in the year and standing after it, in each zone of the dataset."""
    zone = d.location_zone[d.site_location][site_of] if len(site_of) else np.zeros(0)
    out = {}
    for z in zones_of(d.region_zone, d.location_zone):
        out[f"mw_built_{z}"] = float(built[zone == z].sum())
        out[f"mw_standing_{z}"] = float(stand[zone == z].sum())
    return out


def _builds(P: PathwayData, site_hw, build, fac) -> pd.DataFrame:
    """One row per (year, option, asset) with MW built, retired or standing; the asset is a
    hardware id or ``facility`` (building + cooling, MW-IT it can hold)."""
    d0 = P.data[0]
    assets = [(s, d0.hardware[h], build[j], d0.hw_lifetime_years[h])
              for j, (s, h) in enumerate(site_hw)]
    assets += [(s, "facility", fac[s], P.facility_lifetime_years) for s in range(len(d0.sites))]
    rows = []
    for s, asset, built, life in assets:
        st = standing(P.years, life)
        stand = st @ built
        for y, year in enumerate(P.years):
            # built in v, standing in the previous modelled year but not in this one
            retired = float(sum(built[v] for v in range(y) if st[y - 1, v] and not st[y, v]))
            if max(built[y], retired, stand[y]) <= EPS_MW:
                continue
            loc = d0.site_location[s]
            rows.append({
                "year": year, "site": d0.sites[s], "location": d0.locations[loc],
                "region": d0.regions[d0.location_region[loc]], "zone": d0.location_zone[loc],
                "asset": asset, "built_mw": float(built[y]), "retired_mw": retired,
                "standing_mw": float(stand[y]),
            })
    cols = ["year", "site", "location", "region", "zone", "asset", "built_mw", "retired_mw",
            "standing_mw"]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["year", "site", "asset"], kind="stable").reset_index(drop=True)


def select_year(summary: dict, tables: dict[str, pd.DataFrame], year: int | None, where: str):
    """One year of a pathway result as a single-year result: (summary, tables, note).

    ``year`` None means the final year; a single-year result is returned unchanged (and a
    ``year`` asked of it is an error). Raises ValueError with a one-line message.
    """
    entries = summary.get("years")
    if not isinstance(entries, list) or not entries:
        if year is not None:
            raise ValueError(f"{where}: not a pathway result; --year applies to results of a "
                             "scenario with 'years'")
        return summary, tables, None
    have = [int(e["year"]) for e in entries]
    pick = have[-1] if year is None else int(year)
    if pick not in have:
        raise ValueError(f"{where}: no year {pick} in this pathway; expected one of "
                         f"{', '.join(map(str, have))}")
    entry = entries[have.index(pick)]
    one = {k: v for k, v in summary.items() if k != "years"}
    one.update({k: v for k, v in entry.items() if k != "year"})
    one["pathway_year"], one["pathway_years"] = pick, entries
    out = {}
    for name, df in tables.items():
        if df is not None and "year" in df.columns:
            df = df[df["year"] == pick].drop(columns="year").reset_index(drop=True)
        out[name] = df
    note = f"{where}: pathway result, showing year {pick} (of {', '.join(map(str, have))})"
    return one, out, note
