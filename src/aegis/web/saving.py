"""Saving a form: a change the user can correct comes back as messages for the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.orm import Session

from aegis.core.confirmation import PasswordConfirmationRequired
from aegis.core.errors import (
    AegisError,
    Conflict,
    EditConflict,
    PermissionDenied,
    ValidationFailed,
)
from aegis.web.forms import field_errors

T = TypeVar("T")
CORRECTABLE = (ValidationError, ValidationFailed, Conflict, PermissionDenied)


class Refused(Exception):
    """A refused save: the messages by field (`__all__` for the form) and the page's status."""

    def __init__(self, errors: dict[str, str], status: int) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status = status


def in_savepoint(session: Session, action: Callable[[], T]) -> T:
    """Run a change in a savepoint so that a refused change leaves nothing behind.

    A refusal that must be kept (`keep_changes`, such as a quarantined upload) keeps what was
    written before it, as the request's transaction does.
    """
    savepoint = session.begin_nested()
    try:
        result = action()
    except BaseException as exc:
        if isinstance(exc, AegisError) and exc.keep_changes and savepoint.is_active:
            savepoint.commit()
        else:  # also a savepoint a failed flush has already ended: it must still be closed
            savepoint.rollback()
        raise
    savepoint.commit()
    return result


def refusal_status(exc: AegisError | ValidationError) -> int:
    """The status of a form showing a refusal: 409 conflict, 403 forbidden unit, else 422."""
    if isinstance(exc, Conflict):
        return 409
    return 403 if isinstance(exc, PermissionDenied) else 422


def refusal(exc: AegisError | ValidationError, *, unit_field: str | None = "unit_id") -> Refused:
    """The messages and status for a refused change; a forbidden unit is the unit field's."""
    if isinstance(exc, PermissionDenied):
        return Refused({unit_field or "__all__": exc.message}, refusal_status(exc))
    errors = field_errors(exc)
    if isinstance(exc, EditConflict):
        errors.pop("version", None)
        errors["__all__"] = exc.message
    return Refused(errors, refusal_status(exc))


def current_version(exc: EditConflict) -> int | None:
    """The version the object is at now, as the refusal reports it."""
    for detail in exc.details or []:
        if detail.get("field") == "version":
            return int(detail["current"])
    return None


def save(
    session: Session,
    action: Callable[[], T],
    *,
    unit_field: str | None = "unit_id",
    values: dict[str, Any] | None = None,
) -> T:
    """Run a change in a savepoint; raise `Refused` (keeping nothing) when the user can fix it.

    After a refusal because someone else saved first, `values` (the form shown again) take
    the current version, so that saving again replaces the other change on purpose.
    """
    try:
        return in_savepoint(session, action)
    except CORRECTABLE as exc:
        if isinstance(exc, PasswordConfirmationRequired):
            raise  # not for the form: the page asking for the password again (web/app.py)
        if isinstance(exc, EditConflict) and values is not None:
            values["version"] = current_version(exc)
        raise refusal(exc, unit_field=unit_field) from exc
