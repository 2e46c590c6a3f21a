"""Test-session order: `make test` runs the suite on every core (pytest-xdist, one file per
worker at a time); the files that solve the shipped China scenarios take a minute or more
each, so they are handed out first and the small tests fill the other workers around them."""

from __future__ import annotations

import pytest

# slowest first (seconds of one core, measured on the 2-core CI machine class)
HEAVY = ["test_scenarios.py",            # ~130 s: six China scenarios and the US
         "test_scenario_pathway.py",     # ~45 s: the 2026-2030 pathway at 24 h slices
         "test_scenarios_chips.py"]      # ~35 s: four China variants at 24 h slices


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(HEAVY)}
    items.sort(key=lambda item: rank.get(item.path.name, len(HEAVY)))  # stable: others keep order
