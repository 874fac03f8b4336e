"""Updating a framework in place from a new edition of its file: what changes, then the change.

Requirements are matched by identifier (ignoring case). New ones are added, changed ones are
updated, and those gone from the file are removed, except those something still uses
(controls, evidence, assessment results, mappings): they are kept and reported, with the
groups that hold them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import Conflict
from aegis.domains.common.changes import record
from aegis.domains.frameworks import references
from aegis.domains.frameworks import repository as repo
from aegis.domains.frameworks.formats import read_import
from aegis.domains.frameworks.labels import requirement_title
from aegis.domains.frameworks.reading import visible_framework
from aegis.domains.frameworks.schemas import (
    CatalogDiff,
    CatalogEntry,
    ImportFormat,
    RequirementUsage,
)
from aegis.domains.frameworks.tree import Node, by_depth
from aegis.models import Framework, Requirement

CHUNK = 500


@dataclass
class _Plan:
    """The rows to insert, update and delete, and the diff shown for them."""

    total: int = 0
    added: list[Node] = field(default_factory=list)
    updates: list[tuple[Row[Any], Node]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    diff: dict[str, list[CatalogEntry]] = field(
        default_factory=lambda: {"added": [], "changed": [], "removed": [], "kept": []}
    )


def _entry(row: Row[Any], **extra: Any) -> CatalogEntry:
    return CatalogEntry(
        ref_id=row.ref_id, title=requirement_title(row.ref_id, row.title, row.text), **extra
    )


def _changes(row: Row[Any], node: Node, parent_ref: str | None) -> list[str]:
    """What differs between a stored requirement and its line in the file, in words."""
    new_parent = node.parent_ref.casefold() if node.parent_ref else None
    checks = (
        ("identifier", row.ref_id != node.ref_id),
        ("title", row.title != node.title),
        ("text", row.text != node.text),
        ("parent", parent_ref != new_parent),
        ("assessed", row.assessable != node.assessable),
    )
    return [name for name, differs in checks if differs]


def _kept(
    removed: list[Row[Any]], by_id: dict[int, Row[Any]], usage: dict[int, RequirementUsage]
) -> dict[int, RequirementUsage]:
    """Removed requirements still in use, and the removed groups above them, with their usage."""
    removed_ids = {row.id for row in removed}
    kept = {rid for rid in removed_ids if rid in usage and usage[rid].in_use}
    for rid in list(kept):
        parent = by_id[rid].parent_id
        while parent in removed_ids and parent not in kept:
            kept.add(parent)
            parent = by_id[parent].parent_id
    children = Counter(by_id[rid].parent_id for rid in kept)
    return {
        rid: usage.get(rid, RequirementUsage()).model_copy(update={"children": children[rid]})
        for rid in kept
    }


def _plan(session: Session, framework_id: int, nodes: list[Node]) -> _Plan:
    """Compare a framework's requirements with a file's (three queries at most)."""
    rows = repo.requirement_rows(session, framework_id)
    by_id = {row.id: row for row in rows}
    by_ref = {row.ref_id.casefold(): row for row in rows}
    plan = _Plan(total=len(rows))
    for node in nodes:
        row = by_ref.get(node.ref_id.casefold())
        if row is None:
            plan.added.append(node)
            plan.diff["added"].append(CatalogEntry(ref_id=node.ref_id, title=node.title))
            continue
        parent = by_id.get(row.parent_id) if row.parent_id is not None else None
        changes = _changes(row, node, parent.ref_id.casefold() if parent else None)
        if changes or row.position != node.position:
            plan.updates.append((row, node))
        if changes:
            entry = CatalogEntry(ref_id=node.ref_id, title=node.title, changes=changes)
            plan.diff["changed"].append(entry)
    in_file = {node.ref_id.casefold() for node in nodes}
    removed = [row for row in rows if row.ref_id.casefold() not in in_file]
    usage = (
        references.requirement_usage(session, references.of_framework(framework_id))
        if removed
        else {}
    )
    kept = _kept(removed, by_id, usage)
    for row in sorted(removed, key=lambda r: (r.position, r.id)):
        if row.id in kept:
            plan.diff["kept"].append(_entry(row, usage=kept[row.id]))
        else:
            plan.deleted.append(row.id)
            plan.diff["removed"].append(_entry(row))
    return plan


def _apply(session: Session, framework_id: int, plan: _Plan) -> None:
    """Insert level by level, then update (parents may be new), then delete what is gone."""
    ids = {ref.casefold(): rid for ref, rid in repo.ref_ids(session, framework_id).items()}
    levels = by_depth(plan.added)
    for number, level in enumerate(levels, start=1):
        rows = [
            {
                "framework_id": framework_id,
                "parent_id": ids[node.parent_ref.casefold()] if node.parent_ref else None,
                "ref_id": node.ref_id,
                "title": node.title,
                "text": node.text,
                "assessable": node.assessable,
                "position": node.position,
            }
            for node in level
        ]
        session.execute(insert(Requirement), rows)
        if number < len(levels) or plan.updates:
            ids = {ref.casefold(): rid for ref, rid in repo.ref_ids(session, framework_id).items()}
    if plan.updates:
        changes = [
            {
                "id": row.id,
                "parent_id": ids[node.parent_ref.casefold()] if node.parent_ref else None,
                "ref_id": node.ref_id,
                "title": node.title,
                "text": node.text,
                "assessable": node.assessable,
                "position": node.position,
            }
            for row, node in plan.updates
        ]
        session.execute(update(Requirement), changes)
    for start in range(0, len(plan.deleted), CHUNK):
        chunk = plan.deleted[start : start + CHUNK]
        session.execute(
            delete(Requirement).where(Requirement.id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )


def _diff(framework_id: int, plan: _Plan, *, applied: bool) -> CatalogDiff:
    return CatalogDiff(framework_id=framework_id, applied=applied, **plan.diff)


def _writable(session: Session, principal: Principal | None, framework_id: int) -> Framework:
    framework = visible_framework(session, principal, framework_id)
    if principal is not None:
        principal.require_write(framework.unit_id)
    return framework


def preview_update(
    *,
    session: Session,
    principal: Principal | None,
    framework_id: int,
    content: bytes,
    filename: str,
    format: ImportFormat | None = None,
) -> CatalogDiff:
    """What updating a framework from this file would add, change, remove and keep."""
    framework = _writable(session, principal, framework_id)
    read = read_import(content, filename, format)
    return _diff(framework.id, _plan(session, framework.id, read.nodes), applied=False)


def update_from_file(
    *,
    session: Session,
    principal: Principal | None,
    framework_id: int,
    content: bytes,
    filename: str,
    format: ImportFormat | None = None,
) -> CatalogDiff:
    """Update a framework's requirements in place from a new edition of its file."""
    framework = _writable(session, principal, framework_id)
    read = read_import(content, filename, format)
    plan = _plan(session, framework.id, read.nodes)
    diff = _diff(framework.id, plan, applied=True)
    if diff.empty:
        return diff
    before = {"requirements": plan.total}
    try:
        with session.begin_nested():
            _apply(session, framework.id, plan)
            framework.source = filename[:500]
            if read.uuid:
                framework.catalog_uuid = read.uuid
            session.flush()
    except IntegrityError as exc:
        raise Conflict("The framework changed during the update; try again") from exc
    after = {
        "requirements": plan.total + len(diff.added) - len(diff.removed),
        "requirements_added": len(diff.added),
        "requirements_changed": len(diff.changed),
        "requirements_removed": len(diff.removed),
        "requirements_kept": len(diff.kept),
        "imported_from": read.format.value,
    }
    unit_id = framework.unit_id
    record(session, principal, "update", "framework", framework.id, unit_id, before, after)
    return diff
