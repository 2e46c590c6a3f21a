"""A textbook capacitated facility location instance reproduces its published optimum.

Instance: OR-Library cap71 (Beasley), 16 candidate warehouses x 50 customers, fixed cost 7500
(warehouse 11: 0), capacity 58268 each; "cost of allocating all of the demand of customer j to
warehouse i". Published optimum 932615.750: J.E. Beasley, OR-Library, files capinfo/capopt
(http://people.brunel.ac.uk/~mastjjb/jeb/orlib/capinfo.html); problem set VII of Beasley,
"An algorithm for solving large capacitated warehouse location problems", EJOR 33 (1988).
Data file copied from the public mirror lumasepa/MetaH:cap71.txt@0506176.

Encoding as a siteplan scenario: customers are regions, warehouses are locations with one
option each; one slice of 8760 h; 1 MW serves 1 Mtok/h; a customer's demand d is d Mtok/h;
allocation cost c_ij for all of j's demand becomes c_ij / (8760 d_j) per Mtok (network.csv);
every other cost is zero.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import siteplan
from builders import TOKENS_PER_S_PER_MW, write_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "orlib_cap71.txt"
PUBLISHED_OPTIMUM = 932615.750


def read_orlib(path: Path, capacity: float | None = None):
    """(capacities, fixed costs, demands, cost[j][i]) of a Beasley cap file; the large
    instances (capa/capb/capc) write the word `capacity`, replaced by ``capacity``."""
    tok = path.read_text().split()
    m, n = int(tok[0]), int(tok[1])
    pos = 2
    cap, fixed = [], []
    for _ in range(m):
        cap.append(float(capacity) if tok[pos] == "capacity" else float(tok[pos]))
        fixed.append(float(tok[pos + 1]))
        pos += 2
    demand, cost = [], []
    for _ in range(n):
        demand.append(float(tok[pos]))
        cost.append([float(v) for v in tok[pos + 1: pos + 1 + m]])
        pos += 1 + m
    return cap, fixed, demand, cost


def cfl_tables(path: Path, capacity: float | None = None) -> dict:
    """The documented dataset tables of a Beasley cap instance (module docstring)."""
    cap, fixed, demand, cost = read_orlib(path, capacity)
    m, n = len(cap), len(demand)
    hours = 8760.0
    return {
        "regions": [{"region": f"c{j + 1}", "name": f"customer {j + 1}", "lat": 0.0, "lon": 0.0,
                     "zone": "east", "price_per_mwh": 0.0, "green_share": 0.0,
                     "ef_tco2_per_mwh": 0.0} for j in range(n)],
        "locations": [{"location": f"w{i + 1}", "name": f"warehouse {i + 1}", "region": "c1",
                       "lat": 0.0, "lon": 0.0, "fixed_cost_per_year": fixed[i],
                       "max_mw": cap[i]} for i in range(m)],
        "cooling": [{"cooling": "none", "name": "none"}],
        "site_options": [{"site": f"w{i + 1}", "location": f"w{i + 1}", "cooling": "none",
                          "pue": 1.0} for i in range(m)],
        "hardware": [{"hardware": "unit", "name": "unit", "kw_per_unit": 1000.0,
                      "idle_share": 0.0}],
        "workloads": [{"workload": "goods", "name": "goods"}],
        "throughput": [{"hardware": "unit", "workload": "goods",
                        "tokens_per_s": TOKENS_PER_S_PER_MW}],
        "demand": [{"region": f"c{j + 1}", "workload": "goods",
                    "tokens_per_day": demand[j] * 24e6} for j in range(n)],
        "slices": [{"slice": "year", "day": "year", "hour": 0, "weight_h": hours}],
        "network": [{"region": f"c{j + 1}", "location": f"w{i + 1}", "latency_ms": 0.0,
                     "cost_per_mtok": repr(cost[j][i] / (hours * demand[j]))}
                    for j in range(n) for i in range(m)],
    }


def test_orlib_cap71_reproduces_the_published_optimum(tmp_path):
    path = write_scenario(tmp_path, cfl_tables(FIXTURE), solver__mip_rel_gap=0.0)
    res = siteplan.solve(siteplan.load_scenario(path))
    assert res.summary["status"] == "optimal"
    assert res.objective == pytest.approx(PUBLISHED_OPTIMUM, rel=1e-9)
    breakdown = res.summary["cost_breakdown"]
    assert breakdown["fixed"] + breakdown["network"] == pytest.approx(res.objective)
