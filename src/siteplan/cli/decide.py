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

EXAMPLES = {
    "alternatives": "  siteplan alternatives scenarios/china-2026.yaml --slack 0.02 --count 8 "
                    "-o out/alternatives\n"
                    "  siteplan alternatives scenarios/china-2026.yaml --slack 0.05 --count 4 "
                    "--set policy.min_green_share=0.9",
}


@click.command(epilog=examples(EXAMPLES["alternatives"]))
@scenario_argument
@click.option("--slack", type=float, default=0.02, show_default=True,
              help="Plans may cost up to this share more than the least cost (0.02 = 2 %).")
@click.option("--count", type=click.IntRange(min=1), default=8, show_default=True,
              help="Alternatives sought after the least-cost plan (one solve each).")
@set_option
@out_dir_option("Folder [default: out/alternatives-<scenario name>].")
@force_option
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@debug_option
def alternatives(scenario: Path, slack: float, count: int, overrides, outdir, force,
                 no_progress, debug) -> None:
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
                   force=force, progress=not no_progress)
    t = res.table
    reg = t[(t["kind"] == "region") & ~t["never_used"]].sort_values("max_mw", ascending=False)
    click.echo(f"{len(res.plans)} distinct plans within {slack:.1%} of the least cost "
               f"{res.least_cost:,.0f} ({res.duplicates} repeated an earlier plan)")
    click.echo(f"{'plan':<8} {'cost':>18} {'over least':>10}  sites  status")
    for p in res.plans:
        click.echo(f"{p['plan']:<8} {p['cost']:>18,.0f} {p['over_least_cost']:>10.3%}  "
                   f"{p['sites_open']:>5}  {p['status']}")
    click.echo(f"{'province':<16} {'min MW':>10} {'max MW':>10}  in every plan")
    for r in reg.itertuples():
        click.echo(f"{r.id:<16} {r.min_mw:>10,.0f} {r.max_mw:>10,.0f}  "
                   f"{'yes' if r.must_have else ''}")
    click.echo(f"results in {res.outdir}/ (alternatives.csv, alternatives.html, plan-NN/)")


COMMANDS = (alternatives,)
