"""Queries of the frameworks domain, scoped to the units that share frameworks with the caller."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, case, func, insert, or_, select, true
from sqlalchemy.orm import Session, aliased

from aegis.core.authz import Principal, in_units
from aegis.domains.common.listing import like_pattern
from aegis.domains.frameworks.schemas import (
    FrameworkQuery,
    RequirementMappingQuery,
    RequirementQuery,
)
from aegis.domains.frameworks.tree import Node, by_depth
from aegis.models import Framework, Requirement, RequirementMapping

CHUNK = 500
MappingSelect = Select[RequirementMapping, int, str, str, str, int, str, str, str]


def shared(principal: Principal | None) -> ColumnElement[bool]:
    """Frameworks of the caller's units or of any unit above them (all for the system)."""
    return true() if principal is None else in_units(Framework.unit_id, principal.shared_with)


def frameworks(principal: Principal | None, query: FrameworkQuery) -> Select[Framework]:
    """Frameworks shared with the caller matching the filters."""
    stmt = select(Framework).where(shared(principal))
    if query.q:
        pattern = like_pattern(query.q)
        stmt = stmt.where(
            or_(
                func.lower(Framework.name).like(pattern, escape="\\"),
                func.lower(Framework.key).like(pattern, escape="\\"),
            )
        )
    if query.key:
        stmt = stmt.where(Framework.key == query.key.strip().lower())
    return stmt


def framework(session: Session, principal: Principal | None, framework_id: int) -> Framework | None:
    """One framework shared with the caller."""
    return session.scalar(select(Framework).where(Framework.id == framework_id, shared(principal)))


def by_key_version(session: Session, key: str, version: str) -> Framework | None:
    """A framework with this key and version, whoever owns it (for the system only)."""
    stmt = select(Framework).where(Framework.key == key, Framework.version == version)
    return session.scalars(stmt.order_by(Framework.id).limit(1)).first()


def shared_key_version(
    session: Session,
    principal: Principal | None,
    key: str,
    version: str,
    *,
    except_id: int | None = None,
) -> Framework | None:
    """A framework shared with the caller with this key and version, other than `except_id`.

    Frameworks the caller cannot see are never reported: their existence stays unknown.
    """
    stmt = select(Framework).where(
        Framework.key == key, Framework.version == version, shared(principal)
    )
    if except_id is not None:
        stmt = stmt.where(Framework.id != except_id)
    return session.scalars(stmt.order_by(Framework.id).limit(1)).first()


def by_catalog_uuid(
    session: Session, principal: Principal | None, catalog_uuid: str
) -> Framework | None:
    """The framework shared with the caller imported from this OSCAL catalog, if any."""
    stmt = select(Framework).where(Framework.catalog_uuid == catalog_uuid, shared(principal))
    return session.scalars(stmt.order_by(Framework.id).limit(1)).first()


def requirement_counts(session: Session, framework_ids: list[int]) -> dict[int, int]:
    """Number of requirements of several frameworks in one query."""
    if not framework_ids:
        return {}
    stmt = (
        select(Requirement.framework_id, func.count())
        .where(Requirement.framework_id.in_(framework_ids))
        .group_by(Requirement.framework_id)
    )
    return {framework_id: int(count) for framework_id, count in session.execute(stmt)}


def requirements(framework_id: int, query: RequirementQuery) -> Select[Requirement]:
    """Requirements of one framework matching the filters."""
    stmt = select(Requirement).where(Requirement.framework_id == framework_id)
    if query.parent_id is not None:
        stmt = stmt.where(Requirement.parent_id == query.parent_id)
    if query.top_level is not None:
        top = Requirement.parent_id.is_(None)
        stmt = stmt.where(top if query.top_level else ~top)
    if query.assessable is not None:
        stmt = stmt.where(Requirement.assessable.is_(query.assessable))
    if query.q:
        stmt = stmt.where(_requirement_mentions(query.q))
    return stmt


def _requirement_mentions(text: str) -> ColumnElement[bool]:
    """Requirements whose reference, title or statement contains the text, ignoring case."""
    pattern = like_pattern(text)
    return or_(
        func.lower(Requirement.ref_id).like(pattern, escape="\\"),
        func.lower(Requirement.title).like(pattern, escape="\\"),
        func.lower(Requirement.text).like(pattern, escape="\\"),
    )


def shared_requirements(principal: Principal | None, text: str) -> Select[Requirement, str]:
    """Requirements mentioning the text in frameworks shared with the caller, with their names."""
    return (
        select(Requirement, Framework.name)
        .join(Framework, Framework.id == Requirement.framework_id)
        .where(shared(principal), _requirement_mentions(text))
        .order_by(Framework.name, Framework.id, Requirement.position, Requirement.id)
    )


def child_counts(session: Session, framework_id: int, parent_ids: list[int]) -> dict[int, int]:
    """Number of children of several requirements of a framework, in one query."""
    if not parent_ids:
        return {}
    stmt = (
        select(Requirement.parent_id, func.count())
        .where(Requirement.framework_id == framework_id, Requirement.parent_id.in_(parent_ids))
        .group_by(Requirement.parent_id)
    )
    return {
        parent_id: int(count) for parent_id, count in session.execute(stmt) if parent_id is not None
    }


def requirement(
    session: Session, principal: Principal | None, requirement_id: int
) -> Requirement | None:
    """One requirement whose framework is shared with the caller."""
    stmt = (
        select(Requirement)
        .join(Framework, Framework.id == Requirement.framework_id)
        .where(Requirement.id == requirement_id, shared(principal))
    )
    return session.scalar(stmt)


def visible_requirements(
    session: Session, principal: Principal | None, requirement_ids: Iterable[int]
) -> dict[int, Requirement]:
    """The requirements among these ids whose frameworks are shared with the caller."""
    wanted = sorted(set(requirement_ids))
    found: dict[int, Requirement] = {}
    for start in range(0, len(wanted), CHUNK):
        stmt = (
            select(Requirement)
            .join(Framework, Framework.id == Requirement.framework_id)
            .where(Requirement.id.in_(wanted[start : start + CHUNK]), shared(principal))
        )
        found.update((r.id, r) for r in session.scalars(stmt))
    return found


def ref_ids(session: Session, framework_id: int) -> dict[str, int]:
    """{ref_id: id} of every requirement of a framework."""
    stmt = select(Requirement.ref_id, Requirement.id).where(
        Requirement.framework_id == framework_id
    )
    return {ref_id: requirement_id for ref_id, requirement_id in session.execute(stmt)}


def requirement_rows(session: Session, framework_id: int) -> list[Row[Any]]:
    """Every requirement of a framework as plain rows (not loaded as objects)."""
    stmt = select(
        Requirement.id,
        Requirement.parent_id,
        Requirement.ref_id,
        Requirement.title,
        Requirement.text,
        Requirement.assessable,
        Requirement.position,
    ).where(Requirement.framework_id == framework_id)
    return list(session.execute(stmt))


def tree_links(session: Session, framework_id: int) -> list[Row[Any]]:
    """(id, parent_id, ref_id, position) of every requirement of a framework."""
    stmt = select(
        Requirement.id, Requirement.parent_id, Requirement.ref_id, Requirement.position
    ).where(Requirement.framework_id == framework_id)
    return list(session.execute(stmt))


def insert_tree(session: Session, framework_id: int, nodes: list[Node]) -> None:
    """Insert a checked tree level by level: one insert and one id lookup per level."""
    ids: dict[str, int] = {}
    levels = by_depth(nodes)
    for depth, level in enumerate(levels, start=1):
        rows = [
            {
                "framework_id": framework_id,
                "parent_id": ids[node.parent_ref] if node.parent_ref else None,
                "ref_id": node.ref_id,
                "title": node.title,
                "text": node.text,
                "assessable": node.assessable,
                "position": node.position,
            }
            for node in level
        ]
        session.execute(insert(Requirement), rows)
        if depth < len(levels):
            ids = ref_ids(session, framework_id)


def statement_source(requirement: type[Requirement]) -> ColumnElement[str]:
    """The text of a requirement whose title only repeats its reference, else '' (not loaded)."""
    repeats = or_(
        func.lower(requirement.title) == func.lower(requirement.ref_id),
        func.trim(requirement.title) == "",
    )
    return case((repeats, requirement.text), else_="")


def mappings(principal: Principal | None, query: RequirementMappingQuery) -> MappingSelect:
    """Mappings whose two requirements are visible, with both ends, matching the filters."""
    source, target = aliased(Requirement), aliased(Requirement)
    source_fw, target_fw = aliased(Framework), aliased(Framework)
    stmt = (
        select(
            RequirementMapping,
            source.framework_id,
            source.ref_id,
            source.title,
            statement_source(source),
            target.framework_id,
            target.ref_id,
            target.title,
            statement_source(target),
        )
        .join(source, source.id == RequirementMapping.source_id)
        .join(target, target.id == RequirementMapping.target_id)
        .join(source_fw, source_fw.id == source.framework_id)
        .join(target_fw, target_fw.id == target.framework_id)
    )
    if principal is not None:
        stmt = stmt.where(
            in_units(source_fw.unit_id, principal.shared_with),
            in_units(target_fw.unit_id, principal.shared_with),
        )
    if query.requirement_id is not None:
        stmt = stmt.where(
            or_(
                RequirementMapping.source_id == query.requirement_id,
                RequirementMapping.target_id == query.requirement_id,
            )
        )
    if query.source_id is not None:
        stmt = stmt.where(RequirementMapping.source_id == query.source_id)
    if query.target_id is not None:
        stmt = stmt.where(RequirementMapping.target_id == query.target_id)
    if query.framework_id is not None:
        stmt = stmt.where(
            or_(
                source.framework_id == query.framework_id, target.framework_id == query.framework_id
            )
        )
    if query.relationship is not None:
        stmt = stmt.where(RequirementMapping.relationship == query.relationship.value)
    return stmt


def existing_mappings(
    session: Session, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], RequirementMapping]:
    """The mappings already stored for these (source, target) pairs."""
    sources = sorted({source for source, _ in pairs})
    wanted = set(pairs)
    found: dict[tuple[int, int], RequirementMapping] = {}
    for start in range(0, len(sources), CHUNK):
        stmt = select(RequirementMapping).where(
            RequirementMapping.source_id.in_(sources[start : start + CHUNK])
        )
        for mapping in session.scalars(stmt):
            if (mapping.source_id, mapping.target_id) in wanted:
                found[(mapping.source_id, mapping.target_id)] = mapping
    return found


def frameworks_by_keys(
    session: Session, principal: Principal | None, keys: Iterable[str]
) -> list[Framework]:
    """Frameworks shared with the caller whose key is one of these."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    return list(
        session.scalars(select(Framework).where(Framework.key.in_(wanted), shared(principal)))
    )


def requirements_by_ref(
    session: Session, framework_ids: Iterable[int], refs: Iterable[str]
) -> dict[tuple[int, str], int]:
    """{(framework_id, ref_id): id} for these references in these frameworks."""
    frameworks_wanted = sorted(set(framework_ids))
    wanted = sorted(set(refs))
    found: dict[tuple[int, str], int] = {}
    if not frameworks_wanted:
        return found
    for start in range(0, len(wanted), CHUNK):
        stmt = select(Requirement.framework_id, Requirement.ref_id, Requirement.id).where(
            Requirement.framework_id.in_(frameworks_wanted),
            Requirement.ref_id.in_(wanted[start : start + CHUNK]),
        )
        found.update(((fw, ref), rid) for fw, ref, rid in session.execute(stmt))
    return found
