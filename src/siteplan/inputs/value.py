"""Token value tiers (token_value.csv, objective ``margin``) as aligned arrays.

Each class k has tiers i with a share of its demand and a price per Mtok. A row with a blank
``region`` holds in every region; rows naming a region replace the class's blank-region tiers
there (all of them: a region's tiers are its own rows, or else the blank-region rows). Tier
i of class k is one name in every region (ordered by the dearest price it has anywhere,
then name) and is padded with zero shares where a region has no such tier.
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.load import Inputs


def value_tiers(inputs: Inputs, workloads: list[str], regions: list[str]
                ) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """(tier names per class, share (R, K, N), price per Mtok (R, K, N)); N = the most tiers
    of a class."""
    value = inputs["token_value"]
    k_of = {wl: k for k, wl in enumerate(workloads)}
    r_of = {r: i for i, r in enumerate(regions)}
    # rows[k][region or None] = [(tier, share, price)]
    rows: list[dict] = [{} for _ in workloads]
    region_col = value["region"] if "region" in value else [None] * len(value)
    for wl, tier, sh, p, reg in zip(value["workload"], value["tier"], value["share"],
                                    value["price_per_mtok"], region_col, strict=True):
        if wl in k_of:
            key = reg if isinstance(reg, str) and reg in r_of else None
            rows[k_of[wl]].setdefault(key, []).append((str(tier), float(sh), float(p)))
    names: list[list[str]] = []
    for by_region in rows:
        dearest: dict[str, float] = {}
        for tiers in by_region.values():
            for tier, _, p in tiers:
                dearest[tier] = max(p, dearest.get(tier, -np.inf))
        names.append(sorted(dearest, key=lambda t: (-dearest[t], t)))
    n = max((len(v) for v in names), default=0)
    share = np.zeros((len(regions), len(workloads), n))
    price = np.zeros_like(share)
    for k, by_region in enumerate(rows):
        pos = {t: i for i, t in enumerate(names[k])}
        for r, region in enumerate(regions):
            for tier, sh, p in by_region.get(region, by_region.get(None, [])):
                share[r, k, pos[tier]], price[r, k, pos[tier]] = sh, p
    return names, share, price
