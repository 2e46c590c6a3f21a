"""``siteplan map`` and ``siteplan report``."""

from __future__ import annotations

from pathlib import Path

import click

from siteplan.cli.boundary import boundary
from siteplan.cli.options import debug_option, examples, force_option, out_file_option

EXAMPLES = {
    "map": "  siteplan map out/china-2026 -o map.png\n"
           "  siteplan map out/china-2026 -o map.png --color average --latency-circles\n"
           "  siteplan map out/us-2026 -o us.png --boundaries data/us/boundaries/us_states.geojson",
    "report": "  siteplan report out/china-2026 -o report.html\n"
              "  siteplan report out/china-2026 out/g90 out/east-only -o compare.html",
}
NOTHING_WRITTEN = "interrupted; nothing was written"

result_dir = click.Path(exists=True, file_okay=False, path_type=Path)
boundaries_option = click.option(
    "--boundaries", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="GeoJSON of the regions (property 'region' = region id) [default: the bundled "
         "data/*/boundaries/*.geojson file that covers the result's regions].")
dataset_option = click.option(
    "--dataset", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="Dataset folder with locations.csv and regions.csv (lat, lon) [default: the "
         "data/<set>/ folder of the boundary file].")
color_option = click.option(
    "--color", type=click.Choice(["marginal", "average"]), default="marginal",
    show_default=True, help="Shade regions by marginal or average cost per Mtok.")
circles_option = click.option(
    "--latency-circles", is_flag=True,
    help="Draw each workload's latency limit as a circle around the open sites.")
year_option = click.option(
    "--year", type=int, default=None,
    help="For a pathway result: the year to show [default: its final year].")


def warn(lines) -> None:
    for line in lines:
        click.echo(f"warning: {' '.join(str(line).split())}", err=True)


@click.command("map", epilog=examples(EXAMPLES["map"]))
@click.argument("result_dir", type=result_dir)
@out_file_option("Image file, .png, .svg or .pdf [default: map.png in the current folder].")
@color_option
@circles_option
@boundaries_option
@dataset_option
@click.option("--dpi", type=click.IntRange(50, 600), default=150, show_default=True,
              help="Resolution of a PNG map.")
@year_option
@force_option
@debug_option
def map_command(result_dir: Path, out: Path | None, color: str, latency_circles: bool,
                boundaries: Path | None, dataset: Path | None, dpi: int, year: int | None,
                force: bool, debug: bool) -> None:
    """Draw RESULT_DIR on a map: regional cost, open sites, demand flows."""
    out = out or Path("map.png")
    with boundary(debug, NOTHING_WRITTEN):
        from siteplan.report.map import write_map
        from siteplan.report.result import load_result
        from siteplan.safe_output import check_overwrite

        check_overwrite(out, force)
        result = load_result(result_dir, year)
        warn(result.notes)
        info = write_map(result, out, dpi=dpi, color=color, latency_circles=latency_circles,
                         boundaries=boundaries, dataset=dataset)
    warn(info["warnings"])
    click.echo(f"{out}: {info['site_markers']} open sites, {info['flows']} flows, "
               f"regions by {color} cost ({info['boundaries'].name})")


@click.command("report", epilog=examples(EXAMPLES["report"]))
@click.argument("result_dirs", nargs=-1, required=True, type=result_dir,
                metavar="RESULT_DIR [RESULT_DIR ...]")
@out_file_option("HTML file [default: report.html in the current folder].")
@click.option("--title", default=None, help="Report title [default: from the scenarios].")
@color_option
@circles_option
@boundaries_option
@dataset_option
@click.option("--no-map", is_flag=True, help="Leave the maps out.")
@year_option
@force_option
@debug_option
def report_command(result_dirs: tuple[Path, ...], out: Path | None, title: str | None,
                   color: str, latency_circles: bool, boundaries: Path | None,
                   dataset: Path | None, no_map: bool, year: int | None, force: bool,
                   debug: bool) -> None:
    """One self-contained HTML report of RESULT_DIR (several: with a comparison)."""
    out = out or Path("report.html")
    warnings: list[str] = []
    with boundary(debug, NOTHING_WRITTEN):
        from siteplan.report.html import write_report
        from siteplan.report.result import load_result
        from siteplan.safe_output import check_overwrite

        check_overwrite(out, force)
        results = [load_result(d, year) for d in result_dirs]
        warn([n for r in results for n in r.notes])
        write_report(results, out, title=title, maps=not no_map, warnings=warnings,
                     map_options={"color": color, "latency_circles": latency_circles,
                                  "boundaries": boundaries, "dataset": dataset})
    warn(warnings)
    n = len(result_dirs)
    click.echo(f"{out}: report of {n} result{'s' if n > 1 else ''}"
               + (" with a comparison" if n > 1 else ""))


COMMANDS = (map_command, report_command)
