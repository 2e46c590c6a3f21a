"""``python -m siteplan.cli``."""

from siteplan.cli import main

main()
