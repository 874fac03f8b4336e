"""Acceptances that run out: the risk goes back to review with the status acceptance expired."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from aegis.domains.common import versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.risks import repository as repo
from aegis.domains.risks.rules import shown_status
from aegis.models import Risk
from aegis.models.enums import RiskStatus


def expire_if_due(session: Session, risk: Risk, today: date) -> bool:
    """Record that the (locked) risk's acceptance ran out before `today`; False if it did not."""
    if shown_status(risk.status, risk.acceptance_expires_on, today) == risk.status:
        return False
    before = snapshot(risk, ("status",))
    risk.status = RiskStatus.ACCEPTANCE_EXPIRED.value
    after = versions.saved(session, risk, before, snapshot(risk, ("status",)))
    record(session, None, "update", "risk", risk.id, risk.unit_id, before, after)
    return True


def expire_due(*, session: Session, today: date) -> int:
    """Record every acceptance, in any unit, that ran out before `today`; return how many."""
    return sum(expire_if_due(session, risk, today) for risk in repo.due_for_expiry(session, today))
