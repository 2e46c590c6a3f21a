"""``siteplan alternatives``, ``siteplan sensitivity`` and ``siteplan futures``: decisions
under uncertainty (docs/model.md, Decisions under uncertainty)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from siteplan.cli.boundary import boundary
from siteplan.cli.options import (
    debug_option,
    examples,
    force_option,
    out_dir_option,
    scenario_argument,
    set_option,
)
from siteplan.cli.study import KEPT, _with, executor_options

EXAMPLES = {
    "alternatives": "  siteplan alternatives scenarios/china-2026.yaml --slack 0.02 --count 8 "
                    "-o out/alternatives\n"
                    "  siteplan alternatives scenarios/china-2026.yaml --slack 0.05 --count 4 "
                    "--set policy.min_green_share=0.9",
    "sensitivity": "  siteplan sensitivity scenarios/china-2026.yaml -o out/sensitivity\n"
                   "  siteplan sensitivity scenarios/china-2026.yaml --vary "
                   "prices.zone_scale.west=0.9:1.3 --vary "
                   "'data:hardware.capex_per_unit[hardware=gpu]=0.73:1.27' --workers 2",
    "futures": "  siteplan futures scenarios/china-2026-futures.yaml -o out/futures\n"
               "  siteplan futures scenarios/china-2026-futures.yaml --set risk.cvar_weight=0.5",
}


@click.command(epilog=examples(EXAMPLES["alternatives"]))
@scenario_argument
@click.option("--slack", type=float, default=0.02, show_default=True,
              help="Plans may cost up to this share more than the least cost (0.02 = 2 %).")
@click.option("--count", type=click.IntRange(min=1), default=8, show_default=True,
              help="Alternatives sought after the least-cost plan (one solve each).")
@click.option("--plan-gap", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Relative gap each alternative is solved to (on its weighted-capacity "
                   "objective; the cost budget always holds).")
@click.option("--plan-time", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Time limit of each alternative's solve, s (at most solver.time_limit_s).")
@set_option
@out_dir_option("Folder [default: out/alternatives-<scenario name>].")
@force_option
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@debug_option
def alternatives(scenario: Path, slack: float, count: int, plan_gap: float, plan_time: float,
                 overrides, outdir, force, no_progress, debug) -> None:
    """Near-optimal plans of SCENARIO that put capacity in different places (SPORES).

    The least-cost plan first, then up to COUNT plans within SLACK of its cost, each moving
    capacity away from where the plans before it put it. Writes DIR/plan-NN/ (result
    folders), DIR/alternatives.csv (each site's and province's min and max MW-IT across the
    plans, must-haves, never used), DIR/alternatives.json and DIR/alternatives.html.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    with boundary(debug):
        from siteplan.study.alternatives import alternatives as find

        res = find(scenario, slack=slack, count=count, overrides=overrides, outdir=outdir,
                   force=force, progress=not no_progress, plan_gap=plan_gap,
                   plan_time_s=plan_time)
    t = res.table
    reg = t[(t["kind"] == "region") & ~t["never_used"]].sort_values("max_mw", ascending=False)
    click.echo(f"{len(res.plans)} distinct plans within {slack:.1%} of the least cost "
               f"{res.least_cost:,.0f} ({res.duplicates} repeated an earlier plan, "
               f"{len(res.failed)} found no plan in --plan-time)")
    for why in res.failed:
        click.echo(f"  no plan: {why}")
    click.echo(f"{'plan':<8} {'cost':>18} {'over least':>10}  sites  status")
    for p in res.plans:
        click.echo(f"{p['plan']:<8} {p['cost']:>18,.0f} {p['over_least_cost']:>10.3%}  "
                   f"{p['sites_open']:>5}  {p['status']}")
    click.echo(f"{'province':<16} {'min MW':>10} {'max MW':>10}  in every plan")
    for r in reg.itertuples():
        click.echo(f"{r.id:<16} {r.min_mw:>10,.0f} {r.max_mw:>10,.0f}  "
                   f"{'yes' if r.must_have else ''}")
    click.echo(f"results in {res.outdir}/ (alternatives.csv, alternatives.html, plan-NN/)")


@click.command(epilog=examples(EXAMPLES["sensitivity"]))
@scenario_argument
@click.option("--vary", multiple=True, metavar="KEY=LOW:HIGH",
              help="An input and its range: a scenario key (the values at each end) or "
                   "data:FILE.COLUMN[COL=a|b] (multipliers on a dataset column). Repeatable; "
                   "default: every row of the dataset's estimates.csv.")
@set_option
@_with(executor_options)
@out_dir_option("Folder [default: out/sensitivity-<scenario name>]; the same command again "
                "resumes it.")
@debug_option
def sensitivity(scenario: Path, vary, overrides, workers, scheduler, no_progress, outdir,
                debug) -> None:
    """Which inputs move the answer: each at its low and high end, one at a time.

    Solves the base and two runs per input (re-used HiGHS model; --workers or a Dask
    --scheduler as for sweep). Writes DIR/sensitivity.csv (objective, west share and sites
    open at each end, ranked by the swing of the objective), DIR/sensitivity.html (tornado
    chart) and DIR/runs/.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    with boundary(debug, KEPT):
        from siteplan.study.sensitivity import sensitivity as run

        table = run(scenario, vary=vary, overrides=overrides, outdir=outdir, workers=workers,
                    scheduler=scheduler, progress=not no_progress)
    zone = table["share_zone"].iloc[0] if len(table) else ""
    click.echo(f"{'rank':>4}  {'input':<36} {'Δ cost low':>16} {'Δ cost high':>16}  "
               f"{zone + ' share low/high':>22}  sites low/high")
    for r in table.itertuples():
        click.echo(f"{r.rank:>4}  {r.input[:36]:<36} {r.change_low:>16,.0f} "
                   f"{r.change_high:>16,.0f}  {r.share_low:>10.1%} {r.share_high:>10.1%}  "
                   f"{r.sites_open_low:>5.0f} {r.sites_open_high:>5.0f}")
    where = outdir if outdir is not None else "out/sensitivity-<scenario>"
    click.echo(f"results in {where}/sensitivity.csv and sensitivity.html")


@click.command(epilog=examples(EXAMPLES["futures"]))
@scenario_argument
@set_option
@out_dir_option("Folder [default: out/futures-<scenario name>].")
@force_option
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@debug_option
def futures(scenario: Path, overrides, outdir, force, no_progress, debug) -> None:
    """A plan that holds across the scenario's futures, and the regret of each future's own.

    SCENARIO lists futures: (name, probability, demand / prices / policy changes). Solves the
    stochastic plan (common build, operation per future, expected cost, CVaR with
    risk.cvar_weight), each future's own plan, and every own plan in every future with its
    build fixed. Writes DIR/regret.csv, DIR/build.csv, DIR/futures.json, DIR/futures.html and
    result folders DIR/stochastic/<future>/ and DIR/deterministic/<future>/.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    with boundary(debug):
        from siteplan.study.futures import futures as solve_futures

        res = solve_futures(scenario, overrides=overrides, outdir=outdir, force=force,
                            progress=not no_progress)
    names = res.names
    click.echo("annual cost by plan and future (regret: above that future's own plan)")
    click.echo(f"{'plan':<24}" + "".join(f"{n[:14]:>16}" for n in names)
               + f"{'expected':>16}{'worst':>16}{'max regret':>16}")
    for r in res.regret.itertuples(index=False):
        row = r._asdict()
        cells = "".join(f"{row[f'cost_{n}']:>16,.0f}" for n in names)
        click.echo(f"{row['plan'][:24]:<24}{cells}{row['expected_cost']:>16,.0f}"
                   f"{row['worst_cost']:>16,.0f}{row['max_regret']:>16,.0f}"
                   + (f"  infeasible in {row['infeasible_in']}" if row["infeasible_in"] else ""))
    s = res.summary
    click.echo("value of the stochastic solution: "
               + "; ".join(f"{k} {v:,.0f}" for k, v in s["vss"].items())
               + f"; expected value of perfect information {s['evpi']:,.0f}")
    click.echo(f"common build: {len(res.build)} sites, {s['capacity_mw']:,.0f} MW-IT; "
               f"results in {res.outdir}/")


COMMANDS = (alternatives, sensitivity, futures)
