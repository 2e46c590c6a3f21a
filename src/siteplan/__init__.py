"""siteplan: where should token production capacity go, and what will each region's tokens cost?

Python API::

    import siteplan
    scenario = siteplan.load_scenario("scenarios/china-2026.yaml",
                                      overrides=["policy.min_green_share=0.9"])
    results = siteplan.solve(scenario)
    results.regions            # DataFrame: regional cost outcomes
    results.write("out/china-2026")

``import siteplan`` is light: the names below are imported on first use (PEP 562), so the
command line's ``--help`` does not wait for pandas, Pyomo or HiGHS.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

from siteplan.errors import (
    InfeasibleError,
    InputDataError,
    ScenarioError,
    SiteplanError,
    SolverError,
)

if TYPE_CHECKING:  # pragma: no cover
    from siteplan.config import Scenario, load_scenario
    from siteplan.pipeline import prepare, solve
    from siteplan.results import Results

_LAZY = {
    "Scenario": "siteplan.config",
    "load_scenario": "siteplan.config",
    "prepare": "siteplan.pipeline",
    "solve": "siteplan.pipeline",
    "Results": "siteplan.results",
}

__all__ = [
    "InfeasibleError",
    "InputDataError",
    "Results",
    "Scenario",
    "ScenarioError",
    "SiteplanError",
    "SolverError",
    "load_scenario",
    "prepare",
    "solve",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'siteplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Importing the submodule ``siteplan.solve`` must not hide the function ``solve``."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
