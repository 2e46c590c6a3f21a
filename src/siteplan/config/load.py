"""Load a scenario: safe YAML, ``inherits:`` with deep merge, ``--set`` overrides, validation."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from siteplan.config.schema import Scenario
from siteplan.errors import ScenarioError


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read ``path`` (YAML), resolve ``inherits:``, apply ``KEY=VALUE`` overrides, validate."""
    path = Path(path).resolve()
    raw = _read_with_parents(path, chain=())
    for item in overrides:
        _apply_override(raw, item, path)
    raw["source"] = str(path)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_describe(exc, path)) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError(f"{path}: scenario file not found")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}{where}: invalid YAML: {problem}") from None
    if data is None:
        raise ScenarioError(f"{path}: empty scenario file; expected a mapping with name, dataset")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping at top level, got {type(data).__name__}")
    return data


def _read_with_parents(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(f"{chain[-1]}: inherits: cycle {cycle}")
    data = _read_yaml(path)
    if "dataset" in data and isinstance(data["dataset"], str):
        data["dataset"] = str((path.parent / data["dataset"]).resolve())
    parent = data.pop("inherits", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: key 'inherits': expected a file name, got {parent!r}")
    base = _read_with_parents((path.parent / parent).resolve(), (*chain, path))
    return deep_merge(base, data)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists, scalars) in ``over`` replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _apply_override(raw: dict[str, Any], item: str, path: Path) -> None:
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise ScenarioError(f"--set {item!r}: expected KEY=VALUE, e.g. policy.min_green_share=0.9")
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        raise ScenarioError(f"--set {item!r}: value is not valid YAML") from None
    parts = key.strip().split(".")
    node = raw
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ScenarioError(f"--set {item!r}: '{part}' is not a section")
        node = child
    if parts[0] == "dataset" and isinstance(value, str):
        value = str((Path.cwd() / value).resolve())
    node[parts[-1]] = value


def _describe(exc: ValidationError, path: Path) -> str:
    """One line per problem: file, dotted key, what was found, what is expected."""
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            hint = _did_you_mean(loc)
            lines.append(f"{path}: unknown key '{key}'{hint}")
        elif err["type"] == "missing":
            lines.append(f"{path}: missing required key '{key}'")
        else:
            found = err.get("input")
            shown = repr(found) if not isinstance(found, dict) else "a mapping"
            lines.append(f"{path}: key '{key}': {err['msg']} (got {shown})")
    return "; ".join(lines)


def _did_you_mean(loc: list[str]) -> str:
    model: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        field = model.model_fields.get(part) if model else None
        ann = field.annotation if field else None
        model = _model_in(ann)
    if model is None:
        return ""
    close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1, cutoff=0.5)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; expected one of: {', '.join(sorted(model.model_fields))}"


def _model_in(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None
