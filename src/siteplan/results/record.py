"""The record that makes a result folder complete: what was solved, on which data, by which code.

``siteplan run`` (and every study) writes three files beside the tables:

* ``scenario.yaml``: the resolved scenario (after ``inherits:`` and ``--set``), loadable again
  with ``siteplan run``;
* ``record.json``: the siteplan version, the ``--set`` overrides, the scenario file, a SHA-256
  of the scenario (every key but ``source`` and ``dataset``) and of the dataset files (each
  file's hash too), and the workloads' latency limits;
* ``places.csv``: one row per region and per location: kind, id, name, region, zone, lat, lon.

Readers (map, report, compare, sweep) take coordinates, zones and network settings from here,
never from the dataset folder; a cached result is re-used only when its hashes match.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

RECORD_FILE = "record.json"
SCENARIO_FILE = "scenario.yaml"
PLACES_FILE = "places.csv"
RECORD_FILES = (RECORD_FILE, SCENARIO_FILE, PLACES_FILE)
PLACE_COLUMNS = ("kind", "id", "name", "region", "zone", "lat", "lon")
_HASH_SKIP = ("source", "dataset")  # paths: where the files are, not what they hold


def siteplan_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("siteplan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "unknown"


@dataclass
class Record:
    """What a result was solved from (see the module docstring)."""

    scenario: dict[str, Any]
    scenario_sha256: str
    dataset_sha256: str
    dataset_files: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256
    overrides: list[str] = field(default_factory=list)
    scenario_file: str | None = None
    version: str = ""
    written_by: str = "run"  # "run", "compare" (its cache) or "sweep"
    workloads: list[dict] = field(default_factory=list)  # workload, name, latency_ms
    places: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLACE_COLUMNS))

    def header(self) -> dict[str, Any]:
        """record.json (everything but the scenario and the places)."""
        return {"siteplan_version": self.version, "written_by": self.written_by,
                "scenario_file": self.scenario_file, "overrides": list(self.overrides),
                "scenario_sha256": self.scenario_sha256,
                "dataset_sha256": self.dataset_sha256, "dataset_files": self.dataset_files,
                "workloads": self.workloads}

    def network(self) -> tuple[float, float]:
        """(overhead_ms, route_factor) of the scenario's distance model."""
        from siteplan.config.schema import Network

        net = {**Network().model_dump(), **(self.scenario.get("network") or {})}
        return float(net["overhead_ms"]), float(net["route_factor"])


# --- hashes -----------------------------------------------------------------------------


def scenario_dict(scenario) -> dict[str, Any]:
    """The resolved scenario as plain JSON data, without the loader's ``source``."""
    data = scenario.model_dump(mode="json")
    data.pop("source", None)
    return data


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys (``policy.pue_cap.east``); lists and scalars are leaves."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        if not data and prefix:
            out[prefix] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    else:
        out[prefix] = data
    return out


def overrides_of(scenario) -> list[str]:
    """The ``--set`` items the scenario was loaded with, in the order given."""
    seen: list[str] = []
    for label in (getattr(scenario, "_origin", None) or {}).values():
        if str(label).startswith("--set ") and label[6:] not in seen:
            seen.append(label[6:])
    return seen


def scenario_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the resolved scenario's keys and values (paths left out)."""
    keep = {k: v for k, v in data.items() if k not in _HASH_SKIP}
    text = json.dumps(keep, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dataset_hash(folder: str | Path) -> tuple[str, dict[str, str]]:
    """(SHA-256 over the dataset's files, each file's SHA-256): the files the loader reads."""
    from siteplan.inputs.registry import TABLES

    folder = Path(folder)
    files = {}
    for table in TABLES.values():
        path = folder / table.file
        if path.is_file():
            files[table.file] = hashlib.sha256(path.read_bytes()).hexdigest()
    text = "\n".join(f"{name} {digest}" for name, digest in sorted(files.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), files


# --- making -----------------------------------------------------------------------------


def make_record(scenario, dataset: tuple[str, dict[str, str]] | None = None,
                places: bool = True) -> Record:
    """The record of ``scenario`` (a loaded Scenario) and its dataset as they are now.

    ``dataset``: its :func:`dataset_hash`, when the caller already has it; ``places``: False
    leaves out places and workloads (enough to check a cache).
    """
    data = scenario_dict(scenario)
    folder = Path(scenario.dataset)
    digest, files = dataset if dataset is not None else dataset_hash(folder)
    rec = Record(scenario=data, scenario_sha256=scenario_hash(data), dataset_sha256=digest,
                 dataset_files=files, overrides=overrides_of(scenario),
                 scenario_file=str(scenario.source) if scenario.source else None,
                 version=siteplan_version())
    if places:
        rec.workloads, rec.places = _workloads(folder, scenario), places_table(folder)
    return rec


def hashes(record: Record) -> dict[str, str]:
    """What a cache check compares (also written into a failed run's error.json)."""
    return {"siteplan_version": record.version, "scenario_sha256": record.scenario_sha256,
            "dataset_sha256": record.dataset_sha256}


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    if not path.is_file():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)


def places_table(folder: str | Path) -> pd.DataFrame:
    """Regions and locations of a (checked) dataset: kind, id, name, region, zone, lat, lon."""
    folder = Path(folder)
    regions, locations = _read(folder, "regions"), _read(folder, "locations")
    rows = []
    zone_of = {}
    for r in regions.to_dict("records"):
        rid = r["region"].strip()
        zone_of[rid] = r.get("zone", "").strip()
        rows.append(("region", rid, r.get("name", "").strip(), rid, zone_of[rid],
                     r.get("lat"), r.get("lon")))
    for loc in locations.to_dict("records"):
        region = loc.get("region", "").strip()
        zone = (loc.get("zone") or "").strip() or zone_of.get(region, "")
        rows.append(("location", loc["location"].strip(), loc.get("name", "").strip(), region,
                     zone, loc.get("lat"), loc.get("lon")))
    df = pd.DataFrame(rows, columns=list(PLACE_COLUMNS))
    for col in ("lat", "lon"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def _workloads(folder: Path, scenario=None) -> list[dict]:
    """Each class's id, name and latency limit (workloads.csv, then the scenario's
    ``workloads.<class>`` settings)."""
    df = _read(folder, "workloads")
    settings = getattr(scenario, "workloads", None) or {}
    out = []
    for w in df.to_dict("records"):
        text = (w.get("latency_ms") or "").strip()
        row = {"workload": w["workload"].strip(), "name": (w.get("name") or "").strip(),
               "latency_ms": float(text) if text else None}
        given = settings[row["workload"]].settings() if row["workload"] in settings else {}
        row.update({k: v for k, v in given.items() if k in row})
        out.append(row)
    return out


# --- writing and reading ----------------------------------------------------------------


def record_texts(record: Record) -> dict[str, str]:
    """File name -> text of the record's three files (deterministic)."""
    head = (f"# The resolved scenario of this result (inherits and --set applied), written by "
            f"siteplan {record.version}.\n")
    if record.overrides:
        head += "# --set " + " --set ".join(record.overrides) + "\n"
    from siteplan.safe_output import spreadsheet_safe_frame

    places = spreadsheet_safe_frame(record.places.reindex(columns=list(PLACE_COLUMNS)))
    return {
        SCENARIO_FILE: head + yaml.safe_dump(record.scenario, sort_keys=False,
                                             allow_unicode=True),
        RECORD_FILE: json.dumps(record.header(), indent=2) + "\n",
        PLACES_FILE: places.to_csv(index=False, lineterminator="\n", float_format="%.6f"),
    }


class RecordError(ValueError):
    """A record file that cannot be read (the message names the file)."""


def read_record(folder: str | Path) -> Record | None:
    """The record of a result folder; None for a folder written before records existed."""
    folder = Path(folder)
    if not (folder / RECORD_FILE).is_file():
        return None
    try:
        head = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
        scenario = yaml.safe_load((folder / SCENARIO_FILE).read_text(encoding="utf-8"))
        places = pd.read_csv(folder / PLACES_FILE, dtype={"id": str, "region": str,
                                                          "zone": str, "name": str},
                             keep_default_na=False, na_values={"lat": [""], "lon": [""]})
    except FileNotFoundError as exc:
        raise RecordError(f"{folder}: record incomplete ({Path(exc.filename).name} missing)") \
            from None
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise RecordError(f"{folder}: record cannot be read ({' '.join(str(exc).split())})") \
            from None
    if not isinstance(head, dict) or not isinstance(scenario, dict):
        raise RecordError(f"{folder}: {RECORD_FILE} or {SCENARIO_FILE} is not a mapping")
    return Record(scenario=scenario, scenario_sha256=str(head.get("scenario_sha256", "")),
                  dataset_sha256=str(head.get("dataset_sha256", "")),
                  dataset_files=dict(head.get("dataset_files") or {}),
                  overrides=list(head.get("overrides") or []),
                  scenario_file=head.get("scenario_file"),
                  version=str(head.get("siteplan_version", "")),
                  written_by=str(head.get("written_by", "run")),
                  workloads=list(head.get("workloads") or []), places=places)


# --- re-use -----------------------------------------------------------------------------


def stale_reason(have: Record | None, want: Record) -> str | None:
    """Why a cached result with record ``have`` is not the answer for ``want`` (None: it is)."""
    if have is None:
        return "it has no record of its inputs (written by an older siteplan)"
    if have.version != want.version:
        return f"it was solved by siteplan {have.version}, this is {want.version}"
    if have.scenario_sha256 != want.scenario_sha256:
        return "its scenario differs: " + scenario_diff(have.scenario, want.scenario)
    if have.dataset_sha256 != want.dataset_sha256:
        changed = sorted(set(have.dataset_files.items()) ^ set(want.dataset_files.items()))
        names = sorted({name for name, _ in changed})
        return "its dataset files differ: " + (", ".join(names[:4]) or "(hash)") + \
            (" ..." if len(names) > 4 else "")
    return None


def scenario_diff(have: dict, want: dict, limit: int = 3) -> str:
    """``key: cached -> wanted`` for the first keys that differ (paths left out)."""
    a = {k: v for k, v in flatten(have).items() if k.split(".")[0] not in _HASH_SKIP}
    b = {k: v for k, v in flatten(want).items() if k.split(".")[0] not in _HASH_SKIP}
    keys = [k for k in dict.fromkeys([*b, *a]) if a.get(k, "(not set)") != b.get(k, "(not set)")]
    parts = [f"{k} {a.get(k, '(not set)')} there, {b.get(k, '(not set)')} here"
             for k in keys[:limit]]
    more = len(keys) - limit
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
