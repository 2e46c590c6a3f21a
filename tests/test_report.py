"""``siteplan report``: one self-contained HTML file, checked as text and in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from test_map import make_result, three_region_tables

pytest.importorskip("geopandas")

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def two_results(tmp_path_factory):
    """Two tiny results (cheap sites vs expensive fixed costs) with fake boundaries."""
    base = tmp_path_factory.mktemp("report")
    a = make_result(base / "a", three_region_tables(fixed_cost=1000.0), name="tiny-base")
    b = make_result(base / "b", three_region_tables(fixed_cost=1e7), name="tiny-fixed")
    return a, b


def _report(tmp_path, results, *extra) -> tuple[Path, str]:
    from siteplan.cli import main

    (out_a, bfile, data) = results[0]
    html = tmp_path / "report.html"
    args = ["report", *[str(r[0]) for r in results], "-o", str(html),
            "--boundaries", str(bfile), "--dataset", str(data), *extra]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    return html, html.read_text(encoding="utf-8")


def _no_external_references(text: str) -> None:
    attrs = re.findall(r'\b(?:src|href|action|poster|data)\s*=\s*["\']([^"\']*)', text, re.I)
    assert attrs, "expected image sources"
    for value in attrs:
        assert value.startswith(("data:image/png;base64,", "#")), value
    assert not re.search(r"https?://", text), "an http(s) URL in the report"
    assert "<script" not in text.lower()
    assert "<link" not in text.lower() and "@import" not in text and "url(" not in text


def test_single_report_is_self_contained(two_results, tmp_path):
    html, text = _report(tmp_path, two_results[:1])
    _no_external_references(text)
    assert text.count('<img class="map"') == 1
    assert '<table class="regions">' in text and '<table class="sites">' in text
    assert "Comparison" not in text
    for figure in ("Annual cost", "Cost per million tokens", "Electricity", "Green share",
                   "Emissions", "Tokens per kWh", "Sites opened", "Solver status"):
        assert figure in text
    assert "tiny-base" in text


def test_comparison_of_two_results(two_results, tmp_path):
    html, text = _report(tmp_path, two_results)
    _no_external_references(text)
    assert 'id="comparison"' in text
    assert '<table class="compare">' in text and '<table class="compare-regions">' in text
    assert text.count('<img class="map"') == 2
    assert "tiny-base" in text and "tiny-fixed" in text


def test_text_is_escaped(two_results, tmp_path):
    src = two_results[0][0]
    evil = tmp_path / "evil"
    shutil.copytree(src, evil)
    summary = json.loads((evil / "summary.json").read_text())
    summary["scenario"] = "<script>alert(1)</script>"
    summary["description"] = 'a "quoted" <b>bold</b> & more'
    (evil / "summary.json").write_text(json.dumps(summary))
    regions = (evil / "regions.csv").read_text().replace(",A,", ",<img src=x>,")
    (evil / "regions.csv").write_text(regions)
    _, text = _report(tmp_path, [(evil, *two_results[0][1:])])
    assert "<script>" not in text and "<img src=x>" not in text and "<b>bold" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x&gt;" in text


def test_no_map_and_bad_input(two_results, tmp_path):
    from siteplan.cli import main

    _, text = _report(tmp_path, two_results[:1], "--no-map")
    assert '<img class="map"' not in text and '<table class="regions">' in text
    r = CliRunner().invoke(main, ["report", str(tmp_path), "-o", str(tmp_path / "x.html")])
    assert r.exit_code == 2
    assert r.output.strip().startswith("error: ") and len(r.output.strip().splitlines()) == 1


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-extensions", "--disable-default-apps",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="/usr/bin/chromium not installed (apt-get install chromium); the "
                           "headless rendering check needs it")
def test_renders_in_headless_chromium(two_results, tmp_path):
    import numpy as np
    from PIL import Image

    html, _ = _report(tmp_path, two_results)
    url = html.resolve().as_uri()

    dom = _chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    out = dom.stdout
    assert out.count('<img class="map"') == 2
    assert '<table class="regions">' in out and '<table class="compare">' in out
    assert "CONSOLE" not in dom.stderr and "Uncaught" not in dom.stderr, dom.stderr[-2000:]
    # no request leaves the file: every resource is a data: URI
    assert not re.search(r'(?:src|href)="https?:', out)

    png = tmp_path / "shot.png"
    shot = _chromium([f"--screenshot={png}", "--window-size=1200,2000",
                      "--hide-scrollbars", url], tmp_path)
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    img = np.asarray(Image.open(png).convert("RGB"))
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50, "screenshot is blank"
