"""Options shared by the commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

debug_option = click.option("--debug", is_flag=True, help="Show tracebacks.")
force_option = click.option(
    "--force", is_flag=True,
    help="Replace an existing output (only one siteplan wrote; never a dataset file).")
set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario key, e.g. --set policy.min_green_share=0.9 (repeatable).")
scenario_argument = click.argument(
    "scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def out_file_option(help: str):
    """``-o/--out FILE``."""
    return click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
                        default=None, help=help)


def out_dir_option(help: str):
    """``-o/--out DIR`` (the parameter is ``outdir``)."""
    return click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help=help)


def examples(text: str) -> str:
    """A command's epilog: its examples, kept as written."""
    return "Examples:\n\n\b\n" + text
