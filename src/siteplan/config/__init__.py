"""Scenario schema and loading (YAML, inherits, --set overrides)."""

from siteplan.config.load import load_scenario
from siteplan.config.schema import Scenario

__all__ = ["Scenario", "load_scenario"]
