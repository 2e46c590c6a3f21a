"""Sparse index structures shared by the constraint families (pure numpy, no Pyomo).

Every variable family is indexed by a flat integer so Pyomo never hashes tuples:
x (serve) by ``a * T + t`` over arcs a; q (process) by ``p * T + t`` over process triples
(site, workload, hardware) with thr > 0; demand groups g are (region, workload) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siteplan.inputs.derive import ModelData


@dataclass(frozen=True)
class Layout:
    n_t: int
    # demand groups g = (region, workload) with demand > 0
    group_region: np.ndarray
    group_workload: np.ndarray
    arc_group: np.ndarray  # (A,) group of each arc
    arcs_of_group: list[np.ndarray]
    # process triples p = (site, workload, hardware) with thr > 0 and an arc for (site, workload)
    proc_site: np.ndarray
    proc_workload: np.ndarray
    proc_hardware: np.ndarray
    arcs_of_sk: dict[tuple[int, int], np.ndarray]  # (site, workload) -> arcs
    procs_of_sk: dict[tuple[int, int], np.ndarray]
    procs_of_sh: dict[tuple[int, int], np.ndarray]  # (site, hardware) -> procs
    site_hw: list[tuple[int, int]]  # (site, hardware) pairs that get a capacity variable
    ppas_of_site: dict[int, np.ndarray]


def _group(keys: np.ndarray) -> dict:
    """Map each distinct row of ``keys`` (n, m) to the positions where it occurs."""
    out: dict = {}
    if len(keys) == 0:
        return out
    order = np.lexsort(keys.T[::-1])
    sk = keys[order]
    cut = np.flatnonzero(np.any(sk[1:] != sk[:-1], axis=1)) + 1
    for chunk in np.split(order, cut):
        out[tuple(int(v) for v in keys[chunk[0]])] = np.sort(chunk)
    return out


def make_layout(d: ModelData) -> Layout:
    n_t = d.n_slices
    has_demand = d.demand.sum(axis=2) > 0  # (R, K)
    gr, gk = np.nonzero(has_demand)
    g_of = {(int(r), int(k)): g for g, (r, k) in enumerate(zip(gr, gk, strict=True))}
    arc_group = np.array(
        [g_of[(int(r), int(k))] for r, k in zip(d.arc_region, d.arc_workload, strict=True)],
        dtype=int,
    )
    arcs_of_group = [np.zeros(0, int) for _ in range(len(gr))]
    for g, arcs in _group(arc_group[:, None]).items():
        arcs_of_group[g[0]] = arcs
    arcs_of_sk = _group(np.column_stack([d.arc_site, d.arc_workload]))
    ps, pk, ph = [], [], []
    for (s, k) in sorted(arcs_of_sk):
        for h in np.flatnonzero(d.thr[:, k] > 0):
            ps.append(s)
            pk.append(k)
            ph.append(int(h))
    proc_site, proc_workload, proc_hardware = (np.array(v, dtype=int) for v in (ps, pk, ph))
    procs_of_sk = _group(np.column_stack([proc_site, proc_workload])) if ps else {}
    procs_of_sh = _group(np.column_stack([proc_site, proc_hardware])) if ps else {}
    # capacity variables: every (site, hardware) that could serve something, plus existing sites
    useful_hw = np.flatnonzero(d.thr.max(axis=1) > 0)
    site_hw = [(s, int(h)) for s in range(len(d.sites)) for h in useful_hw]
    ppas_of_site = {k[0]: v for k, v in _group(d.ppa_site[:, None]).items()}
    return Layout(
        n_t=n_t,
        group_region=gr,
        group_workload=gk,
        arc_group=arc_group,
        arcs_of_group=arcs_of_group,
        proc_site=proc_site,
        proc_workload=proc_workload,
        proc_hardware=proc_hardware,
        arcs_of_sk=arcs_of_sk,
        procs_of_sk=procs_of_sk,
        procs_of_sh=procs_of_sh,
        site_hw=site_hw,
        ppas_of_site=ppas_of_site,
    )
