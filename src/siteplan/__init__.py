"""siteplan: where should token production capacity go, and what will each region's tokens cost?

Python API::

    import siteplan
    scenario = siteplan.load_scenario("scenarios/china-2026.yaml",
                                      overrides=["policy.min_green_share=0.9"])
    results = siteplan.solve(scenario)
    results.regions            # DataFrame: regional cost outcomes
    results.write("out/china-2026")
"""

from siteplan.config import Scenario, load_scenario
from siteplan.errors import (
    InfeasibleError,
    InputDataError,
    ScenarioError,
    SiteplanError,
    SolverError,
)
from siteplan.pipeline import prepare, solve
from siteplan.results import Results

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
