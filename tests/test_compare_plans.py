"""`siteplan compare` and the report show units by chip, margin (total, by class, by region)
and IT capacity by kind of site (issue #16).

Tiny instance (tiny_tables): a latency budget of 5 ms keeps each region on its own location;
la is a `metro` site, lb an `edge` site. Hardware 8,760 CNY per unit of 1 MW-IT, lifetime 1 y,
no discounting: 1 CNY/Mtok on top of energy, so a's tokens cost 100 + 1 = 101 CNY/Mtok and b's
50 + 1 = 51.
- cost run: both regions served: 1 MW at la, 1 MW at lb; cost 8760 x (101 + 51) = 1,331,520.
- margin run: chat pays 120/Mtok everywhere but in b, whose own row says 40 < 51: a served,
  b not. 1 MW at la, none at lb; cost 8760 x 101 = 884,760; revenue 8760 x 120 = 1,051,200;
  margin 166,440 (all in region a, all of class chat).
"""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from builders import tiny_tables, write_scenario
from siteplan.cli import main
from siteplan.report.html import build_report
from siteplan.study.compare import compare

H = 8760.0


def _tables():
    t = tiny_tables()
    t["workloads"][0]["latency_ms"] = 5.0
    t["locations"][0]["kind"] = "metro"
    t["locations"][1]["kind"] = "edge"
    t["hardware"][0]["capex_per_unit"] = H
    t["token_value"] = [
        {"workload": "chat", "tier": "list", "share": 1.0, "price_per_mtok": 120.0},
        {"workload": "chat", "tier": "list", "region": "b", "share": 1.0,
         "price_per_mtok": 40.0}]
    return t


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("plans")
    runner = CliRunner()
    folders = []
    for name, keys in (("cost", {}), ("margin", {"objective": "margin"})):
        path = write_scenario(root / name, _tables(), name=name, finance__discount_rate=0.0,
                              **keys)
        out = root / f"out-{name}"
        r = runner.invoke(main, ["run", str(path), "-o", str(out), "-q"])
        assert r.exit_code == 0, r.output
        folders.append(out)
    return root, folders


def test_compare_shows_chips_margin_and_site_types(runs):
    _, folders = runs
    cmp = compare(folders, cache=None)
    t = cmp.totals
    assert t.loc["cost", "cost"] == pytest.approx(H * 152)
    assert t.loc["units_gpu", "cost"] == pytest.approx(2.0)
    assert t.loc["units_gpu", "margin"] == pytest.approx(1.0)
    assert t.loc["site_type_mw_it_metro", "cost"] == pytest.approx(1.0)
    assert t.loc["site_type_mw_it_edge", "cost"] == pytest.approx(1.0)
    assert t.loc["site_type_mw_it_metro", "margin"] == pytest.approx(1.0)
    assert t.loc["site_type_mw_it_edge", "margin"] == pytest.approx(0.0, abs=1e-6)
    assert math.isnan(t.loc["margin", "cost"])
    assert t.loc["margin", "margin"] == pytest.approx(166_440)
    assert t.loc["margin_chat", "margin"] == pytest.approx(166_440)
    assert t.loc["revenue", "margin"] == pytest.approx(H * 120)
    reg = cmp.regions.xs("margin", level="metric")
    assert reg.loc["a", "margin"] == pytest.approx(166_440)
    assert reg.loc["b", "margin"] == pytest.approx(0.0, abs=1e-6)
    text = cmp.text()
    for words in ("accelerators, gpu", "IT capacity, edge sites", "margin, chat",
                  "By region: margin"):
        assert words in text, text
    long = cmp.long.set_index(["scenario", "scope", "metric"])["value"]
    assert long[("margin", "total", "site_type_mw_it_edge")] == pytest.approx(0.0, abs=1e-6)


def test_report_aligns_figures_by_label_and_shows_site_types(runs):
    _, folders = runs
    html = build_report(folders, maps=False)
    assert "Site type" in html and ">edge<" in html
    # the margin run has figures the cost run has not: each row is one figure for both
    def row(label: str) -> list[str]:
        text = html[html.index(f">{label}<"):]
        text = text[:text.index("</tr>")]
        return [c.split("<")[0] for c in text.split('class="num">')[1:]]

    assert row("Margin per Mtok") == ["–", "19.0000 CNY/Mtok"]  # 166,440 / 8,760 Mtok
    assert row("Margin, chat")[0] == "–"
    assert row("IT capacity, edge sites") == ["1 MW IT", "0 MW IT"]
    assert row("Accelerators, gpu") == ["2 units", "1 units"]
    assert row("Solver status") == ["optimal, gap 0.000%", "optimal, gap 0.000%"]
