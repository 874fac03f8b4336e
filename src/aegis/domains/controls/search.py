"""Controls found by a text search."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.common.matches import Match, Matches, first_rows, matched_text
from aegis.domains.controls import repository as repo
from aegis.domains.controls.schemas import ControlQuery
from aegis.models import Control


def find_controls(
    *, session: Session, principal: Principal, text: str, limit: int, offset: int = 0
) -> Matches:
    """Controls of the caller's units whose reference, title or description matches, by ref."""
    query = ControlQuery(q=text)
    stmt = repo.filtered(principal.readable, query).order_by(Control.ref, Control.id)
    rows, total = first_rows(session, stmt, limit, offset)
    items = [
        Match(
            id=control.id,
            title=f"{control.ref} {control.title}",
            unit_id=control.unit_id,
            labels=[choice_label(control.status)],
            excerpt=matched_text(text, f"{control.ref} {control.title}", control.description),
        )
        for (control,) in rows
    ]
    return Matches(total=total, items=items)
