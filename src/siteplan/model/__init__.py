"""The Pyomo planning model: one module per constraint family, ``build.py`` as contents."""

from siteplan.model.build import build_model

__all__ = ["build_model"]
