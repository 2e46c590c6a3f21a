"""The command line: a thin shell over the library (``siteplan --help``).

One Click group; each command lives in a small module (:mod:`.run`, :mod:`.report`,
:mod:`.study`), shares its options (:mod:`.options`) and runs inside the one error boundary
(:mod:`.boundary`), which maps every exception to a documented exit code
(:data:`siteplan.errors.EXIT_CODES`). Only Click is imported up front: the library (pandas,
Pyomo, HiGHS, matplotlib) is imported when a command runs, so ``--help`` answers at once.
"""

from __future__ import annotations

import click

from siteplan.cli import decide, report, run, study
from siteplan.cli.options import examples

EXAMPLE = ("  siteplan run scenarios/china-2026.yaml\n"
           "  siteplan run scenarios/china-2026.yaml --set policy.min_green_share=0.9 -o out/g90")


def _exit_codes() -> str:
    from siteplan.errors import EXIT_CODES

    return "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())


@click.group(epilog=examples(EXAMPLE) + "\n\nExit codes:\n\n\b\n" + _exit_codes())
@click.version_option(package_name="siteplan")
def main() -> None:
    """Plan where token production capacity goes and what each region's tokens cost."""


for _command in (run.run, run.validate, *report.COMMANDS, *study.COMMANDS, *decide.COMMANDS):
    main.add_command(_command)

format_summary = run.format_summary

__all__ = ["format_summary", "main"]
