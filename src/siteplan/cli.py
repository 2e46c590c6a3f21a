"""The command line: a thin shell over the library (``siteplan --help``)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import time
from pathlib import Path

import click

from siteplan.errors import InfeasibleError, InputDataError, ScenarioError, SiteplanError

EXAMPLES = {
    "main": "  siteplan run scenarios/china-2026.yaml\n"
            "  siteplan run scenarios/china-2026.yaml --set policy.min_green_share=0.9 -o out/g90",
    "run": "  siteplan run scenarios/china-2026.yaml -o out/china-2026 --force\n"
           "  siteplan run scenarios/china-2026.yaml --set solver.time_limit_s=60",
    "validate": "  siteplan validate scenarios/china-2026.yaml",
}


def _fail(exc: BaseException, debug: bool) -> None:
    """Report ``exc`` as one line per problem on stderr and exit with its code."""
    if debug:
        raise exc
    if isinstance(exc, ScenarioError | InputDataError):
        for line in exc.problems:
            click.echo(f"error: {line}", err=True)
        n = len(exc.problems)
        if n > 1:
            click.echo(f"{n} problems found", err=True)
    elif isinstance(exc, InfeasibleError) and exc.causes:
        click.echo("error: infeasible: the scenario's constraints cannot all be met", err=True)
        for line in exc.causes:
            click.echo(f"error: infeasible: {' '.join(str(line).split())}", err=True)
    elif isinstance(exc, SiteplanError):
        click.echo(f"error: {' '.join(str(exc).split())}", err=True)
        sys.exit(exc.exit_code)
    elif isinstance(exc, KeyboardInterrupt | _Terminated):
        click.echo("error: interrupted; no results were written", err=True)
        sys.exit(130 if isinstance(exc, KeyboardInterrupt) else 143)
    else:  # a bug in siteplan: say so in one line, the traceback is behind --debug
        text = " ".join(str(exc).split()) or "(no message)"
        click.echo(f"error: internal error {type(exc).__name__}: {text}; run again with "
                   "--debug for the traceback and please report it", err=True)
        sys.exit(1)
    sys.exit(exc.exit_code)


class _Terminated(BaseException):
    """SIGTERM turned into an exception so that partial output is cleaned up on the way out."""


@contextlib.contextmanager
def _sigterm_raises():
    """While solving and writing, SIGTERM unwinds like Ctrl-C (temp folders are removed)."""
    def handler(signum, frame):
        raise _Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. embedded): keep the default behaviour
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _load_checked(path: Path, overrides: tuple[str, ...]):
    """Scenario + dataset, checked together: every scenario and dataset problem in one report."""
    from siteplan import load_scenario
    from siteplan.inputs.load import load_inputs

    try:
        sc = load_scenario(path, overrides)
    except ScenarioError as exc:
        problems = list(exc.problems)
        if exc.dataset is not None:
            try:
                load_inputs(exc.dataset)
            except InputDataError as more:
                problems += more.problems
        raise ScenarioError(problems) from None
    load_inputs(sc.dataset, sc)  # raises InputDataError with dataset + scenario-id problems
    return sc


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario key, e.g. --set policy.min_green_share=0.9 (repeatable).",
)
debug_option = click.option("--debug", is_flag=True, help="Show tracebacks.")


@click.group(epilog="Examples:\n\n\b\n" + EXAMPLES["main"])
@click.version_option(package_name="siteplan")
def main() -> None:
    """Plan where token production capacity goes and what each region's tokens cost."""


@main.command(epilog="Examples:\n\n\b\n" + EXAMPLES["run"])
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
    from siteplan import solve
    from siteplan.results.tables import check_outdir

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s")
    try:
        with _sigterm_raises():
            sc = _load_checked(scenario, overrides)
            outdir = outdir or Path("out") / sc.name
            check_outdir(outdir, force)  # before solving: say so now, not after the solve
            start = time.perf_counter()
            results = solve(sc, write_lp=write_lp)
            results.summary["times"]["total_s"] = time.perf_counter() - start
            results.write(outdir, force=force)
    except (Exception, KeyboardInterrupt, _Terminated) as exc:
        _fail(exc, debug)
        return
    if quiet:
        click.echo(str(outdir))
    else:
        click.echo(format_summary(results.summary, outdir))


@main.command(epilog="Examples:\n\n\b\n" + EXAMPLES["validate"])
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@set_option
@debug_option
def validate(scenario: Path, overrides: tuple[str, ...], debug: bool) -> None:
    """Check SCENARIO and its dataset; list every problem (exit code 2 if any).

    Also runs the pre-solve feasibility checks (exit code 3 if the plan cannot be feasible).
    """
    from siteplan import prepare
    from siteplan.diagnose import presolve_causes
    from siteplan.inputs.pathway import derive_pathway
    from siteplan.pipeline import year_causes

    try:
        sc = _load_checked(scenario, overrides)
        if sc.years:  # every year of a pathway, with its own policy
            pathway = derive_pathway(sc)
            years, causes = pathway.data, year_causes(pathway)
        else:
            years = [prepare(sc)]
            causes = presolve_causes(years[0])  # cheap, certain: say it now, not after a solve
        if causes:
            raise InfeasibleError("infeasible: " + "; ".join(causes), causes)
    except (Exception, KeyboardInterrupt) as exc:
        _fail(exc, debug)
        return
    data = years[-1]
    span = f", years {sc.years[0]}-{sc.years[-1]} ({len(sc.years)} modelled)" if sc.years else ""
    click.echo(
        f"ok: {sc.name}: {len(data.regions)} regions, {len(data.sites)} site options "
        f"({len(data.excluded)} excluded), {len(data.workloads)} workloads, "
        f"{data.n_slices} slices, {len(data.arc_region)} arcs{span}"
    )


def format_summary(s: dict, outdir: Path) -> str:
    cur = s.get("currency", "")
    gap = s.get("mip_gap")
    gap_text = f", gap {gap:.2e}" if gap is not None else ""
    if s.get("years"):
        return _format_pathway(s, outdir, cur, gap_text)
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
        f"  clean power        hourly score {s['clean_score_hourly']:.1%} (worst site-slice "
        f"{s['clean_score_min_slice']:.1%}), curtailed energy absorbed "
        f"{s['curtailment_absorbed_mwh'] / 1e6:,.2f} TWh, storage {s['storage_mwh']:,.0f} MWh",
        f"  flexible work      {s['shifted_in_time_share']:.1%} shifted in time, "
        f"{s['moved_between_sites_share']:.1%} moved between sites",
        f"  results in         {outdir}/",
    ]
    agg = s.get("time_aggregation")
    if agg:
        worst = max(agg["profile_rmse"].items(), key=lambda kv: kv[1], default=("-", 0.0))
        lines.insert(-1, f"  time               {agg['representative_days']} representative days "
                         f"of {agg['days']} ({agg['method']}), largest profile RMSE "
                         f"{worst[1]:.3g} ({worst[0]})")
    return "\n".join(lines)


def _format_pathway(s: dict, outdir: Path, cur: str, gap_text: str) -> str:
    lines = [
        f"{s['scenario']}: {s['status']}{gap_text} (HiGHS {s['highs_status']}), "
        f"build {s['times']['build_s']:.1f} s, solve {s['times']['solve_s']:.1f} s",
        f"  net present cost   {s['net_present_cost'] / 1e9:,.3f} billion {cur} "
        f"(at {s['years'][0]['year']}, discount rate {s['discount_rate']:.1%})",
        "  year  cost bn/yr  cost/Mtok  T tokens/day  GW built E/W   GW standing E/W  green",
    ]
    for y in s["years"]:
        lines.append(
            f"  {y['year']}  {y['objective'] / 1e9:10,.3f}  {y['avg_cost_per_mtok']:9.4f}  "
            f"{y['served_tokens_per_day'] / 1e12:12,.1f}  "
            f"{y['mw_built_east'] / 1e3:6.2f}/{y['mw_built_west'] / 1e3:<6.2f} "
            f"{y['mw_standing_east'] / 1e3:7.2f}/{y['mw_standing_west'] / 1e3:<7.2f}  "
            f"{y['green_share']:5.1%}")
    lines.append(f"  results in         {outdir}/ (builds.csv: what is built and retired when)")
    return "\n".join(lines)


def _register_command_modules() -> None:
    """Commands kept in their own packages register themselves on ``main``."""
    import importlib

    for name in ("siteplan.study.cli", "siteplan.report.cli"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        module.register(main)


_register_command_modules()

if __name__ == "__main__":  # pragma: no cover
    main()
