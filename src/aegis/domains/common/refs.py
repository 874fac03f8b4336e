"""Stable references of assets, risks and tasks: unique within a unit, whatever their case."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.errors import Conflict
from aegis.domains.common.text import SingleLine
from aegis.models.refs import PENDING, REF_LENGTH

REF_HELP = (
    "A stable reference, unique within the unit (made from the id, like A-000123, if omitted)"
)


def _not_pending(value: str) -> str:
    if value.startswith(PENDING):
        raise ValueError(f"must not start with '{PENDING}'")
    return value


Ref = Annotated[
    SingleLine,
    Field(min_length=1, max_length=REF_LENGTH),
    AfterValidator(_not_pending),
]


class RefTaken(Conflict):
    """Another object of the unit already has this reference."""


def ref_taken(session: Session, model: Any, unit_id: int, ref: str, except_id: int | None) -> bool:
    """Whether another object of the unit has this reference, ignoring case on every engine."""
    stmt = select(model.id).where(model.unit_id == unit_id, func.lower(model.ref) == ref.lower())
    if except_id is not None:
        stmt = stmt.where(model.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def require_free_ref(
    session: Session, model: Any, *, unit_id: int, ref: str | None, except_id: int | None, what: str
) -> None:
    """Refuse a reference another object of the unit already has."""
    if ref and ref_taken(session, model, unit_id, ref, except_id):
        message = f"Another {what} of this unit already has this reference"
        raise RefTaken(message, details=[{"field": "ref", "message": message}])
