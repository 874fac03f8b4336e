"""Risks found by a text search."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.core.messages import choice_label
from aegis.domains.common.matches import Match, Matches, first_rows, matched_text
from aegis.domains.risks import repository as repo
from aegis.domains.risks.rules import shown_status
from aegis.domains.risks.schemas import RiskQuery
from aegis.models import Risk


def _match(risk: Risk, text: str, today: date) -> Match:
    status = shown_status(risk.status, risk.acceptance_expires_on, today)
    level = risk.residual_level or risk.inherent_level
    return Match(
        id=risk.id,
        title=risk.title,
        unit_id=risk.unit_id,
        labels=[choice_label(status), f"{level} risk"],
        excerpt=matched_text(text, risk.title, risk.description),
    )


def find_risks(
    *, session: Session, principal: Principal, text: str, limit: int, offset: int = 0
) -> Matches:
    """Risks of the caller's units whose title or description contains the text, by title."""
    stmt = repo.filtered(principal.readable, RiskQuery(q=text)).order_by(Risk.title, Risk.id)
    rows, total = first_rows(session, stmt, limit, offset)
    today = utcnow().date()
    return Matches(total=total, items=[_match(risk, text, today) for (risk,) in rows])
