"""``siteplan run`` and ``siteplan validate``."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from siteplan.cli.boundary import boundary
from siteplan.cli.options import (
    debug_option,
    examples,
    force_option,
    scenario_argument,
    set_option,
)

EXAMPLES = {
    "run": "  siteplan run scenarios/china-2026.yaml -o out/china-2026 --force\n"
           "  siteplan run scenarios/china-2026.yaml --set solver.time_limit_s=60",
    "validate": "  siteplan validate scenarios/china-2026.yaml",
}
LP_SUFFIXES = (".lp", ".mps")


def load_checked(path: Path, overrides: tuple[str, ...]):
    """Scenario + dataset, checked together: every scenario and dataset problem in one report."""
    from siteplan.config import load_scenario
    from siteplan.errors import ScenarioError
    from siteplan.inputs.load import load_inputs

    try:
        sc = load_scenario(path, overrides)
    except ScenarioError as exc:
        problems = list(exc.problems)
        if exc.dataset is not None:
            from siteplan.errors import InputDataError

            try:
                load_inputs(exc.dataset)
            except InputDataError as more:
                problems += more.problems
        raise ScenarioError(problems) from None
    load_inputs(sc.dataset, sc)  # raises InputDataError with dataset + scenario-id problems
    return sc


def check_write_lp(path: Path) -> None:
    """--write-lp: a known model format (.lp, .mps) in a folder that can be written."""
    from siteplan.errors import OutputIOError, ScenarioError
    from siteplan.safe_output import check_writable

    if path.suffix.lower() not in LP_SUFFIXES:
        raise ScenarioError(f"--write-lp {path}: unknown model file extension "
                            f"'{path.suffix or '(none)'}'; expected .lp or .mps")
    if path.is_dir():
        raise ScenarioError(f"--write-lp {path}: is a folder; expected a file name ending in "
                            ".lp or .mps")
    try:
        check_writable(path, need_bytes=0)
    except OutputIOError as exc:
        raise OutputIOError(f"--write-lp {exc}") from None


@click.command(epilog=examples(EXAMPLES["run"]))
@scenario_argument
@click.option("-o", "--out", "outdir", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: out/<scenario name as a safe folder name>].")
@set_option
@force_option
@click.option("--write-lp", type=click.Path(path_type=Path), default=None,
              help="Also write the model as an .lp or .mps file for debugging.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the output folder.")
@debug_option
def run(scenario: Path, outdir: Path | None, overrides: tuple[str, ...], force: bool,
        write_lp: Path | None, quiet: bool, debug: bool) -> None:
    """Solve SCENARIO and write allocation.csv, sites.csv, regions.csv, summary.json."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s")
    with boundary(debug):
        from siteplan.pipeline import solve
        from siteplan.results.tables import check_outdir
        from siteplan.safe_output import check_writable, default_outdir, folder_lock

        sc = load_checked(scenario, overrides)
        if write_lp is not None:
            check_write_lp(write_lp)
        outdir = outdir or default_outdir(sc.name)
        check_writable(outdir)  # before solving: a read-only or full disk is said now
        with folder_lock(outdir):  # a second run into this folder stops here
            check_outdir(outdir, force)
            start = time.perf_counter()
            results = solve(sc, write_lp=write_lp)
            results.summary["times"]["total_s"] = time.perf_counter() - start
            results.write(outdir, force=force)
    if quiet:
        click.echo(str(outdir))
    else:
        click.echo(format_summary(results.summary, outdir))


@click.command(epilog=examples(EXAMPLES["validate"]))
@scenario_argument
@set_option
@debug_option
def validate(scenario: Path, overrides: tuple[str, ...], debug: bool) -> None:
    """Check SCENARIO and its dataset; list every problem (exit code 2 if any).

    Also runs the pre-solve feasibility checks (exit code 3 if the plan cannot be feasible).
    """
    with boundary(debug):
        from siteplan.diagnose import presolve_causes
        from siteplan.errors import InfeasibleError
        from siteplan.inputs.pathway import derive_pathway
        from siteplan.pipeline import prepare, year_causes

        sc = load_checked(scenario, overrides)
        if sc.years:  # every year of a pathway, with its own policy
            pathway = derive_pathway(sc)
            years, causes = pathway.data, year_causes(pathway)
        else:
            years = [prepare(sc)]
            causes = presolve_causes(years[0])  # cheap, certain: say it now, not after a solve
        if causes:
            raise InfeasibleError("infeasible: " + "; ".join(causes), causes)
    data = years[-1]
    span = f", years {sc.years[0]}-{sc.years[-1]} ({len(sc.years)} modelled)" if sc.years else ""
    click.echo(
        f"ok: {sc.name}: {len(data.regions)} regions, {len(data.sites)} site options "
        f"({len(data.excluded)} excluded), {len(data.workloads)} workloads, "
        f"{data.n_slices} slices, {len(data.arc_region)} arcs{span}"
    )


def format_summary(s: dict, outdir: Path) -> str:
    """The run summary (siteplan.results.text, units from the outputs registry)."""
    from siteplan.results.text import format_summary as text

    return text(s, outdir)
