"""The command line: a thin shell over the library (``siteplan --help``)."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from siteplan.errors import InputDataError, SiteplanError

EXAMPLES = {
    "main": "  siteplan run scenarios/china-2026.yaml\n"
            "  siteplan run scenarios/china-2026.yaml --set policy.min_green_share=0.9 -o out/g90",
    "run": "  siteplan run scenarios/china-2026.yaml -o out/china-2026 --force\n"
           "  siteplan run scenarios/china-2026.yaml --set solver.time_limit_s=60",
    "validate": "  siteplan validate scenarios/china-2026.yaml",
}


def _fail(exc: SiteplanError, debug: bool) -> None:
    if debug:
        raise exc
    if isinstance(exc, InputDataError):
        for line in exc.problems:
            click.echo(f"error: {line}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario key, e.g. --set policy.min_green_share=0.9 (repeatable).",
)
debug_option = click.option("--debug", is_flag=True, help="Show tracebacks.")


@click.group(epilog="Examples:\n\n" + EXAMPLES["main"])
@click.version_option(package_name="siteplan")
def main() -> None:
    """Plan where token production capacity goes and what each region's tokens cost."""


@main.command(epilog="Examples:\n\n" + EXAMPLES["run"])
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "outdir", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: out/<scenario name>].")
@set_option
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--write-lp", type=click.Path(path_type=Path), default=None,
              help="Also write the model as an LP/MPS file for debugging.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the output folder.")
@debug_option
def run(scenario: Path, outdir: Path | None, overrides: tuple[str, ...], force: bool,
        write_lp: Path | None, quiet: bool, debug: bool) -> None:
    """Solve SCENARIO and write allocation.csv, sites.csv, regions.csv, summary.json."""
    from siteplan import load_scenario, solve

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s")
    try:
        sc = load_scenario(scenario, overrides)
        outdir = outdir or Path("out") / sc.name
        if outdir.exists() and not force:
            raise SiteplanError(f"{outdir}: output folder exists; use --force to replace it")
        start = time.perf_counter()
        results = solve(sc, write_lp=write_lp)
        results.summary["times"]["total_s"] = time.perf_counter() - start
        results.write(outdir, force=force)
    except SiteplanError as exc:
        _fail(exc, debug)
        return
    if quiet:
        click.echo(str(outdir))
    else:
        click.echo(format_summary(results.summary, outdir))


@main.command(epilog="Examples:\n\n" + EXAMPLES["validate"])
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@set_option
@debug_option
def validate(scenario: Path, overrides: tuple[str, ...], debug: bool) -> None:
    """Check SCENARIO and its dataset; list every problem (exit code 2 if any)."""
    from siteplan import load_scenario, prepare

    try:
        sc = load_scenario(scenario, overrides)
        data = prepare(sc)
    except SiteplanError as exc:
        _fail(exc, debug)
        return
    click.echo(
        f"ok: {sc.name}: {len(data.regions)} regions, {len(data.sites)} site options "
        f"({len(data.excluded)} excluded), {len(data.workloads)} workloads, "
        f"{data.n_slices} slices, {len(data.arc_region)} arcs"
    )


def format_summary(s: dict, outdir: Path) -> str:
    cur = s.get("currency", "")
    gap = s.get("mip_gap")
    gap_text = f", gap {gap:.2e}" if gap is not None else ""
    lines = [
        f"{s['scenario']}: {s['status']}{gap_text} (HiGHS {s['highs_status']}), "
        f"build {s['times']['build_s']:.1f} s, solve {s['times']['solve_s']:.1f} s",
        f"  annual cost        {s['objective'] / 1e9:,.3f} billion {cur}",
        f"  demand             {s['demand_tokens_per_day'] / 1e12:,.2f} trillion tokens/day "
        f"(unserved {s['unserved_tokens_per_day'] / 1e12:,.3f})",
        f"  avg cost           {s['avg_cost_per_mtok']:,.4f} {cur}/Mtok",
        f"  energy             {s['energy_twh']:,.2f} TWh, green share {s['green_share']:.1%}, "
        f"{s['tco2'] / 1e6:,.2f} MtCO2, {s['tokens_per_kwh']:,.0f} tokens/kWh",
        f"  sites open         {s['sites_open']} ({s['mw_it_total']:,.0f} MW IT), "
        f"served from west {s['west_share']:.1%}",
        f"  results in         {outdir}/",
    ]
    return "\n".join(lines)


def _json(obj) -> str:
    return json.dumps(obj, indent=2)


if __name__ == "__main__":  # pragma: no cover
    main()
