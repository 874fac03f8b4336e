"""Use cases of requirement-to-requirement mappings."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

from sqlalchemy import Select, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.common.changes import record
from aegis.domains.common.listing import Page, apply_sort
from aegis.domains.frameworks import repository as repo
from aegis.domains.frameworks.errors import MappingExists, MappingNotFound
from aegis.domains.frameworks.labels import requirement_title
from aegis.domains.frameworks.schemas import (
    MappingImportResult,
    RequirementMappingCreate,
    RequirementMappingQuery,
    RequirementMappingRead,
    RequirementRef,
)
from aegis.domains.frameworks.tabular import MappingRow, parse_mappings
from aegis.domains.frameworks.tree import Problems
from aegis.models import Framework, RequirementMapping

SORTABLE = {"id": RequirementMapping.id, "relationship": RequirementMapping.relationship}


def _ref(
    requirement_id: int, framework_id: int, ref_id: str, title: str, text: str
) -> RequirementRef:
    return RequirementRef(
        id=requirement_id,
        framework_id=framework_id,
        ref_id=ref_id,
        title=requirement_title(ref_id, title, text),
    )


def _read(row: Any) -> RequirementMappingRead:
    mapping = row[0]
    return RequirementMappingRead(
        id=mapping.id,
        relationship=mapping.relationship,
        source=_ref(mapping.source_id, *row[1:5]),
        target=_ref(mapping.target_id, *row[5:9]),
    )


def list_mappings(
    *, session: Session, principal: Principal | None, query: RequirementMappingQuery
) -> Page[RequirementMappingRead]:
    """Mappings between requirements the caller can see, filtered and paginated."""
    stmt = cast("Select[Any]", repo.mappings(principal, query))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    ordered = apply_sort(stmt, query.sort, SORTABLE, (RequirementMapping.id,))
    rows = session.execute(ordered.limit(query.limit).offset(query.offset)).all()
    return Page.of([_read(row) for row in rows], int(total or 0), query)


def _get(session: Session, principal: Principal | None, mapping_id: int) -> RequirementMappingRead:
    stmt = repo.mappings(principal, RequirementMappingQuery()).where(
        RequirementMapping.id == mapping_id
    )
    row = session.execute(stmt).first()
    if row is None:
        raise MappingNotFound("Mapping not found")
    return _read(row)


def _source_unit(session: Session, framework_id: int) -> int:
    return int(session.scalar(select(Framework.unit_id).where(Framework.id == framework_id)) or 0)


def create_mapping(
    *, session: Session, principal: Principal | None, data: RequirementMappingCreate
) -> RequirementMappingRead:
    """Map one requirement to another; the caller must be able to change the source's framework."""
    found = repo.visible_requirements(session, principal, [data.source_id, data.target_id])
    for name, requirement_id in (("source_id", data.source_id), ("target_id", data.target_id)):
        if requirement_id not in found:
            raise ValidationFailed("Requirement not found", field=name)
    if data.source_id == data.target_id:
        raise ValidationFailed("A requirement cannot be mapped to itself", field="target_id")
    unit_id = _source_unit(session, found[data.source_id].framework_id)
    if principal is not None:
        principal.require_write(unit_id)
    mapping = RequirementMapping(
        source_id=data.source_id, target_id=data.target_id, relationship=data.relationship.value
    )
    try:
        with session.begin_nested():
            session.add(mapping)
            session.flush()
    except IntegrityError as exc:
        raise MappingExists("These requirements are already mapped") from exc
    after = {
        "source_id": data.source_id,
        "target_id": data.target_id,
        "relationship": data.relationship.value,
    }
    record(session, principal, "create", "requirement_mapping", mapping.id, unit_id, after=after)
    return _get(session, principal, mapping.id)


def delete_mapping(*, session: Session, principal: Principal | None, mapping_id: int) -> None:
    """Remove a mapping; the caller must be able to change the source's framework."""
    found = _get(session, principal, mapping_id)
    unit_id = _source_unit(session, found.source.framework_id)
    if principal is not None:
        principal.require_write(unit_id)
    mapping = session.get(RequirementMapping, mapping_id)
    session.delete(mapping)
    session.flush()
    before = {
        "source_id": found.source.id,
        "target_id": found.target.id,
        "relationship": found.relationship.value,
    }
    record(session, principal, "delete", "requirement_mapping", mapping_id, unit_id, before=before)


def _frameworks(
    session: Session, principal: Principal | None, rows: list[MappingRow], problems: Problems
) -> dict[tuple[str, str | None], Framework]:
    """Resolve every `key` or `key@version` of the file to one visible framework."""
    refs = {r.source_framework for r in rows} | {r.target_framework for r in rows}
    candidates = repo.frameworks_by_keys(session, principal, (key for key, _ in refs))
    resolved: dict[tuple[str, str | None], Framework] = {}
    for key, version in refs:
        matches = [
            f for f in candidates if f.key == key and (version is None or f.version == version)
        ]
        name = f"{key}@{version}" if version else key
        if len(matches) == 1:
            resolved[(key, version)] = matches[0]
        elif matches and version is None:
            problems.add("file", f"framework '{name}' has several versions; write key@version")
        elif matches:
            problems.add("file", f"framework '{name}' is loaded in several of your units")
        else:
            problems.add("file", f"framework '{name}' not found")
    return resolved


def _resolve(
    session: Session, principal: Principal | None, rows: list[MappingRow]
) -> dict[tuple[int, int], tuple[MappingRow, Framework]]:
    """{(source id, target id): (row, source framework)}; raise listing every row in error."""
    problems = Problems()
    frameworks = _frameworks(session, principal, rows, problems)
    problems.raise_if_any("Invalid mappings CSV")
    refs = {r.source_ref for r in rows} | {r.target_ref for r in rows}
    ids = repo.requirements_by_ref(session, (f.id for f in frameworks.values()), refs)
    pairs: dict[tuple[int, int], tuple[MappingRow, Framework]] = {}
    for row in rows:
        source_fw, target_fw = frameworks[row.source_framework], frameworks[row.target_framework]
        source = ids.get((source_fw.id, row.source_ref))
        target = ids.get((target_fw.id, row.target_ref))
        where = f"row {row.row}"
        if source is None:
            problems.add(where, f"'{row.source_ref}' is not a requirement of {source_fw.key}")
        elif target is None:
            problems.add(where, f"'{row.target_ref}' is not a requirement of {target_fw.key}")
        elif source == target:
            problems.add(where, "a requirement cannot be mapped to itself")
        elif (source, target) in pairs:
            problems.add(where, f"repeats row {pairs[(source, target)][0].row}")
        else:
            pairs[(source, target)] = (row, source_fw)
    problems.raise_if_any("Invalid mappings CSV")
    if principal is not None:
        denied = sorted(
            {fw.key for _, fw in pairs.values() if fw.unit_id not in principal.writable}
        )
        if denied:
            raise PermissionDenied(f"You may not change the mappings of: {', '.join(denied)}")
    return pairs


def import_mappings(
    *, session: Session, principal: Principal | None, content: bytes
) -> MappingImportResult:
    """Create or update the mappings of a CSV file; nothing is written if any row is wrong."""
    pairs = _resolve(session, principal, parse_mappings(content))
    existing = repo.existing_mappings(session, list(pairs))
    new_rows: list[dict[str, Any]] = []
    changed = 0
    touched: Counter[tuple[int, int]] = Counter()
    for (source, target), (row, framework) in pairs.items():
        current = existing.get((source, target))
        relationship = row.relationship.value
        if current is None:
            new_rows.append(
                {"source_id": source, "target_id": target, "relationship": relationship}
            )
        elif current.relationship != relationship:
            current.relationship = relationship
            changed += 1
        else:
            continue
        touched[(framework.id, framework.unit_id)] += 1
    if new_rows:
        session.execute(insert(RequirementMapping), new_rows)
    session.flush()
    for (framework_id, unit_id), count in sorted(touched.items()):
        after = {"mappings_imported": count}
        record(session, principal, "update", "framework", framework_id, unit_id, after=after)
    unchanged = len(pairs) - len(new_rows) - changed
    return MappingImportResult(created=len(new_rows), updated=changed, unchanged=unchanged)
