"""Use cases of single requirements: adding, changing and removing them one by one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.common.changes import record, snapshot
from aegis.domains.frameworks import assessment_work, references
from aegis.domains.frameworks import repository as repo
from aegis.domains.frameworks.errors import RequirementExists, RequirementInUse
from aegis.domains.frameworks.reading import visible_framework, visible_requirement
from aegis.domains.frameworks.schemas import (
    RequirementCreate,
    RequirementRead,
    RequirementUpdate,
    RequirementUsage,
)
from aegis.domains.frameworks.tree import MAX_TREE_DEPTH
from aegis.models import Framework, Requirement

FIELDS = ("framework_id", "parent_id", "ref_id", "title", "text", "assessable")
REQUIRED = ("ref_id", "title", "assessable")


def _changeable(session: Session, principal: Principal | None, framework_id: int) -> Framework:
    framework = visible_framework(session, principal, framework_id)
    if principal is not None:
        principal.require_write(framework.unit_id)
    return framework


def _check_place(links: list[Row[Any]], parent_id: int | None, moving: int | None = None) -> None:
    """The parent must be a requirement of the framework, not below the one moved, not too deep."""
    if parent_id is None:
        return
    parents: dict[int, int | None] = {row.id: row.parent_id for row in links}
    if parent_id not in parents:
        raise ValidationFailed("Choose a requirement of this framework", field="parent_id")
    depth = 1
    current: int | None = parent_id
    while current is not None and depth <= MAX_TREE_DEPTH:
        if current == moving:
            raise ValidationFailed(
                "A requirement cannot be placed below itself or its sub-requirements",
                field="parent_id",
            )
        depth += 1
        current = parents.get(current)
    if depth > MAX_TREE_DEPTH:
        message = f"The tree cannot be deeper than {MAX_TREE_DEPTH} levels"
        raise ValidationFailed(message, field="parent_id")


def _check_ref(links: list[Row[Any]], ref_id: str, own_id: int | None = None) -> None:
    """Identifiers are unique within a framework, ignoring case."""
    taken = {row.ref_id.casefold(): row.id for row in links}
    if taken.get(ref_id.casefold(), own_id) != own_id:
        raise RequirementExists(
            f"This framework already has a requirement '{ref_id}'",
            details=[{"field": "ref_id", "message": f"'{ref_id}' is already taken"}],
        )


def _flush(session: Session, requirement: Requirement) -> None:
    try:
        with session.begin_nested():
            session.add(requirement)
            session.flush()
    except IntegrityError as exc:
        message = f"This framework already has a requirement '{requirement.ref_id}'"
        raise RequirementExists(message, details=[{"field": "ref_id", "message": message}]) from exc


def create_requirement(
    *,
    session: Session,
    principal: Principal | None,
    framework_id: int,
    data: RequirementCreate,
) -> RequirementRead:
    """Add a requirement at the end of a framework, at the top level or below another one."""
    framework = _changeable(session, principal, framework_id)
    links = repo.tree_links(session, framework.id)
    _check_place(links, data.parent_id)
    _check_ref(links, data.ref_id)
    position = max((row.position for row in links), default=-1) + 1
    requirement = Requirement(framework_id=framework.id, position=position, **data.model_dump())
    _flush(session, requirement)
    after = snapshot(requirement, FIELDS)
    unit_id = framework.unit_id
    record(session, principal, "create", "requirement", requirement.id, unit_id, after=after)
    return RequirementRead.model_validate(requirement)


def update_requirement(
    *,
    session: Session,
    principal: Principal | None,
    requirement_id: int,
    data: RequirementUpdate,
) -> RequirementRead:
    """Change a requirement's identifier, title, text, parent or whether it is assessed."""
    requirement = visible_requirement(session, principal, requirement_id)
    framework = _changeable(session, principal, requirement.framework_id)
    changes = data.model_dump(exclude_unset=True)
    for name in REQUIRED:
        if name in changes and changes[name] is None:
            raise ValidationFailed("This field cannot be empty", field=name)
    links = repo.tree_links(session, framework.id)
    if "parent_id" in changes:
        _check_place(links, changes["parent_id"], moving=requirement.id)
    if "ref_id" in changes:
        _check_ref(links, changes["ref_id"], own_id=requirement.id)
    before = snapshot(requirement, FIELDS)
    for name, value in changes.items():
        setattr(requirement, name, "" if name == "text" and value is None else value)
    _flush(session, requirement)
    after = snapshot(requirement, FIELDS)
    unit_id = framework.unit_id
    record(session, principal, "update", "requirement", requirement.id, unit_id, before, after)
    return RequirementRead.model_validate(requirement)


def requirement_usage(
    *, session: Session, principal: Principal | None, requirement_id: int
) -> RequirementUsage:
    """What still refers to a requirement: controls, evidence, mappings, children, assessments."""
    requirement = visible_requirement(session, principal, requirement_id)
    found = references.requirement_usage(session, references.of_requirement(requirement.id))
    children = repo.child_counts(session, requirement.framework_id, [requirement.id])
    usage = found.get(requirement.id, RequirementUsage())
    holders = references.work_units(session, requirement.id) if usage.has_work else {}
    return usage.model_copy(
        update={"children": children.get(requirement.id, 0), "assessments": len(holders)}
    )


def _check_removable(
    session: Session,
    principal: Principal | None,
    requirement: Requirement,
    usage: RequirementUsage,
    with_assessment_work: bool,
) -> None:
    """Refuse while links remain, or assessment work the caller may not or did not let go."""
    ref = requirement.ref_id
    if usage.blocking:
        raise RequirementInUse(
            f"{ref} cannot be removed while it has {usage.blocking_summary}; remove those first"
        )
    if not usage.has_work:
        return
    units = references.work_units(session, requirement.id).values()
    if principal is not None and any(unit not in principal.writable for unit in units):
        raise RequirementInUse(
            f"{ref} cannot be removed: it has {usage.work_summary}, "
            "some of them in units you may not change"
        )
    if not with_assessment_work:
        message = f"Removing {ref} also removes its {usage.work_summary}"
        raise RequirementInUse(
            f"{message}; confirm that to remove it",
            details=[{"field": "with_assessment_work", "message": message}],
        )


def delete_requirement(
    *,
    session: Session,
    principal: Principal | None,
    requirement_id: int,
    with_assessment_work: bool = False,
) -> RequirementUsage:
    """Remove a requirement nothing links to, with its assessment work if the caller says so.

    Results, owners and comments of assessments on it go with it (each recorded in the audit
    trail) only with `with_assessment_work`, and only when the caller may change every
    assessment holding them. Returns what was removed with it.
    """
    requirement = visible_requirement(session, principal, requirement_id)
    framework = _changeable(session, principal, requirement.framework_id)
    usage = requirement_usage(session=session, principal=principal, requirement_id=requirement_id)
    _check_removable(session, principal, requirement, usage, with_assessment_work)
    assessment_work.remove(session, principal, requirement)
    before = snapshot(requirement, FIELDS)
    session.delete(requirement)
    session.flush()
    record(session, principal, "delete", "requirement", requirement_id, framework.unit_id, before)
    return usage
