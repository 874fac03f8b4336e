"""Use cases of frameworks and their requirements (imports and mappings re-exported here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.common.changes import record
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.frameworks import references
from aegis.domains.frameworks import repository as repo
from aegis.domains.frameworks.errors import FrameworkExists, FrameworkInUse
from aegis.domains.frameworks.importing import (
    import_csv,
    import_file,
    import_oscal_catalog,
    load_shipped_frameworks,
)
from aegis.domains.frameworks.mappings import (
    create_mapping,
    delete_mapping,
    import_mappings,
    list_mappings,
)
from aegis.domains.frameworks.reading import (
    audit_view,
    framework_reads,
    visible_framework,
    visible_requirement,
)
from aegis.domains.frameworks.requirements import (
    create_requirement,
    delete_requirement,
    requirement_usage,
    update_requirement,
)
from aegis.domains.frameworks.schemas import (
    CoveringRequirement,
    FrameworkCreate,
    FrameworkQuery,
    FrameworkRead,
    FrameworkUpdate,
    FrameworkUsage,
    RequirementQuery,
    RequirementRead,
)
from aegis.domains.frameworks.search import find_requirements
from aegis.domains.frameworks.updating import preview_update, update_from_file
from aegis.models import Framework, Requirement

__all__ = [
    "child_counts",
    "covering_requirements",
    "create_framework",
    "create_mapping",
    "create_requirement",
    "delete_framework",
    "delete_mapping",
    "delete_requirement",
    "find_requirements",
    "framework_usage",
    "get_framework",
    "get_requirement",
    "get_requirements",
    "import_csv",
    "import_file",
    "import_mappings",
    "import_oscal_catalog",
    "list_frameworks",
    "list_mappings",
    "list_requirements",
    "load_shipped_frameworks",
    "preview_update",
    "requirement_ids",
    "requirement_usage",
    "update_framework",
    "update_from_file",
    "update_requirement",
    "visible_requirement_ids",
]

SORTABLE = {
    "name": Framework.name,
    "key": Framework.key,
    "version": Framework.version,
    "created_at": Framework.created_at,
    "id": Framework.id,
}
REQUIREMENT_SORTABLE = {"position": Requirement.position, "ref_id": Requirement.ref_id}


def list_frameworks(
    *, session: Session, principal: Principal | None, query: FrameworkQuery
) -> Page[FrameworkRead]:
    """Frameworks of the caller's units and of the units above them."""
    stmt = apply_sort(repo.frameworks(principal, query), query.sort, SORTABLE, (Framework.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of(framework_reads(session, rows), total, query)


def get_framework(
    *, session: Session, principal: Principal | None, framework_id: int
) -> FrameworkRead:
    """One framework shared with the caller."""
    return framework_reads(session, [visible_framework(session, principal, framework_id)])[0]


def _save(
    session: Session, principal: Principal | None, framework: Framework, changes: dict[str, Any]
) -> None:
    """Apply changes (or add a new framework) in a savepoint; a key+version the caller sees
    taken, or taken in the same unit, is a conflict."""
    key = changes.get("key") or framework.key
    version = changes.get("version") or framework.version
    message = f"Framework '{key}' version '{version}' already exists"
    taken = FrameworkExists(message, details=[{"field": "version", "message": message}])
    if repo.shared_key_version(session, principal, key, version, except_id=framework.id):
        raise taken
    try:
        with session.begin_nested():
            if framework.id is None:
                session.add(framework)
            for name, value in changes.items():
                setattr(framework, name, "" if value is None else value)
            session.flush()
    except IntegrityError as exc:
        raise taken from exc


def create_framework(
    *, session: Session, principal: Principal | None, data: FrameworkCreate
) -> FrameworkRead:
    """Create an empty custom framework in a unit the caller may change."""
    if principal is not None:
        principal.require_write(data.unit_id)
    framework = Framework(**data.model_dump())
    _save(session, principal, framework, {})
    record(
        session,
        principal,
        "create",
        "framework",
        framework.id,
        framework.unit_id,
        after=audit_view(framework),
    )
    return framework_reads(session, [framework])[0]


def update_framework(
    *, session: Session, principal: Principal | None, framework_id: int, data: FrameworkUpdate
) -> FrameworkRead:
    """Rename, re-version, describe or move a framework; moving needs both units."""
    framework = visible_framework(session, principal, framework_id)
    changes = data.model_dump(exclude_unset=True)
    for required in ("unit_id", "key", "name", "version"):
        if required in changes and changes[required] is None:
            raise ValidationFailed("This field cannot be empty", field=required)
    if principal is not None:
        principal.require_write(framework.unit_id)
        if changes.get("unit_id") is not None:
            principal.require_write(changes["unit_id"])
    before = audit_view(framework)
    _save(session, principal, framework, changes)
    record(
        session,
        principal,
        "update",
        "framework",
        framework.id,
        framework.unit_id,
        before,
        audit_view(framework),
    )
    return framework_reads(session, [framework])[0]


def framework_usage(
    *, session: Session, principal: Principal | None, framework_id: int
) -> FrameworkUsage:
    """How many assessments, control mappings and evidence links use a framework."""
    framework = visible_framework(session, principal, framework_id)
    return references.framework_usage(session, framework.id)


def delete_framework(*, session: Session, principal: Principal | None, framework_id: int) -> None:
    """Delete a framework with its requirements, unless assessments, controls or evidence use it."""
    framework = visible_framework(session, principal, framework_id)
    if principal is not None:
        principal.require_write(framework.unit_id)
    usage = references.framework_usage(session, framework.id)
    if usage.in_use:
        raise FrameworkInUse(
            f"This framework cannot be deleted: it is used by {usage.summary}",
            details=[{"field": "framework", **usage.model_dump()}],
        )
    before = audit_view(framework)
    try:
        with session.begin_nested():
            session.delete(framework)
            session.flush()
    except IntegrityError as exc:
        raise FrameworkInUse("The framework is still in use; try again") from exc
    record(session, principal, "delete", "framework", framework_id, before["unit_id"], before)


def covering_requirements(
    *, session: Session, framework_ids: list[int], units: frozenset[int]
) -> list[CoveringRequirement]:
    """Requirements of other frameworks of these units that cover requirements of these ones."""
    return references.covering(session, framework_ids, units)


def list_requirements(
    *, session: Session, principal: Principal | None, framework_id: int, query: RequirementQuery
) -> Page[RequirementRead]:
    """Requirements of a framework in tree order (rebuild the tree from parent_id)."""
    visible_framework(session, principal, framework_id)
    stmt = apply_sort(
        repo.requirements(framework_id, query),
        query.sort,
        REQUIREMENT_SORTABLE,
        (Requirement.position, Requirement.id),
    )
    rows, total = fetch_page(session, stmt, query)
    return Page.of([RequirementRead.model_validate(r) for r in rows], total, query)


def get_requirement(
    *, session: Session, principal: Principal | None, requirement_id: int
) -> RequirementRead:
    """One requirement of a framework shared with the caller."""
    return RequirementRead.model_validate(visible_requirement(session, principal, requirement_id))


def get_requirements(
    *, session: Session, principal: Principal | None, requirement_ids: list[int]
) -> dict[int, RequirementRead]:
    """The visible requirements among these ids, by id (one query per 500 ids)."""
    found = repo.visible_requirements(session, principal, requirement_ids)
    return {rid: RequirementRead.model_validate(r) for rid, r in found.items()}


def visible_requirement_ids(
    *, session: Session, principal: Principal | None, requirement_ids: list[int]
) -> set[int]:
    """Which of these requirement ids belong to frameworks shared with the caller."""
    return set(repo.visible_requirements(session, principal, requirement_ids))


def requirement_ids(
    *, session: Session, principal: Principal | None, framework_id: int
) -> dict[str, int]:
    """{ref_id: requirement id} of every requirement of a framework."""
    visible_framework(session, principal, framework_id)
    return repo.ref_ids(session, framework_id)


def child_counts(
    *, session: Session, principal: Principal | None, framework_id: int, parent_ids: list[int]
) -> dict[int, int]:
    """{requirement id: number of children} for these requirements of a framework (one query)."""
    visible_framework(session, principal, framework_id)
    return repo.child_counts(session, framework_id, sorted(set(parent_ids)))
