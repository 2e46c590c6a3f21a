"""Scenario loading: inherits with deep merge, relative dataset paths, --set overrides."""

from __future__ import annotations

import pytest

import siteplan
from siteplan.config.load import deep_merge
from siteplan.errors import ScenarioError


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_inherits_deep_merges_and_resolves_the_parent_dataset(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "data").mkdir()
    _write(tmp_path / "base" / "base.yaml",
           "name: base\ndataset: data\npolicy: {min_green_share: 0.8, utilisation_max: 0.9}\n")
    child = _write(tmp_path / "child.yaml",
                   "name: child\ninherits: base/base.yaml\npolicy: {min_green_share: 0.9}\n")
    sc = siteplan.load_scenario(child)
    assert sc.name == "child"
    assert sc.policy.min_green_share == 0.9 and sc.policy.utilisation_max == 0.9
    assert sc.dataset == (tmp_path / "base" / "data").resolve()


def test_set_overrides_parse_yaml_values(tmp_path):
    path = _write(tmp_path / "s.yaml", "name: s\ndataset: .\n")
    sc = siteplan.load_scenario(path, ["policy.pue_cap={east: 1.25, west: 1.2}",
                                       "solver.threads=2", "policy.single_sourcing=true"])
    assert sc.policy.pue_cap == {"east": 1.25, "west": 1.2}
    assert sc.solver.threads == 2 and sc.policy.single_sourcing is True


def test_inherits_cycle_is_reported(tmp_path):
    _write(tmp_path / "a.yaml", "name: a\ndataset: .\ninherits: b.yaml\n")
    _write(tmp_path / "b.yaml", "name: b\ndataset: .\ninherits: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle a.yaml -> b.yaml -> a.yaml"):
        siteplan.load_scenario(tmp_path / "a.yaml")


def test_deep_merge_replaces_lists_and_merges_maps():
    out = deep_merge({"a": {"x": 1, "y": [1, 2]}, "b": 1}, {"a": {"y": [3]}, "c": 2})
    assert out == {"a": {"x": 1, "y": [3]}, "b": 1, "c": 2}


def test_floor_above_ceiling_is_rejected(tmp_path):
    path = _write(tmp_path / "s.yaml", "name: s\ndataset: .\n"
                  "policy: {utilisation_min: 0.9, utilisation_max: 0.5}\n")
    with pytest.raises(ScenarioError, match="utilisation_min"):
        siteplan.load_scenario(path)
