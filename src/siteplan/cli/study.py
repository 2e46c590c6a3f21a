"""``siteplan compare``, ``siteplan sweep`` and ``siteplan pareto``."""

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
    "compare": "  siteplan compare out/china-2026 out/china-2026-east-only\n"
               "  siteplan compare scenarios/china-2026.yaml scenarios/china-2026-east-only.yaml "
               "scenarios/china-2026-green-90.yaml -o out/comparison.csv",
    "sweep": "  siteplan sweep scenarios/china-2026.yaml --grid policy.min_green_share=0.8:0.95:4\n"
             "  siteplan sweep scenarios/china-2026.yaml --grid prices.zone_scale.west=1,1.3 "
             "--grid policy.exclude_zones=[],[west] --workers 2 -o out/sweep\n"
             "  siteplan sweep scenarios/china-2026.yaml --samples 20 --seed 0 "
             "--dist demand.scale=triangular:0.8:1:1.5 --scheduler tcp://10.0.0.5:8786",
    "pareto": "  siteplan pareto scenarios/china-2026.yaml --between cost green_share --points 6\n"
              "  siteplan pareto scenarios/china-2026.yaml --between cost emissions --points 5 "
              "-o out/pareto-co2",
}


def _examples(name: str) -> str:
    return examples(EXAMPLES[name])


KEPT = ("interrupted; finished runs are kept and sweep.csv lists them; run the same command "
        "again to resume")
executor_options = [
    click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                 help="Local worker processes (1 = solve in this process)."),
    click.option("--scheduler", metavar="ADDRESS", default=None,
                 help="Run on an existing Dask distributed cluster, e.g. tcp://host:8786 "
                      "(workers need the same files at the same paths)."),
    click.option("--no-progress", is_flag=True, help="No progress bar on stderr."),
]


def _with(options):
    def deco(fn):
        for opt in reversed(options):
            fn = opt(fn)
        return fn
    return deco


@click.command(epilog=_examples("compare"))
@click.argument("sources", nargs=-1, required=True, metavar="A B [C ...]")
@click.option("-o", "--out", "outfile", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the comparison in long format (scenario, scope, "
                                 "metric, value) to this CSV, and the input diff to "
                                 "<name>_inputs.csv next to it.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Where a scenario YAML is solved: <cache>/<scenario name>, "
                                      "reused when it already holds results.")
@click.option("--no-cache", is_flag=True, help="Solve YAMLs into a temporary folder instead.")
@click.option("--refresh", is_flag=True, help="Solve YAMLs again even if cached results exist.")
@click.option("--year", type=int, default=None,
              help="For pathway results: the year to compare [default: their final year].")
@force_option
@debug_option
def compare(sources: tuple[str, ...], outfile: Path | None, cache: Path, no_cache: bool,
            refresh: bool, year: int | None, force: bool, debug: bool) -> None:
    """Compare scenarios side by side; the first is the baseline.

    Each of A B [C ...] is a results folder (as written by 'siteplan run') or a scenario
    YAML (solved first). Prints regional cost outcomes, totals, the scenario keys that
    differ, and the cost difference against the baseline decomposed by component and by
    region (the parts add up to the difference exactly).
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    with boundary(debug):
        from siteplan.safe_output import check_overwrite
        from siteplan.study.compare import compare as do_compare

        if outfile is not None:  # before solving: never replace a file siteplan did not write
            check_overwrite(outfile, force)
            check_overwrite(outfile.with_name(outfile.stem + "_inputs.csv"), force)
        cmp = do_compare(sources, cache=None if no_cache else cache, refresh=refresh,
                         say=lambda text: click.echo(text, err=True), year=year)
        if outfile is not None:
            cmp.write(outfile)
    click.echo(cmp.text())
    if outfile is not None:
        click.echo(f"\ncomparison written to {outfile} "
                   f"(inputs: {outfile.with_name(outfile.stem + '_inputs.csv')})")


@click.command(epilog=_examples("sweep"))
@scenario_argument
@click.option("--grid", "grid", multiple=True, metavar="KEY=V1,V2,...|KEY=START:STOP:N",
              help="Values of a scenario key; every combination of the --grid keys is run "
                   "(START:STOP:N: N evenly spaced values, ends included). Repeatable.")
@click.option("--samples", type=click.IntRange(min=1), default=None,
              help="Monte Carlo: this many seeded draws of the --dist keys (times the grid).")
@click.option("--dist", "dists", multiple=True,
              metavar="KEY=uniform:a:b|normal:mu:sigma|triangular:a:m:b",
              help="Distribution of a scenario key for --samples. Repeatable.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws.")
@set_option
@_with(executor_options)
@out_dir_option("Sweep folder [default: out/sweep-<scenario name>]; running the same sweep "
                "again resumes it.")
@click.option("--retry-failed", is_flag=True, help="Solve runs that failed earlier again.")
@click.option("--reuse-model/--fresh-model", default=True, show_default=True,
              help="Runs solved one after the other in a worker share one HiGHS model: only "
                   "changed costs, bounds and coefficients are passed on, and the LP starts "
                   "from the last basis (a key that changes the model's shape rebuilds it).")
@debug_option
def sweep(scenario: Path, grid, samples, dists, seed, overrides, workers, scheduler,
          no_progress, outdir, retry_failed, reuse_model, debug) -> None:
    """Solve SCENARIO for every combination of the --grid values (or --samples draws).

    Each run's results go to DIR/runs/<run-id> (the id is a hash of its overrides), and
    DIR/sweep.csv gets one row per run: the swept values, objective, avg cost per Mtok,
    green share, tCO2, west share, sites open, status, MIP gap and error. A failed run is
    recorded and the sweep goes on; running the same sweep again skips finished runs.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    with boundary(debug, KEPT):
        from siteplan.study.sweep import sweep as do_sweep

        res = do_sweep(scenario, grid=grid, dists=dists, samples=samples, seed=seed,
                       overrides=overrides, outdir=outdir, workers=workers,
                       scheduler=scheduler, progress=not no_progress,
                       retry_failed=retry_failed, reuse_model=reuse_model)
    n = len(res.table)
    click.echo(f"{n} runs: {res.solved} solved now, {res.skipped} done earlier, "
               f"{res.failed} failed ({res.wall_s:.1f} s)")
    if res.failed:
        bad = res.table[~res.table["status"].isin(["optimal", "gap_limit", "time_limit"])]
        for r in bad.head(5).itertuples():
            click.echo(f"  failed {r.run_id} [{r.overrides}]: {r.status}: {str(r.error)[:160]}")
        if len(bad) > 5:
            click.echo(f"  ... and {len(bad) - 5} more (see sweep.csv)")
    for note in res.notes:
        click.echo(f"note: {note}")
    click.echo(f"results in {res.outdir}/sweep.csv and {res.outdir}/runs/")


@click.command(epilog=_examples("pareto"))
@scenario_argument
@click.option("--between", nargs=2, default=("cost", "green_share"), show_default=True,
              metavar="cost green_share|emissions",
              help="The two objectives: 'cost green_share' or 'cost emissions'.")
@click.option("--points", type=click.IntRange(min=2), default=5, show_default=True,
              help="Points on the frontier, both ends included.")
@click.option("--bisect-steps", type=click.IntRange(min=0), default=6, show_default=True,
              help="Solves spent finding the largest reachable green-share floor.")
@click.option("--to", "upto", type=click.FloatRange(0, 1), default=None,
              help="Step the green-share floor up to this value instead of searching for the "
                   "maximum (unreachable floors are recorded as infeasible).")
@set_option
@_with(executor_options)
@out_dir_option("Folder [default: out/pareto-<scenario name>-<objective>].")
@debug_option
def pareto(scenario: Path, between, points, bisect_steps, upto, overrides, workers, scheduler,
           no_progress, outdir, debug) -> None:
    """Trace the cost-green (or cost-emissions) frontier of SCENARIO (epsilon constraint).

    The green-share floor is stepped from the cost-optimal plan's green share up to the
    largest reachable one (or the emissions cap from the cost-optimal plan's tCO2 down to the
    least-emissions plan's), solving each point at least cost. Writes DIR/pareto.csv:
    point, epsilon, cost, green_share, tco2, avg_cost_per_mtok, status.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    with boundary(debug, KEPT):
        from siteplan.study.pareto import pareto as do_pareto

        res = do_pareto(scenario, between=between, points=points, overrides=overrides,
                        outdir=outdir, workers=workers, scheduler=scheduler,
                        progress=not no_progress, bisect_steps=bisect_steps, upto=upto)
    t = res.table
    lines = [f"{'point':>5}  {'epsilon':>14}  {'cost, billion':>14}  {'green':>7}  "
             f"{'MtCO2':>9}  {'/Mtok':>8}  status"]
    for r in t.itertuples():
        if r.status in ("optimal", "gap_limit", "time_limit"):
            lines.append(f"{r.point:>5}  {r.epsilon:>14.6g}  {r.cost / 1e9:>14.4f}  "
                         f"{r.green_share:>7.2%}  {r.tco2 / 1e6:>9.4f}  "
                         f"{r.avg_cost_per_mtok:>8.4f}  {r.status}")
        else:
            lines.append(f"{r.point:>5}  {r.epsilon:>14.6g}  {'-':>14}  {'-':>7}  {'-':>9}  "
                         f"{'-':>8}  {r.status}")
    click.echo("\n".join(lines))
    for v in res.violations:
        click.echo(f"warning: not monotone: {v}", err=True)
    click.echo(f"frontier in {res.outdir}/pareto.csv")


COMMANDS = (compare, sweep, pareto)
