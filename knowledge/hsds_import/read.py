"""Read an HSDS source from disk: a tabular package (``datapackage.json`` + CSV) or a JSON file.

Reading only turns files into :class:`Bundle` rows and reports file-level problems (missing
file, bad JSON or CSV, missing required column, non-UTF-8 text); typing and references are
checked later, in :mod:`knowledge.hsds_import.check`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from knowledge.hsds_common import (
    IGNORED_TABLES,
    SPECS,
    TABLES,
    Bundle,
    ImportFailed,
    Problem,
    Row,
    blank,
)
from knowledge.hsds_import.flatten import bundle_from_json


def read_source(path: Path) -> Bundle:
    """Read a package folder, a ``datapackage.json``, or a JSON document into rows."""
    path = Path(path)
    if path.is_dir():
        return read_package(path)
    if path.name == "datapackage.json":
        return read_package(path.parent)
    if not path.exists():
        raise ImportFailed([Problem(str(path), None, None, "no such file or folder")])
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [Problem(path.name, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None
    except UnicodeDecodeError:
        raise ImportFailed([Problem(path.name, None, None, "not UTF-8 text")]) from None
    return bundle_from_json(document, path.name)


def read_package(folder: Path) -> Bundle:
    """Rows of every CSV file of an HSDS tabular package."""
    descriptor = folder / "datapackage.json"
    paths = _resource_paths(descriptor)
    if not descriptor.exists() and not any((folder / p).exists() for p in paths.values()):
        raise ImportFailed([Problem(str(folder), None, None, "no datapackage.json or HSDS CSV file")])
    problems: list[Problem] = []
    bundle = Bundle()
    for name, relative in paths.items():
        file = folder / relative
        if not file.exists():
            continue
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(relative, None, None, "not UTF-8 text"))
            continue
        _read_table(bundle, name, relative, text, problems)
    if problems:
        raise ImportFailed(problems)
    return bundle


def _resource_paths(descriptor: Path) -> dict[str, str]:
    """The CSV file of each table: the HSDS defaults, overridden by ``datapackage.json``."""
    problems: list[Problem] = []
    paths = {spec.name: spec.path for spec in TABLES} | dict(IGNORED_TABLES)
    if descriptor.exists():
        try:
            package = json.loads(descriptor.read_text(encoding="utf-8-sig"))
            for resource in package.get("resources", []):
                if isinstance(resource, dict) and resource.get("name") and resource.get("path"):
                    if "\x00" in str(resource["path"]):
                        problems.append(Problem("datapackage.json", None, "path",
                                                "contains a NUL character (U+0000); remove it"))
                        continue
                    paths[str(resource["name"])] = str(resource["path"])
        except (json.JSONDecodeError, AttributeError) as exc:
            raise ImportFailed(
                [Problem("datapackage.json", None, None, f"not a valid data package: {exc}")]
            ) from None
    if problems:
        raise ImportFailed(problems)
    return paths


def _read_table(bundle: Bundle, name: str, relative: str, text: str,
                problems: list[Problem]) -> None:
    """Add the rows of one CSV file to ``bundle`` (only counted if Relais does not keep it)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if name not in SPECS:
        bundle.skipped[relative] = sum(1 for _ in reader)
        return
    spec = SPECS[name]
    missing = [c for c in spec.required if c not in header]
    for column in missing:
        problems.append(Problem(relative, 1, column, "required column is missing"))
    if missing:
        return
    try:
        for record in reader:
            if None in record:
                problems.append(Problem(relative, reader.line_num, None,
                                        "more cells than columns"))
                continue
            if all(blank(v) for v in record.values()):
                continue
            data = {k: v for k, v in record.items() if k in spec.fields}
            bundle.add(Row(name, data, relative, reader.line_num), problems)
    except csv.Error as exc:
        problems.append(Problem(relative, reader.line_num, None, f"not valid CSV: {exc}"))
