"""The family registry (model/families.py) is complete: every constraint component of a built
model belongs to a family that says whether its rows are soft or hard; every family with rows
has a removal test; ``applies`` says truly whether a family's rows are on; and the benchmark
builders name only families of the registry (they refuse data that switches on another).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pyomo.environ as pyo
import pytest

import siteplan
from builders import tiny_tables, write_scenario
from siteplan.inputs.pathway import derive_pathway
from siteplan.model import build_model
from siteplan.model.build import build_pathway_model
from siteplan.model.families import (
    FAMILIES,
    FUTURE_LINKS,
    LINKS,
    family_of_row,
    names,
    require,
)
from siteplan.model.family import Hard, Soft
from test_families import _day_night, _two_days
from test_family_removal import CASES

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# every family switched on, in the two green accounting modes that exclude each other
EVERYTHING = {"policy__min_green_share": 0.5, "policy__min_site_green_share": 0.3,
              "policy__carbon_cap_t": 1e9, "policy__carbon_price_per_t": 10.0,
              "policy__max_site_share": 0.9, "policy__single_sourcing": True,
              "policy__max_share": {"location": 0.9, "province": 0.95},
              "policy__n_minus_1": {"share": 0.5, "classes": ["chat"]},
              "policy__utilisation_min": 0.1, "policy__unserved_cost_per_mtok": 1e4,
              "synergy__storage": True, "synergy__absorb_curtailment": True,
              "synergy__move_between_sites": False, "policy__water_cap_m3": {"b": 1e9},
              "policy__hardware": {"gpu": {"max_units": 1e9}},
              "policy__peak_headroom": 1.1}
HOURLY = {**EVERYTHING, "policy__green_accounting": "hourly",
          "policy__hourly_clean_share": 0.5}
CERTIFICATES = {**EVERYTHING, "policy__certificates": {"price_per_mwh": 5.0, "max_share": 0.5}}
MARGIN = {**{k: v for k, v in HOURLY.items() if k != "policy__unserved_cost_per_mtok"},
          "objective": "margin"}


def _everything_tables():
    """Two days, a shiftable and a time-fixed class, solar PPAs, a battery and a curtailment
    surplus."""
    t = _two_days()
    t["workloads"].append({"workload": "live", "name": "Live", "shiftable": "false"})
    t["throughput"].append({**t["throughput"][0], "workload": "live"})
    t["demand"].append({"region": "a", "workload": "live", "tokens_per_day": 2.4e6})
    t["storage"] = _day_night(storage=True)["storage"]
    t["curtailment"] = [{"region": "b", "slice": s, "surplus_mw": 0.5, "price_per_mwh": 10.0}
                        for s in ("d1", "d2")]
    t["token_value"] = [{"workload": wl["workload"], "tier": "all", "share": 1.0,
                         "price_per_mtok": 1e4} for wl in t["workloads"]]
    t["hardware"][0]["units_per_system"] = 2.0
    t["site_options"][1]["module_mw"] = 0.5
    t["grid_tiers"] = [{"voltage_kv": 110, "max_mw": 2.0, "cost_per_year": 100.0}]
    return t


def _data(tmp_path, tables, keys):
    return siteplan.prepare(siteplan.load_scenario(write_scenario(tmp_path, tables, **keys)))


def _components(m) -> list[str]:
    return [c.local_name for c in m.component_objects(pyo.Constraint, descend_into=True)]


@pytest.mark.parametrize(("keys", "off"), [(HOURLY, {"token value"}),
                                           (CERTIFICATES, {"hourly matching", "token value"}),
                                           (MARGIN, set())],
                         ids=["hourly", "certificates", "margin"])
def test_every_row_of_a_built_model_belongs_to_a_family(tmp_path, keys, off):
    d = _data(tmp_path, _everything_tables(), keys)
    assert {f.NAME for f in FAMILIES if not f.applies(d)} == off
    m = build_model(d).model
    for name in _components(m):
        kind = family_of_row(name).ROWS[name]
        assert isinstance(kind, Soft | Hard), name


def test_every_row_of_a_pathway_belongs_to_a_family(tmp_path):
    path = write_scenario(tmp_path, tiny_tables(), years=[2026, 2027])
    m = build_pathway_model(derive_pathway(siteplan.load_scenario(path))).model
    linked = {name for f in LINKS for name in f.ROWS}
    seen = set(_components(m))
    assert linked <= seen
    for name in seen:
        family_of_row(name)  # raises if no family declares it


# families whose removal moves the LP relaxation, not the optimum: their test, elsewhere
REMOVED_ELSEWHERE = {
    "strong linking": ("test_linking", "test_removing_the_links_lowers_the_relaxation_bound"),
    "futures": ("test_futures", "test_removing_the_shared_build_gives_perfect_information"),
}


def test_every_family_with_rows_has_a_removal_test():
    removed = {family_of_row(name).NAME for _t, _k, off, _e in CASES.values() for name in off}
    for name, (module, test) in REMOVED_ELSEWHERE.items():
        assert callable(getattr(importlib.import_module(module), test)), (name, test)
        removed.add(name)
    with_rows = {f.NAME for f in (*FAMILIES, *LINKS, *FUTURE_LINKS) if f.ROWS}
    assert with_rows - removed == set()


def test_names_are_unique_and_rows_declared_once():
    assert len(set(names())) == len(names())
    rows = [name for f in (*FAMILIES, *LINKS, *FUTURE_LINKS) for name in f.ROWS]
    assert len(set(rows)) == len(rows)


def test_a_family_that_does_not_apply_adds_no_rows(tmp_path):
    d = _data(tmp_path, tiny_tables(), {})
    m = build_model(d).model
    for f in FAMILIES:
        if not f.applies(d):
            assert all(len(getattr(m, name)) == 0 for name in f.ROWS), f.NAME


def _declared(path: Path) -> set[str]:
    """The IMPLEMENTED set of a benchmark builder, read without importing it."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "IMPLEMENTED":
            return set(ast.literal_eval(node.value.args[0]))
    raise AssertionError(f"{path.name} declares no IMPLEMENTED")


@pytest.mark.parametrize("builder", ["sparse_model.py", "linopy_model.py"])
def test_benchmark_builders_name_registry_families(builder):
    assert _declared(BENCHMARKS / builder) <= set(names())


def test_a_builder_refuses_a_family_it_lacks(tmp_path):
    d = _data(tmp_path, _day_night(storage=True), {"synergy__storage": True})
    require(d, frozenset(names()), "all")  # nothing missing
    with pytest.raises(NotImplementedError, match="does not build storage"):
        require(d, frozenset(names()) - {"storage"}, "builder")
    with pytest.raises(ValueError, match="unknown families nonsense"):
        require(d, frozenset({"nonsense"}), "builder")
