"""Results: extraction from the solved model, the Results container, atomic writing."""

from siteplan.results.tables import Results

__all__ = ["Results"]
