"""Evidence found by a text search."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.core.messages import choice_label
from aegis.domains.common.matches import Match, Matches, first_rows, matched_text
from aegis.domains.evidence import repository as repo
from aegis.domains.evidence.schemas import EvidenceQuery
from aegis.models import Evidence


def _expiry(expires_on: date | None, today: date) -> list[str]:
    if expires_on is None:
        return []
    return [f"{'Expired on' if expires_on < today else 'Expires on'} {expires_on.isoformat()}"]


def find_evidence(
    *, session: Session, principal: Principal, text: str, limit: int, offset: int = 0
) -> Matches:
    """Evidence of the caller's units whose title or description contains the text, by title."""
    today = utcnow().date()
    query = EvidenceQuery(q=text)
    stmt = repo.filtered(principal.readable, query, today).order_by(Evidence.title, Evidence.id)
    rows, total = first_rows(session, stmt, limit, offset)
    items = [
        Match(
            id=evidence.id,
            title=evidence.title,
            unit_id=evidence.unit_id,
            labels=[choice_label(evidence.kind), *_expiry(evidence.expires_on, today)],
            excerpt=matched_text(text, evidence.title, evidence.description),
        )
        for (evidence,) in rows
    ]
    return Matches(total=total, items=items)
