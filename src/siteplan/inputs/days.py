"""Representative days: the days of a dataset (e.g. 365 hourly days) clustered into N.

``time.representative_days: N`` groups the days by their profiles of every time series
(each table keyed by slice: demand profiles, renewable capacity factors, price profiles),
each series scaled to [0, 1] over the year so that all count alike, and replaces them by N
days whose slices stand for the hours of all their members (weight_h = the members' hours at
that hour of day; the weights still sum to 8760). The rest of the pipeline sees an ordinary
dataset with N days.

With ``time.keep_peak`` (default) the day that holds the peak hour of each time-fixed class
is a cluster of its own (its own weight), and the other days share the remaining N - k
clusters: the peak that latency-bound capacity is sized for is never averaged away.

``time.clustering``:
- ``hierarchical`` (default): Ward agglomerative clustering; each cluster is represented by
  its medoid, the member day nearest the cluster mean, with that day's own values. With N
  equal to the number of days every day is its own cluster: the full model, exactly.
- ``kmeans``: k-means (k-means++ seeding, seed 0); each cluster's values are its members'
  mean (weighted by day), under the medoid's slice ids.

Diagnostics (summary.json ``time_aggregation``): the weight of each representative day (h)
and, per series, the RMSE (weighted by hours, in the series' own unit) between the full-year
values and the values of each day's representative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.cluster.vq import kmeans2

from siteplan.errors import InputDataError
from siteplan.inputs.load import Inputs
from siteplan.inputs.registry import TABLES

# time series tables (keyed by slice) and the value a missing slice takes (as derive reads it)
SERIES_DEFAULT = {"demand_profile": 1.0, "renewables": 0.0, "price_profile": 1.0}
KMEANS_SEED = 0


def _problem(scenario, what: str) -> InputDataError:
    where = (getattr(scenario, "_origin", None) or {}).get("time.representative_days") \
        or scenario.source or "scenario"
    return InputDataError([f"{where}: key 'time.representative_days': {what}"])


def _day_grid(scenario, sl: pd.DataFrame):
    """(days, hours, row index (D, H) of each day's slice at each hour) or a problem."""
    days = list(dict.fromkeys(sl["day"]))
    hours = sorted(int(h) for h in sl.loc[sl["day"] == days[0], "hour"])
    grid = np.full((len(days), len(hours)), -1)
    h_at = {h: i for i, h in enumerate(hours)}
    d_at = {d: i for i, d in enumerate(days)}
    for row, (day, hour) in enumerate(zip(sl["day"], sl["hour"], strict=True)):
        i = h_at.get(int(hour))
        if i is None:
            raise _problem(scenario, f"day '{day}' has a slice at hour {hour} but day "
                           f"'{days[0]}' does not; expected every day to have the same hours")
        grid[d_at[day], i] = row
    missing = np.argwhere(grid < 0)
    if len(missing):
        d, i = missing[0]
        raise _problem(scenario, f"day '{days[d]}' has no slice at hour {hours[i]}; expected "
                       "every day to have the same hours")
    return days, hours, grid


def _series(inputs: Inputs, sl: pd.DataFrame, grid: np.ndarray) -> list[tuple[str, str, tuple,
                                                                              np.ndarray]]:
    """Every time series as (table, column, key, values (D, H))."""
    pos = {s: divmod(i, grid.shape[1]) for i, s in enumerate(sl["slice"].to_numpy()[grid].ravel())}
    out = []
    for name, default in SERIES_DEFAULT.items():
        table, df = TABLES[name], inputs[name]
        keys = [k for k in table.key if k != "slice"]
        values = [c.name for c in table.columns if c.kind == "float"]
        if df.empty:
            continue
        for key, rows in df.groupby(keys, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            d, h = zip(*(pos[s] for s in rows["slice"]), strict=True)
            for col in values:
                arr = np.full(grid.shape, default)
                arr[list(d), list(h)] = rows[col].to_numpy(float)
                out.append((name, col, key, arr))
    return out


def _peak_days(scenario, inputs: Inputs, sl: pd.DataFrame, grid: np.ndarray) -> list[int]:
    """Days (positions in the grid) holding the peak hour of a time-fixed class, kept as
    clusters of their own with ``time.keep_peak`` (the peak, as derive reads it: the highest
    profile factor relative to its day's weighted mean)."""
    if not scenario.time.keep_peak:
        return []
    from siteplan.inputs.derive import peak_rows

    rows = peak_rows(inputs)
    day_of = {int(r): d for d, row in enumerate(grid) for r in row}
    return sorted({day_of[r] for r in rows.values()})


def _cluster(X: np.ndarray, n: int, method: str) -> np.ndarray:
    """Cluster label of each day (0..k-1, k <= n)."""
    if n >= len(X) and method == "hierarchical":
        return np.arange(len(X))
    if method == "hierarchical":
        return fcluster(linkage(X, method="ward"), n, criterion="maxclust") - 1
    _, labels = kmeans2(X, n, minit="++", seed=KMEANS_SEED)
    return labels


def representative_days(scenario, inputs: Inputs) -> tuple[Inputs, dict]:
    """``inputs`` with its days replaced by ``time.representative_days`` clustered days."""
    n, method = scenario.time.representative_days, scenario.time.clustering
    sl = inputs["slices"]
    days, hours, grid = _day_grid(scenario, sl)
    if n > len(days):
        raise _problem(scenario, f"{n} is more than the {len(days)} days in "
                       f"{inputs.folder / 'slices.csv'}; expected at most {len(days)}")
    series = _series(inputs, sl, grid)
    cols = []
    for *_, arr in series:
        lo, hi = arr.min(), arr.max()
        if hi > lo:
            cols.append((arr - lo) / (hi - lo))
    X = np.hstack(cols) if cols else np.zeros((len(days), 1))
    peaks = _peak_days(scenario, inputs, sl, grid) if n < len(days) else []
    if peaks and n <= len(peaks):
        raise _problem(scenario, f"{n} leaves no day besides the {len(peaks)} peak day(s) "
                       "time.keep_peak keeps; expected more representative days, or "
                       "time.keep_peak: false")
    if peaks:  # each peak day is a cluster of its own; the others share n - len(peaks)
        rest = np.array([i for i in range(len(days)) if i not in peaks])
        labels = np.zeros(len(days), int)
        labels[rest] = _cluster(X[rest], n - len(peaks), method)
        labels[peaks] = labels[rest].max() + 1 + np.arange(len(peaks))
    else:
        labels = _cluster(X, n, method)
    # clusters in order of their first day; representative = the medoid
    order = list(dict.fromkeys(labels))
    label = np.array([order.index(c) for c in labels])
    k = len(order)
    rep = np.zeros(k, int)
    for c in range(k):
        members = np.flatnonzero(label == c)
        centre = X[members].mean(axis=0)
        rep[c] = members[np.argmin(((X[members] - centre) ** 2).sum(axis=1))]
    w = sl["weight_h"].to_numpy(float)[grid]  # (D, H)
    rows = grid[rep].ravel()  # slices kept: the representatives', day by day
    new_sl = sl.iloc[rows].copy()
    new_sl["weight_h"] = np.vstack([w[label == c].sum(axis=0) for c in range(k)]).ravel()
    tables = dict(inputs.tables)
    lines = dict(inputs.lines)
    tables["slices"], lines["slices"] = new_sl.reset_index(drop=True), inputs.lines["slices"][rows]
    kept = set(new_sl["slice"])
    rep_values = {}
    for name, col, key, arr in series:
        if method == "kmeans":
            val = np.vstack([(arr[m] * w[m]).sum(axis=0) / w[m].sum(axis=0)
                             for m in (label == c for c in range(k))])
        else:
            val = arr[rep]
        rep_values[(name, col, key)] = val
    for name in SERIES_DEFAULT:
        df = inputs[name]
        if df.empty:
            continue
        keep = df["slice"].isin(kept).to_numpy()
        sub = df.loc[keep].copy()
        if method == "kmeans":
            _write_means(sub, name, rep_values, new_sl, hours)
        tables[name], lines[name] = sub.reset_index(drop=True), inputs.lines[name][keep]
    rmse = {}
    for name, col, key, arr in series:
        err = arr - rep_values[(name, col, key)][label]
        rmse[f"{name}.{col}[{','.join(map(str, key))}]"] = float(np.sqrt((w * err ** 2).sum()
                                                                         / w.sum()))
    diag = {"method": method, "days": len(days), "representative_days": k,
            "day_weight_h": {days[r]: float(w[label == c].sum()) for c, r in enumerate(rep)},
            "peak_days": [days[i] for i in peaks],
            "profile_rmse": rmse}
    return Inputs(folder=inputs.folder, tables=tables, lines=lines), diag


def _write_means(sub: pd.DataFrame, name: str, rep_values: dict, new_sl: pd.DataFrame,
                 hours: list[int]) -> None:
    """Put the cluster means into the representatives' rows of one series table."""
    table = TABLES[name]
    keys = [k for k in table.key if k != "slice"]
    at = {s: divmod(i, len(hours)) for i, s in enumerate(new_sl["slice"])}
    for col in (c.name for c in table.columns if c.kind == "float"):
        for i, (idx, s) in enumerate(zip(sub.index, sub["slice"], strict=True)):
            key = tuple(sub.iloc[i][k] for k in keys)
            c, h = at[s]
            sub.at[idx, col] = rep_values[(name, col, key)][c, h]
