"""Each site's cost attributed to the demand classes it serves (post-solve, from the flows).

Drivers, per site s and class k (a[s,h,k]: class k's share of the busy MW-IT hours of
hardware h at s, sum_t w_t q[s,k,h,t] / thr[h,k]; where h did no work, the site's share
over all hardware):

- hardware: by the capacity-hours each class uses, weighted by each hardware's capital:
  sum_h capex[h] cap[s,h] a[s,h,k] / sum_h capex[h] cap[s,h]
- opex (hardware support + facility O&M): the same with (opex_hw[h] + opex_site[s]) cap[s,h]
- facility, connection, fixed: by capacity share, sum_h cap[s,h] a[s,h,k] / sum_h cap[s,h]
- electricity: by the energy each class draws in each slice, weighted by the slice's grid
  bill (price[l,t] w_t grid[s,t]); carbon likewise, weighted by the slice's grid emissions
- ppa, certificates, storage, curtailment: by the annual energy each class draws
Energy of class k in slice t: sum_h ((1 - idle_h) busy[s,k,h,t] + idle_h cap[s,h] a[s,h,k]).

Every driver's shares sum to 1 at a site that did work, so sum_k cost[s,k] = the site's cost
exactly; a site that served nothing keeps its cost unattributed (``unallocated_site_cost``).
"""

from __future__ import annotations

import numpy as np

from siteplan.inputs.derive import ModelData
from siteplan.model.layout import Layout

CAPACITY_TERMS = ("facility", "connection", "fixed")
ENERGY_TERMS = ("ppa", "certificates", "storage", "curtailment")


def _normalise(x: np.ndarray) -> np.ndarray:
    """Rows of (S, K) weights as shares (rows summing to 0 stay 0)."""
    tot = x.sum(axis=1, keepdims=True)
    return np.divide(x, tot, out=np.zeros_like(x), where=tot > 0)


def attribute(d: ModelData, L: Layout, q: np.ndarray, cap_sh: np.ndarray, grid: np.ndarray,
              site_cost: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per term, (S, K) currency/yr of each site's cost attributed to each class; and (S, K)
    each class's share of the site's energy.

    ``q`` (processes, T) Mtok/h; ``cap_sh`` (S, H) MW-IT; ``grid`` (S, T) MW the site takes
    from the grid; ``site_cost`` the site's currency/yr per term (network, unserved excluded).
    """
    n_s, n_h = cap_sh.shape
    n_k, T, w = len(d.workloads), L.n_t, d.slice_weight_h
    busy = np.zeros((n_s, n_k, n_h))  # MWh-IT busy per year
    e_t = np.zeros((n_s, n_k, T))  # MW-IT drawn by the busy work in each slice
    for p in range(len(L.proc_site)):
        s, k, h = L.proc_site[p], L.proc_workload[p], L.proc_hardware[p]
        b = q[p] / d.thr[h, k]
        busy[s, k, h] += float(b @ w)
        e_t[s, k] += (1.0 - d.hw_idle_share[h]) * b
    site_share = _normalise(busy.sum(axis=2))  # (S, K)
    tot_h = busy.sum(axis=1, keepdims=True)  # (S, 1, H)
    a = np.where(tot_h > 0, np.divide(busy, tot_h, out=np.zeros_like(busy), where=tot_h > 0),
                 site_share[:, :, None])  # (S, K, H)

    def by_weight(weight_sh: np.ndarray) -> np.ndarray:
        """Shares sum_h W[s,h] a[s,h,k] / sum_h W[s,h]; the site's share where W is 0."""
        x = np.einsum("sh,skh->sk", weight_sh, a)
        shares = _normalise(x)
        return np.where(x.sum(axis=1, keepdims=True) > 0, shares, site_share)

    idle_mw = np.einsum("sh,skh->sk", cap_sh * d.hw_idle_share[None, :], a)
    e_t += idle_mw[:, :, None]  # idle power by each class's share of the hardware
    e_share_t = _normalise_t(e_t)  # (S, K, T) class share of the load in each slice
    price = d.location_price[d.site_location]  # (S, T)
    ef = d.location_ef[d.site_location]
    energy = _normalise((e_t * w).sum(axis=2))

    def by_slice(bill: np.ndarray) -> np.ndarray:
        x = np.einsum("st,skt->sk", bill, e_share_t)
        return np.where(x.sum(axis=1, keepdims=True) > 0, _normalise(x), energy)

    site_opex = d.site_opex_per_mw if len(d.site_opex_per_mw) else np.zeros(n_s)
    hw_opex = d.hw_opex_per_mw if len(d.hw_opex_per_mw) else np.zeros(n_h)
    shares = {
        "hardware": by_weight(cap_sh * d.hw_capex_per_mw[None, :]),
        "opex": by_weight(cap_sh * (hw_opex[None, :] + site_opex[:, None])),
        "electricity": by_slice(grid * price * w),
        "carbon": by_slice(grid * ef * w),
        **dict.fromkeys(CAPACITY_TERMS, by_weight(cap_sh)),
        **dict.fromkeys(ENERGY_TERMS, energy),
    }
    idle_site = site_share.sum(axis=1) <= 0  # served nothing: left unattributed
    out = {}
    for term, cost in site_cost.items():
        out[term] = cost[:, None] * shares[term]
        out[term][idle_site] = 0.0
    return out, energy


def _normalise_t(x: np.ndarray) -> np.ndarray:
    tot = x.sum(axis=1, keepdims=True)
    return np.divide(x, tot, out=np.zeros_like(x), where=tot > 0)
