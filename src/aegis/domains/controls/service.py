"""Use cases of the organisation's controls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.common import links, versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.ranks import ranked
from aegis.domains.controls import repository as repo
from aegis.domains.controls.errors import ControlNotFound, ControlRefTaken
from aegis.domains.controls.schemas import ControlCreate, ControlQuery, ControlRead, ControlUpdate
from aegis.domains.controls.search import find_controls as find_controls
from aegis.domains.users import service as users
from aegis.models import Control
from aegis.models.enums import ControlStatus

FIELDS = ("unit_id", "ref", "title", "description", "owner_id", "status")
REQUIRED = ("unit_id", "ref", "title", "status")
SORTABLE = {
    "ref": Control.ref,
    "title": Control.title,
    "status": ranked(Control.status, ControlStatus),
    "created_at": Control.created_at,
    "updated_at": Control.updated_at,
    "id": Control.id,
}


def _read_many(
    session: Session, principal: Principal, controls: list[Control]
) -> list[ControlRead]:
    ids = [c.id for c in controls]
    requirements = links.load(session, repo.REQUIREMENT_LINKS, ids, principal.shared_with)
    return [
        ControlRead.model_validate(
            {
                **{f: getattr(c, f) for f in (*FIELDS, *versions.META_FIELDS)},
                "requirement_ids": requirements.visible.get(c.id, []),
                "hidden_links": links.hidden_counts(c.id, requirement_ids=requirements),
            }
        )
        for c in controls
    ]


def _audit_view(session: Session, control: Control) -> dict[str, Any]:
    """Every field and requirement of the control, including ones its editor cannot see."""
    found = links.load(session, repo.REQUIREMENT_LINKS, [control.id], frozenset())
    return snapshot(control, FIELDS, requirement_ids=found.everything.get(control.id, []))


def list_controls(
    *, session: Session, principal: Principal, query: ControlQuery
) -> Page[ControlRead]:
    """List the controls of the caller's units."""
    stmt = repo.filtered(principal.readable, query)
    stmt = apply_sort(stmt, query.sort, SORTABLE, (Control.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_read_many(session, principal, rows), total, query)


def _get(session: Session, principal: Principal, control_id: int, *, lock: bool = False) -> Control:
    control = repo.get(session, principal.readable, control_id, lock=lock)
    if control is None:
        raise ControlNotFound("Control not found")
    return control


def get_control(*, session: Session, principal: Principal, control_id: int) -> ControlRead:
    """Return one control of the caller's units."""
    return _read_many(session, principal, [_get(session, principal, control_id)])[0]


def get_controls(
    *, session: Session, principal: Principal, control_ids: list[int]
) -> list[ControlRead]:
    """The controls among these ids that the caller can see, by reference."""
    found = repo.get_many(session, principal.readable, control_ids)
    return _read_many(session, principal, found)


def require_visible_controls(
    *, session: Session, principal: Principal, control_ids: list[int], field: str
) -> None:
    """Raise a field error unless every control id is visible to the caller."""
    missing = set(control_ids) - repo.visible_ids(session, principal.readable, control_ids)
    if missing:
        raise ValidationFailed(f"Unknown control ids: {sorted(missing)}", field=field)


def require_visible_requirements(
    *, session: Session, principal: Principal, requirement_ids: list[int], field: str
) -> None:
    """Raise a field error unless every requirement is of a framework shared with the caller."""
    found = repo.visible_requirement_ids(session, principal.shared_with, requirement_ids)
    missing = set(requirement_ids) - found
    if missing:
        raise ValidationFailed(f"Unknown requirement ids: {sorted(missing)}", field=field)


def _check_references(
    session: Session,
    principal: Principal,
    data: ControlCreate | ControlUpdate,
    control: Control | None = None,
) -> None:
    owner_kept = control is not None and data.owner_id == control.owner_id
    if data.owner_id is not None and not owner_kept:
        users.require_visible_user(
            session=session, principal=principal, user_id=data.owner_id, field="owner_id"
        )
    if data.requirement_ids:
        require_visible_requirements(
            session=session,
            principal=principal,
            requirement_ids=data.requirement_ids,
            field="requirement_ids",
        )


def _ref_conflict() -> ControlRefTaken:
    message = "Another control of this unit already has this reference"
    return ControlRefTaken(message, details=[{"field": "ref", "message": message}])


@contextmanager
def _unique_ref() -> Iterator[None]:
    """Turn a unique-constraint race on (unit_id, ref) into a conflict on the field."""
    try:
        yield
    except IntegrityError as exc:
        raise _ref_conflict() from exc


def create_control(*, session: Session, principal: Principal, data: ControlCreate) -> ControlRead:
    """Add a control to a unit the caller may change."""
    principal.require_write(data.unit_id)
    _check_references(session, principal, data)
    if repo.ref_taken(session, data.unit_id, data.ref, None):
        raise _ref_conflict()
    control = Control(**data.model_dump(exclude={"requirement_ids"}))
    with _unique_ref(), session.begin_nested():
        session.add(control)
        session.flush()
    links.replace_visible(
        session, repo.REQUIREMENT_LINKS, control.id, data.requirement_ids, principal.shared_with
    )
    record(
        session,
        principal,
        "create",
        "control",
        control.id,
        control.unit_id,
        after=_audit_view(session, control),
    )
    return get_control(session=session, principal=principal, control_id=control.id)


def update_control(
    *, session: Session, principal: Principal, control_id: int, data: ControlUpdate
) -> ControlRead:
    """Change a control; moving it needs write access to both units."""
    control = _get(session, principal, control_id, lock=True)
    principal.require_write(control.unit_id)
    changes = data.model_dump(exclude_unset=True)
    expected = versions.expected_version(changes)
    versions.require_current(session, control, expected, entity_type="control", what="control")
    for required in REQUIRED:
        if required in changes and changes[required] is None:
            raise ValidationFailed("This field cannot be empty", field=required)
    if changes.get("unit_id") is not None:
        principal.require_write(changes["unit_id"])
    _check_references(session, principal, data, control)
    unit_id, ref = changes.get("unit_id", control.unit_id), changes.get("ref", control.ref)
    if repo.ref_taken(session, unit_id, ref, control.id):
        raise _ref_conflict()
    before = _audit_view(session, control)
    with _unique_ref(), session.begin_nested():
        for name, value in changes.items():
            if name != "requirement_ids":
                setattr(control, name, "" if name == "description" and value is None else value)
        session.flush()
    if changes.get("requirement_ids") is not None:
        links.replace_visible(
            session,
            repo.REQUIREMENT_LINKS,
            control.id,
            changes["requirement_ids"],
            principal.shared_with,
        )
    record(
        session,
        principal,
        "update",
        "control",
        control.id,
        control.unit_id,
        before,
        versions.saved(session, control, before, _audit_view(session, control)),
    )
    return get_control(session=session, principal=principal, control_id=control.id)


def delete_control(*, session: Session, principal: Principal, control_id: int) -> None:
    """Delete a control with its requirement, evidence and risk links."""
    control = _get(session, principal, control_id, lock=True)
    principal.require_write(control.unit_id)
    before = _audit_view(session, control)
    session.delete(control)
    session.flush()
    record(session, principal, "delete", "control", control_id, control.unit_id, before=before)
