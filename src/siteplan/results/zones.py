"""Zones are data: the share of served tokens produced in each zone (``<zone>_share``).

The zones are the ``zone`` ids of the dataset's regions and locations, sorted. Shares are
reported for every zone but the first: they sum to 1 with it, so it is implied (with the
bundled datasets' ``east`` and ``west`` this is ``west_share``, the "East Data, West
Computing" figure).
"""

from __future__ import annotations

import numpy as np


def zones_of(region_zone, location_zone) -> list[str]:
    """Every zone id of a dataset, sorted."""
    return sorted({str(z) for z in (*region_zone, *location_zone)})


def reported(zones: list[str]) -> list[str]:
    """The zones whose share is reported (all but the first)."""
    return list(zones[1:])


def zone_shares(d, alloc_location: np.ndarray, alloc_region: np.ndarray, served: np.ndarray,
                served_r: np.ndarray) -> tuple[dict[str, np.ndarray], dict]:
    """(per-region columns, summary keys) of the shares served from each reported zone.

    ``alloc_location``/``alloc_region``: location and region index of each allocation row,
    ``served``: its Mtok/yr; ``served_r``: Mtok/yr served per region.
    """
    zones = zones_of(d.region_zone, d.location_zone)
    zone = d.location_zone[alloc_location] if len(alloc_location) else np.zeros(0, object)
    total = float(served.sum())
    columns, summary = {}, {"zones": zones}
    n_r = len(served_r)
    for z in reported(zones):
        z_r = np.bincount(alloc_region, weights=served * (zone == z), minlength=n_r)
        columns[f"{z}_share"] = np.divide(z_r, served_r, out=np.full(n_r, np.nan),
                                          where=served_r > 0)
        summary[f"{z}_share"] = float(z_r.sum() / total) if total > 0 else 0.0
    return columns, summary
