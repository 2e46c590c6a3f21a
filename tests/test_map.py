"""``siteplan map``: a non-blank PNG with one marker per open site, on tiny solved results."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from PIL import Image

from builders import tiny_tables, write_scenario

pytest.importorskip("geopandas")


def _square(lon0, lat0, lon1, lat1):
    return {"type": "Polygon",
            "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]}


def write_boundaries(path, boxes: dict) -> None:
    """A fake boundary file: one square per region id, ``region`` property = id."""
    feats = [{"type": "Feature", "properties": {"region": r, "name": r.upper()},
              "geometry": _square(*box)} for r, box in boxes.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))


def three_region_tables(fixed_cost: float = 1000.0):
    """Regions a, b, c on the equator 10 degrees apart; b is cheapest; fixed costs > 0."""
    t = tiny_tables()
    t["regions"].append({"region": "c", "name": "C", "lat": 0.0, "lon": 20.0, "zone": "west",
                         "price_per_mwh": 80.0, "green_share": 0.9,
                         "ef_tco2_per_mwh": 0.1})
    t["locations"].append({"location": "lc", "name": "LC", "region": "c", "lat": 0.0,
                           "lon": 20.0, "max_mw": 100.0, "fixed_cost_per_year": 0.0})
    t["site_options"].append({"site": "lc-air", "location": "lc", "cooling": "air",
                              "pue": 1.0})
    t["demand"].append({"region": "c", "workload": "chat", "tokens_per_day": 48e6})
    for loc in t["locations"]:
        loc["fixed_cost_per_year"] = fixed_cost
    return t


def make_result(tmp_path, tables=None, name="tiny", **keys):
    """Solve a tiny scenario; returns (result folder, boundaries file, dataset folder)."""
    import siteplan

    tables = tables or three_region_tables()
    scen = write_scenario(tmp_path / "scen", tables, name=name, **keys)
    res = siteplan.solve(siteplan.load_scenario(scen))
    out = res.write(tmp_path / "result")
    boxes = {r["region"]: (r["lon"] - 5, r["lat"] - 5, r["lon"] + 5, r["lat"] + 5)
             for r in tables["regions"]}
    bfile = tmp_path / "geo" / "regions.geojson"
    write_boundaries(bfile, boxes)
    return out, bfile, tmp_path / "scen" / "data"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_result(tmp_path_factory.mktemp("map"))


def _nonblank_png(path):
    import numpy as np

    img = Image.open(path).convert("RGB")
    assert img.size[0] > 400 and img.size[1] > 300
    pixels = np.asarray(img).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 10, "image is blank"
    return img


def test_one_marker_per_open_site(tiny, tmp_path):
    import pandas as pd

    from siteplan.report.map import render_map

    out, bfile, data = tiny
    fig, info = render_map(out, boundaries=bfile, dataset=data)
    sites = pd.read_csv(out / "sites.csv")
    open_sites = sites[(sites["open"] == 1) & (sites["mw_it_total"] > 0)]
    summary = json.loads((out / "summary.json").read_text())
    assert len(open_sites) >= 1
    assert info["site_markers"] == len(open_sites) == summary["sites_open"]
    assert len(info["sites_collection"].get_offsets()) == len(open_sites)
    # markers sit on the sites' locations (projected), i.e. inside the drawn area
    x0, x1 = info["ax"].get_xlim()
    for x, _y in info["sites_collection"].get_offsets():
        assert x0 < x < x1
    # every region served from a site elsewhere gets a line
    al = pd.read_csv(out / "allocation.csv")
    loc_region = dict(zip(sites["location"], sites["region"], strict=True))
    remote = {(r, lo)
              for r, lo, t in zip(al["region"], al["location"], al["tokens_per_day"], strict=True)
              if t > 0 and loc_region[lo] != r}
    assert info["flows"] == len(remote)
    assert info["warnings"] == []


def test_single_cheap_site(tmp_path):
    """High fixed costs: one site (b, cheapest power) serves all three regions -> 2 lines."""
    from siteplan.report.map import render_map

    out, bfile, data = make_result(tmp_path, three_region_tables(fixed_cost=1e7))
    fig, info = render_map(out, boundaries=bfile, dataset=data, color="average")
    assert info["site_markers"] == 1
    assert info["flows"] == 2


def test_cli_map_png(tiny, tmp_path):
    from siteplan.cli import main

    out, bfile, data = tiny
    png = tmp_path / "map.png"
    r = CliRunner().invoke(main, ["map", str(out), "-o", str(png), "--boundaries", str(bfile),
                                  "--dataset", str(data), "--latency-circles"])
    assert r.exit_code == 0, r.output
    _nonblank_png(png)
    assert "open sites" in r.output


def test_latency_circles_drawn(tmp_path):
    from siteplan.report.map import render_map

    t = three_region_tables(fixed_cost=1e7)
    t["workloads"][0]["latency_ms"] = 30.0  # ~2,000 km: smaller than the 30-degree map
    out, bfile, data = make_result(tmp_path, t)
    # no dataset: the places, latency limits and network settings come from the record
    _, info = render_map(out, boundaries=bfile, latency_circles=True)
    assert info["dataset"] is None and info["warnings"] == []
    (circle,) = info["latency_circles"]
    assert circle["workload"] == "chat" and circle["drawn"]
    # the scenario's 0 ms overhead (not the default 4 ms), 2 * 1.5 * 0.0049 ms per km
    assert circle["radius_km"] == pytest.approx(30.0 / (2 * 1.5 * 0.0049), rel=1e-12)
    assert info["location_names"]["lb"] == "LB"


def test_map_from_the_record_matches_the_dataset(tiny):
    from siteplan.report.map import render_map

    out, bfile, data = tiny
    _, a = render_map(out, boundaries=bfile, dataset=data)
    _, b = render_map(out, boundaries=bfile)
    assert b["dataset"] is None and b["warnings"] == []
    assert (a["sites_collection"].get_offsets() == b["sites_collection"].get_offsets()).all()
    assert a["flows"] == b["flows"] and a["location_names"] == b["location_names"]


def test_default_boundaries_by_region_ids(tiny, tmp_path):
    """Without --boundaries the bundled file covering the result's regions is chosen."""
    from siteplan.report.map import default_dataset, find_boundaries

    out, bfile, _ = tiny
    root = tmp_path / "data"
    write_boundaries(root / "other" / "boundaries" / "x.geojson", {"zz": (0, 0, 1, 1)})
    write_boundaries(root / "mine" / "boundaries" / "r.geojson",
                     {r: (0, 0, 1, 1) for r in ("a", "b", "c", "d")})
    (root / "mine" / "locations.csv").write_text("location,lat,lon\n")
    chosen = find_boundaries(["a", "b", "c"], roots=[root])
    assert chosen == root / "mine" / "boundaries" / "r.geojson"
    assert default_dataset(chosen) == (root / "mine").resolve()
    from siteplan.report.result import ReportError

    with pytest.raises(ReportError, match="--boundaries"):
        find_boundaries(["a", "q"], roots=[root])


def test_bundled_china_boundaries_found():
    from siteplan.report.map import find_boundaries

    regions = ["beijing", "tianjin", "xinjiang", "tibet"]
    assert find_boundaries(regions).name == "china_provinces.geojson"
    assert find_boundaries(["ca", "tx", "va"]).name == "us_states.geojson"


@pytest.mark.parametrize("args, message", [
    (["--boundaries", "{geo_wrong}"], "no shape for region"),
    ([], "bundled boundary file"),
])
def test_cli_bad_input_exit_2(tiny, tmp_path, args, message):
    from siteplan.cli import main

    out, _bfile, data = tiny
    geo_wrong = tmp_path / "wrong.geojson"
    write_boundaries(geo_wrong, {"a": (0, 0, 1, 1)})
    args = [a.format(geo_wrong=geo_wrong) for a in args]
    r = CliRunner().invoke(main, ["map", str(out), "-o", str(tmp_path / "m.png"), *args])
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "m.png").exists()


def test_cli_not_a_result_folder(tmp_path):
    from siteplan.cli import main

    r = CliRunner().invoke(main, ["map", str(tmp_path), "-o", str(tmp_path / "m.png")])
    assert r.exit_code == 2
    assert "not a siteplan result folder" in r.output


def test_help_has_examples():
    from siteplan.cli import main

    for cmd in ("map", "report"):
        r = CliRunner().invoke(main, [cmd, "--help"])
        assert r.exit_code == 0 and "Examples:" in r.output
