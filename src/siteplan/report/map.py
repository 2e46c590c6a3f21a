"""A static map of one result: regional cost, open sites and demand flows (no network, no tiles).

``render_map(result)`` returns ``(fig, info)``: a matplotlib :class:`~matplotlib.figure.Figure`
(drawn with the Agg canvas, no pyplot state) and a dict describing what was drawn
(``site_markers``, ``flows``, ``boundaries``, ``dataset``, ``warnings`` ...), so callers and
tests can check the picture without looking at pixels.

Where the coordinates come from:

* region shapes: a GeoJSON file whose features carry a ``region`` property equal to the
  result's region ids; by default the bundled ``data/*/boundaries/*.geojson`` file whose
  ``region`` values cover the result's regions (``--boundaries`` chooses another);
* region points (flow start), site locations, workloads' latency limits and the network
  settings: the result's record (``places.csv``, ``record.json``, ``scenario.yaml``);
  ``--dataset`` reads ``regions.csv`` and ``locations.csv`` of a dataset folder instead. An
  old folder without a record falls back to the ``data/<set>/`` folder of the boundary file;
  without either, regions fall back to a point inside their shape and sites to their
  region's point (a warning says so).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from siteplan.report.result import ReportError, ResultFolder, load_result
from siteplan.safe_output import MARKER

COLOR_BY = ("marginal", "average")
_COST_COLUMN = {"marginal": "marginal_cost_per_mtok", "average": "avg_cost_per_mtok"}
_FLOW_COLOR = "#1f4e79"
_CIRCLE_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1)))
_OUTLIER_GAP_DEG = 2.0  # shapes further than this from the main land mass don't set the extent


# ----------------------------------------------------------------------------- boundaries


def data_roots() -> list[Path]:
    """Folders searched for bundled datasets: ./data, then the source checkout's data/."""
    roots = [Path.cwd() / "data", Path(__file__).resolve().parents[3] / "data"]
    out: list[Path] = []
    for r in roots:
        if r.is_dir() and all(r.resolve() != o.resolve() for o in out):
            out.append(r)
    return out


def _region_ids(path: Path) -> set[str] | None:
    """The ``region`` property values of a GeoJSON file (None if it has no such property)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        return None
    ids = {str((f.get("properties") or {}).get("region")) for f in feats
           if isinstance(f, dict) and (f.get("properties") or {}).get("region") is not None}
    return ids or None


def find_boundaries(region_ids, roots: list[Path] | None = None) -> Path:
    """The bundled boundary file whose ``region`` values cover ``region_ids`` best.

    Raises ReportError if no bundled file covers every region.
    """
    wanted = {str(r) for r in region_ids}
    best: tuple[int, int, Path] | None = None
    for root in roots if roots is not None else data_roots():
        for path in sorted(root.glob("*/boundaries/*.geojson")):
            ids = _region_ids(path)
            if not ids:
                continue
            covered = len(wanted & ids)
            key = (covered, -len(ids - wanted), path)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is None or best[0] < len(wanted):
        missing = sorted(wanted - (_region_ids(best[2]) or set())) if best else sorted(wanted)
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ReportError(
            f"no bundled boundary file (data/*/boundaries/*.geojson) has every region of the "
            f"result (missing: {shown}); pass --boundaries FILE.geojson with a 'region' property")
    return best[2]


def read_boundaries(path: str | Path):
    """Region shapes of ``path`` as a GeoDataFrame in EPSG:4326 with a ``region`` column."""
    import geopandas as gpd

    path = Path(path)
    if not path.is_file():
        raise ReportError(f"{path}: boundary file not found")
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types
        raise ReportError(f"{path}: cannot be read as a boundary file "
                          f"({' '.join(str(exc).split())})") from None
    if "region" not in gdf.columns:
        raise ReportError(f"{path}: features have no 'region' property (the region id)")
    gdf = gdf[gdf["region"].notna() & gdf.geometry.notna()].copy()
    gdf["region"] = gdf["region"].astype(str)
    gdf = gdf.set_crs("EPSG:4326", allow_override=True) if gdf.crs is None else gdf.to_crs(4326)
    return gdf.dissolve(by="region", as_index=False) if gdf["region"].duplicated().any() else gdf


def _context_layers(boundaries: Path):
    """Other GeoJSON files beside the boundary file without a ``region`` property (context)."""
    import geopandas as gpd

    layers = []
    for path in sorted(boundaries.parent.glob("*.geojson")):
        if path == boundaries or _region_ids(path):
            continue
        try:
            layers.append(gpd.read_file(path).to_crs(4326))
        except Exception:  # context only: a broken file is simply left out
            continue
    return layers


def default_dataset(boundaries: Path) -> Path | None:
    """``data/<set>/`` for ``data/<set>/boundaries/x.geojson`` if it holds locations.csv."""
    folder = boundaries.resolve().parent
    if folder.name == "boundaries":
        folder = folder.parent
    return folder if (folder / "locations.csv").is_file() else None


def read_points(dataset: str | Path) -> tuple[dict, dict, dict, pd.DataFrame | None]:
    """(region -> (lon, lat), location -> (lon, lat), location -> name, workloads or None)."""
    dataset = Path(dataset)
    if not (dataset / "locations.csv").is_file():
        raise ReportError(f"{dataset}: no locations.csv (lat, lon of each location); pass "
                          "--dataset with the dataset folder of the scenario")

    def table(name: str, key: str) -> pd.DataFrame | None:
        file = dataset / f"{name}.csv"
        if not file.is_file():
            return None
        try:
            df = pd.read_csv(file, dtype={key: str})
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ReportError(f"{file}: cannot be read as CSV ({exc})") from None
        need = [c for c in (key, "lat", "lon") if c not in df.columns]
        if need:
            raise ReportError(f"{file}: missing column(s) {', '.join(need)}")
        return df

    def points(df: pd.DataFrame | None, key: str) -> dict:
        if df is None:
            return {}
        df = df.dropna(subset=["lat", "lon"])
        return {str(k): (float(lo), float(la))
                for k, lo, la in zip(df[key], df["lon"], df["lat"], strict=True)}

    locs = table("locations", "location")
    names = {}
    if locs is not None and "name" in locs.columns:
        names = {str(k): str(v) for k, v in zip(locs["location"], locs["name"], strict=True)
                 if pd.notna(v)}
    workloads = None
    if (dataset / "workloads.csv").is_file():
        try:
            workloads = pd.read_csv(dataset / "workloads.csv", dtype={"workload": str})
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            workloads = None
    return points(table("regions", "region"), "region"), points(locs, "location"), names, workloads


# ----------------------------------------------------------------------------- geometry


def _main_extent(gdf) -> tuple[object, list[str]]:
    """The shape that sets the map extent and the regions left outside it.

    The extent is the largest connected land mass plus the polygons within
    ``_OUTLIER_GAP_DEG`` of it (near islands); far polygons (Alaska, Hawaii, remote islets)
    do not stretch the map. A region none of whose polygons is in the extent is "far".
    """
    from shapely.ops import unary_union

    polys = []
    for region, geom in zip(gdf["region"], gdf.geometry.values, strict=True):
        for part in getattr(geom, "geoms", [geom]):
            polys.append((region, part))
    merged = unary_union([p.buffer(0.02) for _, p in polys])
    main = max(getattr(merged, "geoms", [merged]), key=lambda g: g.area)
    keep = [(r, p) for r, p in polys if p.distance(main) <= _OUTLIER_GAP_DEG]
    kept = {r for r, _ in keep}
    far = [r for r in gdf["region"] if r not in kept]
    return unary_union([p for _, p in keep]), far


def _projection(lon_min, lon_max, lat_min, lat_max) -> str:
    """An Albers equal-area projection centred on the extent (planar, undistorted areas)."""
    lat_span = lat_max - lat_min
    lat1, lat2 = lat_min + lat_span / 6, lat_max - lat_span / 6
    if abs(lat2 - lat1) < 1:
        lat1, lat2 = lat1 - 1, lat2 + 1
    lon0, lat0 = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    if abs(lat1 + lat2) < 2:  # around the equator Albers degenerates: azimuthal equal-area
        return f"+proj=laea +lat_0={lat0:.3f} +lon_0={lon0:.3f} +datum=WGS84 +units=m +no_defs"
    return (f"+proj=aea +lat_1={lat1:.3f} +lat_2={lat2:.3f} +lat_0={lat0:.3f} "
            f"+lon_0={lon0:.3f} +datum=WGS84 +units=m +no_defs")


def record_points(result: ResultFolder) -> tuple[dict, dict, dict]:
    """(region -> (lon, lat), location -> (lon, lat), location -> name) from places.csv."""
    def points(df: pd.DataFrame) -> dict:
        df = df.dropna(subset=["lat", "lon"])
        return {str(k): (float(lo), float(la))
                for k, lo, la in zip(df.index, df["lon"], df["lat"], strict=True)}

    locs = result.places("location")
    names = {str(k): str(v) for k, v in locs["name"].items() if str(v)}
    return points(result.places("region")), points(locs), names


def _ms_per_km(result: ResultFolder, warnings: list[str]) -> tuple[float, float]:
    """(overhead_ms, round-trip ms per great-circle km) of the result's scenario.

    Latency is overhead + 2 x km x route_factor x fibre ms/km (docs/model.md); an old folder
    without a record falls back to the scenario defaults (a warning says so).
    """
    from siteplan.config.schema import Network
    from siteplan.inputs.derive import FIBRE_MS_PER_KM

    if result.record is not None:
        overhead, route = result.record.network()
    else:
        net = Network()
        overhead, route = float(net.overhead_ms), float(net.route_factor)
        warnings.append("no record in the result folder: latency circles use the default "
                        "network settings")
    return overhead, 2.0 * route * FIBRE_MS_PER_KM


def _circle_lonlat(lon: float, lat: float, radius_km: float, n: int = 121):
    from pyproj import Geod

    az = np.linspace(0.0, 360.0, n)
    lons, lats, _ = Geod(ellps="WGS84").fwd(np.full(n, lon), np.full(n, lat), az,
                                            np.full(n, radius_km * 1000.0))
    return np.asarray(lons), np.asarray(lats)


# ----------------------------------------------------------------------------- formatting


def fmt_tokens(x: float) -> str:
    """Tokens/day with a short scale word: 1.5 trillion, 24 million."""
    for div, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(x) >= div:
            v = x / div
            return f"{v:,.{0 if v >= 100 else 1 if v >= 10 else 2}f} {word}"
    return f"{x:,.0f}"


def fmt_money(x: float, cur: str = "") -> str:
    """An amount with a scale word: 58.593 billion CNY, 12,345 CNY."""
    for div, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(x) >= div:
            return f"{x / div:,.3f} {word} {cur}".strip()
    return f"{x:,.2f} {cur}".strip()


def _nice(x: float) -> float:
    """``x`` rounded down to 1, 2 or 5 times a power of ten."""
    if x <= 0:
        return 0.0
    p = 10 ** math.floor(math.log10(x))
    return max(m * p for m in (1, 2, 5) if m * p <= x * (1 + 1e-9))


def _mw_text(mw: float) -> str:
    return f"{mw:,.0f} MW" if mw >= 10 else f"{mw:,.2g} MW"


# ----------------------------------------------------------------------------- the map


def render_map(result: ResultFolder | str | Path, **options):
    """Draw ``result`` on its regions; returns ``(fig, info)`` (see the module docstring).

    Names are drawn as plain text: a ``$`` in a scenario or region name is a dollar sign,
    never matplotlib math text.
    """
    import matplotlib as mpl

    with mpl.rc_context({"text.parse_math": False}):
        return _render_map(result, **options)


def _render_map(result: ResultFolder | str | Path, *, boundaries: str | Path | None = None,
                dataset: str | Path | None = None, color: str = "marginal",
                latency_circles: bool = False, title: str | None = None,
                figsize: tuple[float, float] = (13.0, 9.0)):
    import sys

    import matplotlib as mpl

    if "matplotlib.pyplot" not in sys.modules:
        mpl.use("Agg")  # never a GUI backend: the map is drawn off screen
    from matplotlib import patheffects
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from pyproj import Transformer

    if not isinstance(result, ResultFolder):
        result = load_result(result)
    if color not in COLOR_BY:
        raise ReportError(f"--color must be one of {', '.join(COLOR_BY)}, not {color!r}")
    warnings: list[str] = []
    regions = result.regions.copy()
    regions["region"] = regions["region"].astype(str)

    bpath = Path(boundaries) if boundaries is not None else find_boundaries(regions["region"])
    gdf = read_boundaries(bpath)
    unknown = sorted(set(regions["region"]) - set(gdf["region"]))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise ReportError(f"{bpath}: has no shape for region(s) {shown} of the result; "
                          "pass --boundaries with the scenario's boundary file")
    region_pts, loc_pts, loc_names, workloads = ({}, {}, {}, None)
    dpath = None
    if dataset is None and result.record is not None:  # the result's own places
        region_pts, loc_pts, loc_names = record_points(result)
        workloads = pd.DataFrame(result.record.workloads, columns=["workload", "name",
                                                                   "latency_ms"])
    else:
        dpath = Path(dataset) if dataset is not None else default_dataset(bpath)
        if dpath is not None:
            if not dpath.is_dir():
                raise ReportError(f"{dpath}: dataset folder not found")
            region_pts, loc_pts, loc_names, workloads = read_points(dpath)
        else:
            warnings.append("no dataset folder found (pass --dataset): sites drawn at their "
                            "region's centre")

    # region points: the dataset's (what latency is computed from), else a point in the shape
    inner = {r: (p.x, p.y)
             for r, p in zip(gdf["region"], gdf.geometry.representative_point(), strict=True)}
    for r, pt in inner.items():
        region_pts.setdefault(r, pt)

    sites = result.open_sites
    site_xy = []
    for loc, reg in zip(sites["location"].astype(str), sites["region"].astype(str), strict=True):
        if loc in loc_pts:
            site_xy.append(loc_pts[loc])
        elif reg in region_pts:
            site_xy.append(region_pts[reg])
            where = f"{dpath}/locations.csv" if dpath is not None else "places.csv"
            warnings.append(f"location {loc} not in {where}: drawn at the centre of region "
                            f"{reg}")
        else:
            raise ReportError(f"site location {loc} (region {reg}) has no coordinates; pass "
                              "--dataset with the scenario's dataset folder")
    sites = sites.assign(lon=[p[0] for p in site_xy], lat=[p[1] for p in site_xy])
    for loc, reg in zip(result.allocation["location"].astype(str),
                        result.allocation["region"].astype(str), strict=True):
        if loc not in loc_pts:
            s_reg = result.sites.loc[result.sites["location"].astype(str) == loc, "region"]
            loc_pts[loc] = region_pts.get(str(s_reg.iloc[0]) if len(s_reg) else reg,
                                          region_pts.get(reg, (np.nan, np.nan)))

    # extent: the main land mass plus every open site; far shapes (e.g. Alaska) left out
    plan = gdf[gdf["region"].isin(set(regions["region"]))]
    body, far = _main_extent(plan)
    lon_min, lat_min, lon_max, lat_max = body.bounds
    if len(sites):
        lon_min, lon_max = min(lon_min, sites["lon"].min()), max(lon_max, sites["lon"].max())
        lat_min, lat_max = min(lat_min, sites["lat"].min()), max(lat_max, sites["lat"].max())
    far = [r for r in far if not (sites["region"].astype(str) == r).any()]
    inside = set(plan["region"]) - set(far)
    proj = _projection(lon_min, lon_max, lat_min, lat_max)
    to_xy = Transformer.from_crs("EPSG:4326", proj, always_xy=True).transform
    shapes = gdf.to_crs(proj)

    # ------------------------------------------------------------------ figure layout
    fig = Figure(figsize=figsize, dpi=100)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((0.01, 0.10, 0.74, 0.74))
    ax.set_axis_off()
    ax.set_aspect("equal")

    for layer in _context_layers(bpath):
        layer.to_crs(proj).plot(ax=ax, color="#eeeeee", edgecolor="#bbbbbb", linewidth=0.4,
                                zorder=1)
    col = _COST_COLUMN[color]
    cost = regions.set_index("region")[col].astype(float)
    cost = cost.where(np.isfinite(cost))
    shapes = shapes.assign(cost=shapes["region"].map(cost))
    in_plan = shapes["region"].isin(set(regions["region"]))
    valid = cost.dropna()
    lo, hi = (float(valid.min()), float(valid.max())) if len(valid) else (0.0, 1.0)
    uniform = bool(len(valid)) and hi - lo < 1e-9 * max(1.0, abs(hi))
    if hi - lo < 1e-9 * max(1.0, abs(hi)):
        lo, hi = lo - max(abs(lo) * 0.05, 1e-6), hi + max(abs(hi) * 0.05, 1e-6)
    cost_cmap = mpl.colormaps["YlOrRd"]
    cost_norm = Normalize(lo, hi)
    if (~in_plan).any():
        shapes[~in_plan].plot(ax=ax, color="#f3f3f3", edgecolor="#c8c8c8", linewidth=0.4,
                              zorder=1)
    has_cost = in_plan & shapes["cost"].notna()
    if has_cost.any():
        shapes[has_cost].plot(ax=ax, color=[cost_cmap(cost_norm(v)) for v in
                                            shapes.loc[has_cost, "cost"]],
                              edgecolor="white", linewidth=0.6, zorder=2)
    no_cost = in_plan & shapes["cost"].isna()
    if no_cost.any():
        shapes[no_cost].plot(ax=ax, color="#dddddd", edgecolor="white", hatch="///",
                             linewidth=0.6, zorder=2)

    import geopandas as gpd

    bx0, by0, bx1, by1 = gpd.GeoSeries([body], crs=4326).to_crs(proj).total_bounds
    xs, ys = [bx0, bx1], [by0, by1]
    if len(sites):
        sx, sy = to_xy(sites["lon"].to_numpy(), sites["lat"].to_numpy())
        xs += list(sx)
        ys += list(sy)
    xmin, xmax, ymin, ymax = min(xs), max(xs), min(ys), max(ys)
    pad = 0.03 * max(xmax - xmin, ymax - ymin, 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    diag_km = math.hypot(xmax - xmin, ymax - ymin) / 1000.0

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    names = (dict(zip(regions["region"], regions["name"].astype(str), strict=True))
             if "name" in regions.columns else {})
    labels_drawn = []
    for region, geom in zip(shapes["region"], shapes.geometry, strict=True):
        if region not in set(inside) or region not in set(regions["region"]):
            continue
        p = geom.representative_point()
        labels_drawn.append(ax.annotate(
            names.get(region, region), (p.x, p.y), ha="center", va="center", fontsize=6.5,
            color="#333333", path_effects=halo, zorder=4.5, annotation_clip=True))

    # ------------------------------------------------------------------ flows
    al = result.allocation.copy()
    al["region"], al["location"] = al["region"].astype(str), al["location"].astype(str)
    flows = al.groupby(["region", "location"], as_index=False)["tokens_per_day"].sum()
    flows = flows[flows["tokens_per_day"] > 0].sort_values("tokens_per_day")
    tmax = float(flows["tokens_per_day"].max()) if len(flows) else 0.0
    max_lw, min_lw = 6.0, 0.4
    n_flows = 0
    for region, loc, tok in flows.itertuples(index=False):
        a, b = region_pts.get(region), loc_pts.get(loc)
        if a is None or b is None or not np.all(np.isfinite([*a, *b])):
            continue
        (xa, xb), (ya, yb) = to_xy([a[0], b[0]], [a[1], b[1]])
        if math.hypot(xb - xa, yb - ya) < 1.0:  # served where it is demanded: no line
            continue
        ax.plot([xa, xb], [ya, yb], color=_FLOW_COLOR, alpha=0.45, solid_capstyle="round",
                linewidth=max(min_lw, max_lw * tok / tmax), zorder=4)
        n_flows += 1

    # ------------------------------------------------------------------ latency circles
    circles = []
    if latency_circles:
        if workloads is None:
            raise ReportError("--latency-circles needs the dataset's workloads.csv; pass "
                              "--dataset with the scenario's dataset folder")
        overhead, ms_per_km = _ms_per_km(result, warnings)
        if "latency_ms" not in workloads.columns:
            workloads = workloads.assign(latency_ms=np.nan)
        limits = workloads.dropna(subset=["latency_ms"]).sort_values("latency_ms")
        if limits.empty:
            warnings.append("no workload has a latency limit: no latency circles drawn")
        seen = sorted(set(zip(sites["lon"], sites["lat"], strict=True)))
        for k, (wl, limit) in enumerate(zip(limits["workload"], limits["latency_ms"], strict=True)):
            radius = (float(limit) - overhead) / ms_per_km
            if radius <= 0:
                continue
            style = _CIRCLE_STYLES[k % len(_CIRCLE_STYLES)]
            whole = radius >= diag_km  # reaches the whole map from any site: no circle
            if not whole:
                for lon, lat in seen:
                    cl, ct = _circle_lonlat(lon, lat, radius)
                    cx, cy = to_xy(cl, ct)
                    ax.plot(cx, cy, color="#444444", linewidth=1.0, linestyle=style, zorder=5)
            circles.append({"workload": str(wl), "latency_ms": float(limit),
                            "radius_km": radius, "style": style, "drawn": not whole})

    # ------------------------------------------------------------------ sites
    mw = sites["mw_it_total"].astype(float).to_numpy()
    mw_max = float(mw.max()) if len(mw) else 1.0
    smax = 900.0

    def area(v):
        return np.maximum(25.0, smax * np.asarray(v, float) / mw_max)

    green_cmap = mpl.colormaps["Greens"]
    green_norm = Normalize(0.0, 1.0)
    green = sites["green_share"].astype(float).fillna(0.0).to_numpy()
    gx, gy = (to_xy(sites["lon"].to_numpy(), sites["lat"].to_numpy()) if len(sites)
              else (np.array([]), np.array([])))
    markers = ax.scatter(gx, gy, s=area(mw), c=green_cmap(green_norm(green)),
                         edgecolors="#222222", linewidths=0.9, zorder=6)
    region_labels = labels_drawn
    _place_site_labels(fig, ax, sites, gx, gy, mw, area, loc_names, halo, region_labels)

    # ------------------------------------------------------------------ legends, title
    s = result.summary
    cur = result.currency
    what = "marginal" if color == "marginal" else "average"
    fig.text(0.02, 0.965, title or f"{result.scenario}: where the tokens are produced",
             fontsize=15, fontweight="bold", va="top")
    sub = []
    if "objective" in s:
        sub.append(f"annual cost {fmt_money(s['objective'], cur)}")
    sub.append(f"{len(sites)} site{'' if len(sites) == 1 else 's'} open "
               f"({_mw_text(float(mw.sum()))} IT)")
    if "green_share" in s:
        sub.append(f"green share {float(s['green_share']):.1%}")
    if "status" in s:
        sub.append(f"solver {s['status']}")
    shading = f"Regions shaded by {what} cost per million tokens"
    if uniform:
        shading += f" (the same in every region: {valid.iloc[0]:,.4f} {cur}/Mtok)"
    fig.text(0.02, 0.925, "  |  ".join(sub) + f"\n{shading}.\nCircles: open sites (area: MW "
             "IT, colour: green share); lines: demand served from another region (width: "
             "tokens/day).",
             fontsize=9.5, va="top", color="#333333")

    cax = fig.add_axes((0.08, 0.085, 0.55, 0.02))
    sm = mpl.cm.ScalarMappable(norm=cost_norm, cmap=cost_cmap)
    cb = fig.colorbar(sm, cax=cax, orientation="horizontal")
    cb.set_label(f"{what} cost, {cur}/Mtok".strip(), fontsize=9)
    cb.ax.tick_params(labelsize=8)

    gax = fig.add_axes((0.79, 0.60, 0.018, 0.25))
    gb = fig.colorbar(mpl.cm.ScalarMappable(norm=green_norm, cmap=green_cmap), cax=gax)
    gb.set_label("site green share", fontsize=9)
    gb.ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    gb.ax.tick_params(labelsize=8)

    handles, labels = [], []
    if len(mw):
        refs = sorted({_nice(mw_max), _nice(mw_max / 2), _nice(mw_max / 8)} - {0.0},
                      reverse=True)
        for v in refs:
            handles.append(Line2D([], [], linestyle="", marker="o", markerfacecolor="white",
                                  markeredgecolor="#222222",
                                  markersize=math.sqrt(float(area(v))), label=_mw_text(v)))
            labels.append(_mw_text(v) + " IT")
    if n_flows:
        for frac in (1.0, 0.5, 0.1):
            handles.append(Line2D([], [], color=_FLOW_COLOR, alpha=0.45,
                                  linewidth=max(min_lw, max_lw * frac)))
            labels.append(f"{fmt_tokens(tmax * frac)} tokens/day")
    for c in circles:
        handles.append(Line2D([], [], color="#444444", linestyle=c["style"], linewidth=1.0,
                              alpha=1.0 if c["drawn"] else 0.0))
        reach = (f"~{c['radius_km']:,.0f} km" if c["drawn"] else "reaches the whole map")
        labels.append(f"{c['workload']}: {c['latency_ms']:g} ms ({reach})")
    if no_cost.any():
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="#dddddd", hatch="///", edgecolor="white"))
        labels.append("no cost (no demand)")
    if handles:
        fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.765, 0.56),
                   fontsize=8.5, frameon=False, labelspacing=1.3, borderpad=0.2,
                   handletextpad=1.2, title="sites, flows" + (", latency" if circles else ""),
                   title_fontsize=9, alignment="left")
    notes = []
    if far:
        far_names = [names.get(r, r) for r in far]
        notes.append("not shown (outside the extent, no site): " + ", ".join(far_names[:6])
                     + (" ..." if len(far_names) > 6 else ""))
    notes.append(f"Boundaries: {bpath.name}. Drawn with siteplan from {result.path.name}/.")
    fig.text(0.02, 0.012, "\n".join(notes), fontsize=7.5, color="#666666", va="bottom")

    info = {
        "site_markers": len(markers.get_offsets()),
        "sites_collection": markers,
        "flows": n_flows,
        "latency_circles": circles,
        "boundaries": bpath,
        "dataset": dpath,
        "location_names": loc_names,
        "color": color,
        "cost_range": (lo, hi),
        "uniform_cost": uniform,
        "not_shown": far,
        "warnings": warnings,
        "ax": ax,
    }
    return fig, info


def _place_site_labels(fig, ax, sites, gx, gy, mw, area, loc_names, halo, region_labels,
                       max_labels: int = 15) -> None:
    """Label the largest locations (name, MW) where the text overlaps no earlier label.

    Tries eight positions around each marker; region names under a site label are hidden.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not len(sites):
        return
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    placed = []  # display-space boxes of site labels and markers
    for x, y, v in zip(gx, gy, mw, strict=True):
        r = math.sqrt(float(area(v)) / math.pi) * fig.dpi / 72.0
        cx, cy = ax.transData.transform((x, y))
        placed.append((cx - r, cy - r, cx + r, cy + r))
    locs = sites["location"].astype(str).to_numpy()
    done: set[str] = set()
    texts = []
    for i in np.argsort(-mw, kind="stable"):
        loc = locs[i]
        if loc in done:
            continue
        done.add(loc)
        if len(done) > max_labels:
            break
        total = float(mw[locs == loc].sum())
        text = f"{loc_names.get(loc, loc)}\n{_mw_text(total)}"
        r = math.sqrt(float(area(mw[i])) / math.pi) + 2
        candidates = [(r, r, "left", "bottom"), (r, -r, "left", "top"),
                      (-r, r, "right", "bottom"), (-r, -r, "right", "top"),
                      (r + 4, 0, "left", "center"), (-r - 4, 0, "right", "center"),
                      (0, r + 4, "center", "bottom"), (0, -r - 4, "center", "top")]
        best = None
        for dx, dy, ha, va in candidates:
            t = ax.annotate(text, (gx[i], gy[i]), xytext=(dx, dy), textcoords="offset points",
                            ha=ha, va=va, fontsize=8, fontweight="bold", color="#111111",
                            path_effects=halo, zorder=7)
            bb = t.get_window_extent(renderer)
            box = (bb.x0, bb.y0, bb.x1, bb.y1)
            hits = sum(_overlap(box, p) for p in placed)
            if best is None or hits < best[0]:
                if best is not None:
                    best[1].remove()
                best = (hits, t, box)
            else:
                t.remove()
            if hits == 0:
                break
        placed.append(best[2])
        texts.append(best[2])
    for lab in region_labels:
        bb = lab.get_window_extent(renderer)
        if any(_overlap((bb.x0, bb.y0, bb.x1, bb.y1), b) for b in texts):
            lab.set_visible(False)


def _overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def figure_png(fig, dpi: int = 150) -> bytes:
    """The figure as PNG bytes (Agg canvas; no pyplot, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def write_map(result: ResultFolder | str | Path, out: str | Path, *, dpi: int = 150,
              **options) -> dict:
    """Render the map of ``result`` into ``out`` (.png, .svg or .pdf); returns ``info``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out = Path(out)
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise ReportError(f"{out}: the map is written as .png, .svg or .pdf")
    if out.parent and not out.parent.is_dir():
        raise ReportError(f"{out.parent}: folder not found")
    fig, info = render_map(result, **options)
    FigureCanvasAgg(fig)
    tmp = out.with_name(f".{out.name}.partial")
    meta = {"pdf": {"Creator": MARKER}, "svg": {"Creator": MARKER}}.get(suffix,
                                                                          {"Software": MARKER})
    try:
        fig.savefig(tmp, format=suffix, dpi=dpi, facecolor="white", metadata=meta)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    info["path"] = out
    return info
