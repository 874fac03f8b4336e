"""Reading requirement trees and requirement mappings from CSV files.

Requirements: header `id,parent,title,text` (any order, optional `assessable` column of
true/false or yes/no; `Reference` may head the `id` column, as Aegis exports it). `parent`
names the id of another row, before or after; empty for top-level rows. Without an
`assessable` column the leaves are assessable and their parents are not. An apostrophe
before a leading `=`, `+`, `-` or `@` (how exports keep spreadsheets from running a
formula) is dropped.

Mappings: header `source_framework,source_id,relationship,target_framework,target_id`.
A framework is named by its key, or `key@version` when several versions are loaded; the
relationship is one of equal, subset, superset, intersect.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from aegis.core.errors import ValidationFailed
from aegis.domains.frameworks.tree import Node, Problems, build_tree, check_size
from aegis.models.enums import MappingRelationship

REQUIREMENT_COLUMNS = ("id", "parent", "title", "text")
MAPPING_COLUMNS = ("source_framework", "source_id", "relationship", "target_framework", "target_id")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})
MAX_MAPPING_ROWS = 50_000
HEADER_NAMES = {"reference": "id"}  # column headings of the export, read as the import's
ESCAPED = ("=", "+", "-", "@", "\t", "\r")  # what an export writes an apostrophe before


@dataclass(frozen=True)
class MappingRow:
    """One line of a mapping file, not yet resolved to requirement ids."""

    row: int
    source_framework: tuple[str, str | None]
    source_ref: str
    relationship: MappingRelationship
    target_framework: tuple[str, str | None]
    target_ref: str


def _column(heading: str) -> str:
    name = heading.strip().lower()
    return HEADER_NAMES.get(name, name)


def _unescaped(cell: str) -> str:
    """The cell without the apostrophe an export put before a formula character."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ESCAPED else cell


def _records(
    content: bytes, required: tuple[str, ...], optional: tuple[str, ...], summary: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as {column: value}, numbered as in a spreadsheet (the header is row 1)."""
    check_size(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{summary}: the file is not UTF-8 text", field="file") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    problems = Problems()
    try:
        header = [_column(name) for name in next(reader, [])]
        missing = [name for name in required if name not in header]
        unknown = [name for name in header if name not in required + optional]
        if not header:
            problems.add("row 1", f"the file is empty; expected the header {','.join(required)}")
        elif missing:
            problems.add("row 1", f"missing column(s): {', '.join(missing)}")
        elif unknown:
            allowed = ", ".join(required + optional)
            problems.add("row 1", f"unknown column(s): {', '.join(unknown)} (allowed: {allowed})")
        elif len(set(header)) != len(header):
            problems.add("row 1", "a column appears twice")
        problems.raise_if_any(summary)
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.add(f"row {number}", f"{len(row)} fields, the header has {len(header)}")
                continue
            yield number, dict(zip(header, map(_unescaped, row), strict=True))
    except csv.Error as exc:
        problems.add("file", f"unreadable CSV ({exc})")
    problems.raise_if_any(summary)


def _flag(value: str) -> bool | None:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    return False if word in FALSE_WORDS else None


def parse_requirements(content: bytes) -> list[Node]:
    """Read a requirements CSV into a checked tree, in pre-order."""
    summary = "Invalid requirements CSV"
    nodes: list[Node] = []
    problems = Problems()
    explicit = False
    for number, record in _records(content, REQUIREMENT_COLUMNS, ("assessable",), summary):
        ref_id = record["id"].strip()
        assessable = True
        if "assessable" in record:
            explicit = True
            flag = _flag(record["assessable"])
            if flag is None:
                problems.add(f"row {number}", "assessable must be true or false")
            assessable = bool(flag)
        nodes.append(
            Node(
                ref_id=ref_id,
                parent_ref=record["parent"].strip() or None,
                title=record["title"].strip() or ref_id,
                text=record["text"].strip(),
                assessable=assessable,
                where=f"row {number}",
            )
        )
    problems.raise_if_any(summary)
    ordered = build_tree(nodes, summary)
    if not explicit:
        for node in ordered:
            node.assessable = not node.children
    return ordered


def framework_ref(value: str) -> tuple[str, str | None]:
    """Split `key@version` into key and version (None when only the key is given)."""
    key, _, version = value.strip().partition("@")
    return key.strip().lower(), version.strip() or None


def parse_mappings(content: bytes) -> list[MappingRow]:
    """Read a mapping CSV; raise ValidationFailed listing the rows in error."""
    summary = "Invalid mappings CSV"
    rows: list[MappingRow] = []
    problems = Problems()
    relationships = ", ".join(r.value for r in MappingRelationship)
    for number, record in _records(content, MAPPING_COLUMNS, (), summary):
        if len(rows) >= MAX_MAPPING_ROWS:
            problems.add(f"row {number}", f"more than {MAX_MAPPING_ROWS} mappings")
            break
        empty = [name for name in MAPPING_COLUMNS if not record[name].strip()]
        if empty:
            problems.add(f"row {number}", f"empty {', '.join(empty)}")
            continue
        try:
            relationship = MappingRelationship(record["relationship"].strip().lower())
        except ValueError:
            problems.add(f"row {number}", f"relationship must be one of {relationships}")
            continue
        rows.append(
            MappingRow(
                row=number,
                source_framework=framework_ref(record["source_framework"]),
                source_ref=record["source_id"].strip(),
                relationship=relationship,
                target_framework=framework_ref(record["target_framework"]),
                target_ref=record["target_id"].strip(),
            )
        )
    problems.raise_if_any(summary)
    if not rows:
        problems.add("file", "there are no mappings")
        problems.raise_if_any(summary)
    return rows
