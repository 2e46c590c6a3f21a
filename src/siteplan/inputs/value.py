"""Token value tiers (token_value.csv, objective ``margin``) as aligned arrays.

Each class k has tiers i with a share of its demand (in every region and slice) and a price
per Mtok; tiers are ordered by price, dearest first, and padded with zero shares.
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.load import Inputs


def value_tiers(inputs: Inputs, workloads: list[str]) -> tuple[list[list[str]], np.ndarray,
                                                               np.ndarray]:
    """(tier names per class, share (K, N), price per Mtok (K, N)); N = the most tiers."""
    value = inputs["token_value"]
    rows = {k: [] for k in workloads}
    for r in value.itertuples(index=False):
        if r.workload in rows:
            rows[r.workload].append((float(r.price_per_mtok), str(r.tier), float(r.share)))
    n = max((len(v) for v in rows.values()), default=0)
    names = [[] for _ in workloads]
    share, price = np.zeros((len(workloads), n)), np.zeros((len(workloads), n))
    for k, wl in enumerate(workloads):
        for i, (p, tier, sh) in enumerate(sorted(rows[wl], key=lambda x: (-x[0], x[1]))):
            names[k].append(tier)
            share[k, i], price[k, i] = sh, p
    return names, share, price
