"""`aegis risks expire-acceptances`: acceptances that ran out send their risks back to review."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.models import AuditEvent, Risk, Unit
from tests.cli.console import Aegis


def _accepted_until(aegis: Aegis, expires_on: date) -> int:
    with Session(aegis.engine) as session:
        unit = Unit(name="Company")
        session.add(unit)
        session.flush()
        risk = Risk(
            unit_id=unit.id,
            ref="R-1",
            title="Legacy file server",
            category="technical",
            status="accepted",
            treatment="accept",
            inherent_likelihood=3,
            inherent_impact=3,
            inherent_score=9,
            inherent_level="Medium",
            acceptance_justification="Retired soon",
            acceptance_expires_on=expires_on,
        )
        session.add(risk)
        session.commit()
        return risk.id


def test_expired_acceptances_go_back_to_review_once(migrated: Aegis) -> None:
    today = utcnow().date()
    risk_id = _accepted_until(migrated, today - timedelta(days=3))
    early = migrated.ok(
        "risks", "expire-acceptances", "--today", (today - timedelta(days=3)).isoformat()
    )
    assert early.output == "0 risks went back to review: acceptance expired\n"
    done = migrated.ok("risks", "expire-acceptances")
    assert done.output == "1 risk went back to review: acceptance expired\n"
    assert migrated.scalar(select(Risk.status).where(Risk.id == risk_id)) == "acceptance_expired"
    assert migrated.count(AuditEvent, AuditEvent.entity_type == "risk") == 1
    again = migrated.ok("risks", "expire-acceptances")
    assert again.output.startswith("0 risks")


def test_a_bad_day_is_refused_plainly(migrated: Aegis) -> None:
    refused = migrated("risks", "expire-acceptances", "--today", "tomorrow")
    assert refused.exit_code == 2
    assert "--today must be a date like 2026-12-31" in refused.output
