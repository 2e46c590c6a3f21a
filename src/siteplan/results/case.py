"""Which case a run's headline is: ``best`` (every site at the policy's utilisation ceiling)
or ``realistic`` (utilisation as measured), and the other case's figures where the scenario
states them (scenario key ``case``; ``case.figures_for`` names the scenario they were
measured against, so scenarios that inherit the key do not repeat another run's figures).
The summary.json ``headline_case`` block, the CLI summary and the report all say it with
:func:`headline_case`'s ``text``."""

from __future__ import annotations

from typing import Any

from siteplan.outputs import fmt


def headline_case(scenario, summary: dict[str, Any]) -> dict[str, Any]:
    """The ``headline_case`` block of summary.json (needs the summary's utilisation figures)."""
    c, cur = scenario.case, scenario.currency
    u_max = scenario.policy.utilisation_max
    realised = summary.get("utilisation_realised")
    sized = f"every site sized at the utilisation ceiling {u_max:.0%}"
    if realised is not None:
        sized += f" (realised {realised:.0%} over the year)"
    if c.kind == "best":
        text = (f"best case: {sized}; measured utilisation of China's computing centres is "
                "nearer 30 %")
    else:
        text = f"realistic case: {sized}, as measured rather than at the policy target"
    other = []
    if c.figures_for not in (None, scenario.name):  # inherited: they belong to another run
        c = c.model_copy(update={"other_cost_per_mtok": None, "other_objective": None})
    if c.other_cost_per_mtok is not None:
        other.append(fmt("avg_cost_per_mtok", c.other_cost_per_mtok, cur))
    if c.other_objective is not None:
        other.append(fmt("objective", c.other_objective, cur))
    if c.other_scenario or other:
        name = "realistic" if c.kind == "best" else "best"
        text += f"; the {name} case" + (f" ({c.other_scenario})" if c.other_scenario else "")
        text += (": " + ", ".join(other)) if other else ""
    return {"kind": c.kind, "utilisation_planned": u_max, "utilisation_realised": realised,
            "other_scenario": c.other_scenario, "other_cost_per_mtok": c.other_cost_per_mtok,
            "other_objective": c.other_objective, "text": text}
