"""The three builds (siteplan/Pyomo, linopy, highspy) are the same model.

    pytest benchmarks/test_agreement.py        (about a minute)

Two checks per instance:
- exact: the highspy build (``order="pyomo"``) hands HiGHS the *identical* LP that siteplan's
  Pyomo interface does: same costs, column and row bounds, integrality and matrix, column by
  column (which proves every constraint family is reproduced, term by term);
- objective: siteplan, linopy and highspy solve to the same objective (1e-6 relative).
Instances: hand-made tiny ones from tests/builders.py that switch on every optional family,
and the generated ``small`` size.
"""

from __future__ import annotations

import sys
from pathlib import Path

import highspy
import numpy as np
import pytest
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
pytest.importorskip("linopy", reason="pip install -r benchmarks/requirements.txt")

import generate  # noqa: E402
import linopy_model as lmod  # noqa: E402
import sparse_model as smod  # noqa: E402

import builders  # noqa: E402
import siteplan  # noqa: E402
from siteplan.model import build_model  # noqa: E402
from siteplan.pipeline import prepare  # noqa: E402
from siteplan.solve import solve_model  # noqa: E402

REL = 1e-6


def rich_tables() -> dict:
    """tiny_tables plus: 2 days x 3 slices, a shiftable class, 2 hardware types (idle > 0),
    2 cooling options at one location, existing and minimum capacity, fixed costs, PPAs."""
    t = builders.tiny_tables()
    slices = [(f"{d}-h{h:02d}", d, h) for d in ("d1", "d2") for h in (0, 8, 16)]
    t["slices"] = [{"slice": s, "day": d, "hour": h, "weight_h": 8760.0 / 6} for s, d, h in slices]
    t["workloads"].append({"workload": "batch", "name": "Batch", "shiftable": "true",
                           "peak_factor": 2.0})
    t["workloads"][0]["latency_ms"] = 500.0
    t["hardware"][0].update(capex_per_unit=2e5, lifetime_years=4.0, idle_share=0.2)
    t["hardware"].append({"hardware": "npu", "name": "NPU", "kw_per_unit": 500.0,
                          "capex_per_unit": 6e4, "lifetime_years": 5.0, "idle_share": 0.3})
    tps = builders.TOKENS_PER_S_PER_MW
    t["throughput"] += [
        {"hardware": "gpu", "workload": "batch", "tokens_per_s": 2.5 * tps},
        {"hardware": "npu", "workload": "chat", "tokens_per_s": 0.3 * tps},
        {"hardware": "npu", "workload": "batch", "tokens_per_s": 0.9 * tps},
    ]
    t["demand"] += [{"region": "a", "workload": "batch", "tokens_per_day": 48e6},
                    {"region": "b", "workload": "batch", "tokens_per_day": 12e6}]
    t["demand_profile"] = (
        [{"workload": "chat", "slice": s, "factor": f}
         for (s, _d, _h), f in zip(slices, [0.6, 1.1, 1.3] * 2, strict=True)]
        + [{"workload": "batch", "slice": s, "factor": f}
           for (s, _d, _h), f in zip(slices, [1.0, 1.2, 0.8, 0.9, 1.0, 1.1], strict=True)])
    t["cooling"].append({"cooling": "liquid", "name": "Liquid",
                         "facility_cost_per_mw_year": 3e4, "wue_l_per_kwh": 0.05})
    t["cooling"][0]["facility_cost_per_mw_year"] = 2e4
    t["site_options"].append({"site": "la-liquid", "location": "la", "cooling": "liquid",
                              "pue": 1.1})
    t["site_options"][0].update(pue=1.2)
    t["site_options"][1].update(pue=1.3, existing_mw=0.5)
    t["locations"][0].update(fixed_cost_per_year=3e4, min_mw=0.5, max_mw=10.0)
    t["locations"][1].update(fixed_cost_per_year=2e4, max_mw=10.0)
    t["locations"].append({"location": "lc", "name": "LC", "region": "b", "lat": 5.0,
                           "lon": 5.0, "max_mw": 3.0, "fixed_cost_per_year": 1e4})
    t["site_options"].append({"site": "lc-air", "location": "lc", "cooling": "air", "pue": 1.15})
    cf = {"solar": [0.0, 0.7, 0.3] * 2, "wind": [0.4, 0.2, 0.35, 0.5, 0.3, 0.25]}
    t["renewables"] = [{"region": r, "tech": k, "slice": s, "cf": c}
                       for r in ("a", "b") for k in ("solar", "wind")
                       for (s, _d, _h), c in zip(slices, cf[k], strict=True)]
    t["ppa"] = [{"region": "a", "tech": "solar", "cost_per_mw_year": 4e4, "max_mw": 2.0},
                {"region": "b", "tech": "wind", "cost_per_mw_year": 6e4},
                {"region": "b", "tech": "solar", "cost_per_mw_year": 5e4, "max_mw": 1.0}]
    t["tou"] = [{"region": r, "hour": h, "multiplier": m}
                for r in ("a", "b") for h, m in ((0, 0.5), (8, 1.5), (16, 1.2))]
    return t


def rich_no_ppa_tables() -> dict:
    """rich_tables without PPAs: grid emissions stay material (for objective: emissions)."""
    t = rich_tables()
    del t["ppa"], t["renewables"]
    return t


RICH_POLICY = dict(
    policy__min_green_share=0.5, policy__min_site_green_share=0.2,
    policy__utilisation_min=0.3, policy__utilisation_max=0.9,
    policy__carbon_price_per_t=20.0, policy__max_site_share=0.8,
    policy__certificates={"price_per_mwh": 5.0, "max_share": 0.2},
    network__cost_per_mtok_per_1000km=0.01, network__overhead_ms=1.0,
)

CASES = {
    "tiny": (builders.tiny_tables, {}),
    "rich": (rich_tables, RICH_POLICY),
    "rich-unserved": (rich_tables, {**RICH_POLICY, "policy__unserved_cost_per_mtok": 50.0}),
    "rich-lp": (rich_tables, {**RICH_POLICY, "solver__integer_sites": False}),
    "rich-single-source": (rich_tables, {**RICH_POLICY, "policy__single_sourcing": True}),
    "rich-single-source-unserved": (rich_tables, {**RICH_POLICY, "policy__single_sourcing": True,
                                                  "policy__unserved_cost_per_mtok": 50.0}),
    "rich-emissions-cap": (rich_no_ppa_tables, {**RICH_POLICY, "objective": "emissions",
                                                "policy__min_green_share": 0.3,
                                                "policy__min_site_green_share": 0.0,
                                                "policy__carbon_cap_t": 1e5}),
}


def pyomo_lp(model) -> highspy.HighsLp:
    """The LP that siteplan's solver interface hands HiGHS (without solving)."""
    from pyomo.contrib.solver.solvers.highs import Highs

    opt = Highs(treat_fixed_vars_as_params=False)
    opt._active_config = opt.config
    opt.set_instance(model)
    return opt._solver_model.getLp()


def csc(lp: highspy.HighsLp) -> sp.csc_matrix:
    a = lp.a_matrix_
    args = (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_))
    shape = (lp.num_row_, lp.num_col_)
    if a.format_ == highspy.MatrixFormat.kColwise:
        return sp.csc_matrix(args, shape=shape)
    return sp.csr_matrix(args, shape=shape).tocsc()


def assert_same_lp(a: highspy.HighsLp, b: highspy.HighsLp) -> None:
    assert (a.num_col_, a.num_row_) == (b.num_col_, b.num_row_)
    for f in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        np.testing.assert_allclose(np.asarray(getattr(b, f)), np.asarray(getattr(a, f)),
                                   rtol=1e-12, atol=0, err_msg=f)
    ia = np.array([int(v) for v in a.integrality_]) if len(a.integrality_) else None
    ib = np.array([int(v) for v in b.integrality_]) if len(b.integrality_) else None
    if ia is not None and ia.any():
        assert ib is not None and np.array_equal(ia, ib)
    else:
        assert ib is None or not ib.any()
    A, B = csc(a), csc(b)
    A.sum_duplicates()
    B.sum_duplicates()
    A.eliminate_zeros()
    B.eliminate_zeros()
    assert A.nnz == B.nnz
    diff = abs(A - B)
    assert diff.nnz == 0 or diff.max() <= 1e-12 * abs(A).max()


def check(scenario_path: Path, solve_linopy: bool = True) -> dict:
    sc = siteplan.load_scenario(scenario_path)
    data = prepare(sc)
    built = build_model(data)
    built.model.c_strong_link.deactivate()  # family 13 is siteplan's own (not in these builds)
    lp = smod.build(data)
    h, perm = smod.to_highs(lp, order="pyomo")
    assert_same_lp(pyomo_lp(built.model), h.getLp())

    res = solve_model(built, sc.solver, want_duals=False)
    assert res.has_solution, res.highs_status
    smod.set_options(h, sc.solver)
    h.run()
    obj_h = h.getInfo().objective_function_value / smod.OBJECTIVE_SCALE
    objs = {"siteplan": res.objective, "highspy": obj_h}
    # natural (block) column order is a different but equivalent model
    h2, _ = smod.to_highs(lp, order="natural")
    smod.set_options(h2, sc.solver)
    h2.run()
    objs["highspy-natural"] = h2.getInfo().objective_function_value / smod.OBJECTIVE_SCALE
    if solve_linopy:
        b = lmod.build(data)
        objs["linopy"] = lmod.solve(b, sc.solver)["objective"]
    ref = res.objective
    for k, v in objs.items():
        assert abs(v - ref) <= REL * max(abs(ref), 1.0), (k, v, ref, objs)
    return objs


@pytest.mark.parametrize("case", sorted(CASES))
def test_tiny_instances_agree(tmp_path: Path, case: str) -> None:
    tables, keys = CASES[case]
    path = builders.write_scenario(tmp_path, tables(), **keys)
    check(path)


def test_small_size_agrees(tmp_path: Path) -> None:
    path = generate.generate("small", tmp_path / "small", seed=0)
    objs = check(path)
    assert objs["siteplan"] > 0


def test_generator_is_deterministic(tmp_path: Path) -> None:
    a = generate.generate("small", tmp_path / "a", seed=3).parent / "data"
    b = generate.generate("small", tmp_path / "b", seed=3).parent / "data"
    for f in sorted(a.glob("*.csv")):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


@pytest.mark.parametrize("case", sorted(CASES))
def test_siteplans_strategy_on_the_other_builds_reaches_siteplans_objective(tmp_path: Path,
                                                                          case: str) -> None:
    """run.py solves linopy's and highspy's models by ``siteplan.solve.solve_highs`` (the same
    relax-and-fix / branch-and-bound path): the same objective, status and duals' shape."""
    tables, keys = CASES[case]
    sc = siteplan.load_scenario(builders.write_scenario(tmp_path, tables(), **keys))
    data = prepare(sc)
    ref = solve_model(build_model(data), sc.solver)
    lp = smod.build(data)
    h, _perm = smod.to_highs(lp, order="natural")
    (o, n), (oc, nc) = lp.offsets["v_open"], lp.offsets["v_cap_mw"]
    got = {"highspy": smod.siteplan_solve(h, data, lp.layout, np.arange(o, o + n),
                                          np.arange(oc, oc + nc), sc.solver)}
    b = lmod.build(data)
    got["linopy"] = smod.siteplan_solve(b.m.to_highspy(), data, b.L, lmod.columns(b, b.v_open),
                                        lmod.columns(b, b.v_cap), sc.solver)
    for name, res in got.items():
        assert res.status == ref.status, name
        assert abs(res.objective - ref.objective) <= REL * max(abs(ref.objective), 1.0), name
        assert res.row_dual is not None and len(res.row_dual) == h.getNumRow(), name
