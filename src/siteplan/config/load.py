"""Load a scenario: safe YAML, ``inherits:`` with deep merge, ``--set`` overrides, validation.

Every problem is collected and reported at once, one line each, naming where it is: the
file and line of the key (or the ``--set`` item it came from), what was found and what is
expected. YAML is read with PyYAML's safe loader only (no tags that construct objects, so
nothing in a scenario is ever executed); duplicated keys are rejected.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from siteplan.config.safe_yaml import MAX_BYTES, LimitedLoader, check_expansion
from siteplan.config.schema import Scenario
from siteplan.errors import ScenarioError

INTERNAL_KEYS = ("source",)  # set by the loader, never by a scenario file


@dataclass
class _Origin:
    """Where each dotted key was set: a file (and line) or a --set item."""

    where: dict[str, str] = field(default_factory=dict)

    def record(self, dotted: str, label: str, replaces_children: bool = True) -> None:
        # a value set again (child file, --set) replaces the origin of it and of its children;
        # a mapping merges with the parent's, so its children keep their own origins
        if replaces_children:
            for key in [k for k in self.where if k.startswith(dotted + ".")]:
                del self.where[key]
        self.where[dotted] = label

    def of(self, dotted: str, default: str) -> str:
        parts = dotted.split(".")
        for n in range(len(parts), 0, -1):
            label = self.where.get(".".join(parts[:n]))
            if label is not None:
                return label
        return default


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read ``path`` (YAML), resolve ``inherits:``, apply ``KEY=VALUE`` overrides, validate.

    Raises :class:`ScenarioError` listing every problem (``.problems``); its ``.dataset`` is
    the dataset folder named by the scenario when that could be determined.
    """
    path = Path(path).resolve()
    problems: list[str] = []
    origin = _Origin()
    raw = _read_with_parents(path, (), problems, origin)
    if raw is None:
        raise ScenarioError(problems)
    for key in INTERNAL_KEYS:
        if key in raw:
            problems.append(f"{origin.of(key, str(path))}: unknown key '{key}' "
                            "(set by siteplan itself, not by a scenario)")
            raw.pop(key)
    for item in overrides:
        _apply_override(raw, item, problems, origin)
    raw["source"] = str(path)
    dataset = raw.get("dataset")
    dataset = Path(dataset) if isinstance(dataset, str) and dataset.strip() else None
    scenario = None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems += _describe(exc, path, origin)
    if dataset is not None:
        where = origin.of("dataset", str(path))
        if not dataset.exists():
            problems.append(f"{where}: key 'dataset': folder {dataset} not found; expected the "
                            "dataset folder (relative to the scenario file)")
            dataset = None
        elif not dataset.is_dir():
            problems.append(f"{where}: key 'dataset': {dataset} is a file; expected a folder "
                            "of CSV files")
            dataset = None
    if problems or scenario is None:
        raise ScenarioError(problems or [f"{path}: invalid scenario"], dataset=dataset)
    scenario._origin.update(origin.where)
    return scenario


class _Loader(LimitedLoader):
    """PyYAML's safe loader with limits (:mod:`.safe_yaml`); the node tree is kept to find
    key lines and duplicated keys."""


def _read_yaml(path: Path, problems: list[str], origin: _Origin) -> dict[str, Any] | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            problems.append(f"{path}: scenario file is {path.stat().st_size:,} bytes; expected "
                            f"at most {MAX_BYTES:,} (a scenario is a few kB of keys)")
            return None
        data_bytes = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path}: cannot read the scenario file ({exc.strerror})")
        return None
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data_bytes[: exc.start].count(b"\n") + 1
        byte = data_bytes[exc.start]
        problems.append(f"{path}, line {line}: not UTF-8 text (invalid byte 0x{byte:02x} at "
                        f"offset {exc.start}); save the file as UTF-8")
        return None
    loader = None
    try:
        loader = _Loader(text)  # checks for control characters at once
        node = loader.get_single_node()
        if node is None:
            problems.append(f"{path}: empty scenario file; expected a mapping with at least "
                            "'name' and 'dataset'")
            return None
        check_expansion(node)  # before anything walks the tree
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        problems.append(f"{path}{_yaml_where(exc, text)}: invalid YAML: {_yaml_problem(exc)}")
        return None
    except RecursionError:
        problems.append(f"{path}: invalid YAML: nested too deeply; expected a plain scenario")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        problems.append(f"{path}, line {node.start_mark.line + 1}: expected a mapping of keys "
                        f"(name, dataset, policy, ...) at top level, got {type(data).__name__}")
        return None
    _walk_keys(node, "", path, problems, origin)
    return data


def _yaml_where(exc: yaml.YAMLError, text: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f", line {mark.line + 1}"
    position = getattr(exc, "position", None)  # a ReaderError: a character offset
    if isinstance(position, int):
        return f", line {text.count(chr(10), 0, position) + 1}"
    return ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int | str):
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return (f"control character U+{code:04X} is not allowed; expected printable text "
                "(write it as an escape such as \\x07 in a double-quoted string)")
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "constructor for the tag" in problem:
        problem += " (only plain YAML is allowed: no !! tags)"
    return problem


def _walk_keys(node: yaml.Node, prefix: str, path: Path, problems: list[str],
               origin: _Origin) -> None:
    """Record the line of every key; report keys given twice in one mapping."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        dotted = f"{prefix}{key}"
        if key in seen:
            problems.append(f"{path}, line {line}: key '{dotted}' given twice (first at line "
                            f"{seen[key]}); expected each key once")
        seen.setdefault(key, line)
        origin.record(dotted, f"{path}, line {line}",
                      replaces_children=not isinstance(value_node, yaml.MappingNode))
        _walk_keys(value_node, dotted + ".", path, problems, origin)


def _read_with_parents(path: Path, chain: tuple[Path, ...], problems: list[str],
                       origin: _Origin) -> dict[str, Any] | None:
    child_origin = _Origin()
    data = _read_yaml(path, problems, child_origin)
    if data is None:
        return None
    if "dataset" in data and isinstance(data["dataset"], str) and data["dataset"].strip():
        data["dataset"] = str((path.parent / data["dataset"]).resolve())
    parent = data.pop("inherits", None)
    where = child_origin.of("inherits", str(path))
    child_origin.where.pop("inherits", None)
    base: dict[str, Any] = {}
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            problems.append(f"{where}: key 'inherits': expected the file name of a parent "
                            f"scenario, got {parent!r}")
        else:
            parent_path = (path.parent / parent).resolve()
            if parent_path in (*chain, path):
                cycle = " -> ".join(p.name for p in (*chain, path, parent_path))
                problems.append(f"{where}: key 'inherits': cycle {cycle}; a scenario cannot "
                                "inherit from itself")
            elif not parent_path.is_file():
                problems.append(f"{where}: key 'inherits': parent scenario {parent!r} not found "
                                f"({parent_path})")
            else:
                got = _read_with_parents(parent_path, (*chain, path), problems, origin)
                if got is None:
                    return None
                base = got
    for dotted, label in child_origin.where.items():
        origin.record(dotted, label, replaces_children=not any(
            k.startswith(dotted + ".") for k in child_origin.where))
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


def _apply_override(raw: dict[str, Any], item: str, problems: list[str], origin: _Origin) -> None:
    key, sep, text = item.partition("=")
    key = key.strip()
    label = f"--set {item}"
    if not sep or not key:
        problems.append(f"{label}: expected KEY=VALUE, e.g. policy.min_green_share=0.9")
        return
    parts = key.split(".")
    if any(not p.strip() for p in parts):
        problems.append(f"{label}: key {key!r} has an empty part; expected dotted keys such as "
                        "policy.min_green_share")
        return
    try:
        value = _load_value(text) if text.strip() else None
    except yaml.YAMLError as exc:
        problems.append(f"{label}: value is not valid YAML ({_yaml_problem(exc)})")
        return
    except RecursionError:
        problems.append(f"{label}: value is nested too deeply")
        return
    node = raw
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            section = ".".join(parts[: i + 1])
            problems.append(f"{label}: '{section}' is a value, not a section; it has no key "
                            f"'{parts[i + 1]}'")
            return
        node = child
    if parts[0] in INTERNAL_KEYS:
        problems.append(f"{label}: unknown key '{key}' (set by siteplan itself)")
        return
    if key == "dataset" and isinstance(value, str) and value.strip():
        value = str((Path.cwd() / value).resolve())
    node[parts[-1]] = value
    origin.record(key, label)


def _load_value(text: str) -> Any:
    """A --set value, with the same limits as a scenario file."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_expansion(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _describe(exc: ValidationError, path: Path, origin: _Origin) -> list[str]:
    """One line per problem: file (and line) or --set item, dotted key, found, expected."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # pydantic adds the validator kind (e.g. "function-before[...]") to some locations
        loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p and "]" in p))
        key = _dotted(loc) or "(top level)"
        plain = ".".join(str(p) for p in loc)
        where = origin.of(plain, str(path))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key '{key}'{_did_you_mean(list(map(str, loc)))}")
        elif err["type"] == "missing":
            lines.append(f"{where}: missing required key '{key}'")
        elif not loc:
            lines.append(f"{where}: {msg}")
        elif err["type"] == "value_error":  # our validators name what they found
            lines.append(f"{where}: key '{key}': {msg}")
        else:
            found = err.get("input")
            if isinstance(found, dict):
                shown = "a mapping"
            elif isinstance(found, list):
                shown = "a list"
            else:
                shown = repr(found)
            lines.append(f"{where}: key '{key}': {msg} (got {shown})")
    return lines


def _did_you_mean(loc: list[str]) -> str:
    model: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        field_ = model.model_fields.get(part) if model else None
        ann = field_.annotation if field_ else None
        model = _model_in(ann)
    if model is None:
        return ""
    names = sorted(n for n in model.model_fields if not (model is Scenario and n in INTERNAL_KEYS))
    close = difflib.get_close_matches(loc[-1], names, n=1, cutoff=0.5)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; expected one of: {', '.join(names)}"


def _model_in(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None
