"""The summary costs the same number of queries for a small and a larger organisation."""

from __future__ import annotations

from datetime import timedelta

from aegis.core.db import utcnow
from aegis.domains.assessments import service as assessments
from aegis.domains.assessments.schemas import OverrideWrite
from aegis.domains.dashboard import service
from tests.domains.dashboard.scenario import build
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.frameworks import make_framework
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task

BUDGET = 18  # 4 risks, 3 tasks, 1 evidence, 8 compliance, 2 activity (events, their names)


def _grow(db, world, principal_for, today) -> None:
    """Add many more of everything the dashboard counts, in every unit."""
    admin, units, users = principal_for("admin"), world.units, world.users
    names = ["division-a", "team-a1", "division-b", "company"]
    for n in range(24):
        unit = units[names[n % 4]]
        risk = make_risk(
            db,
            admin,
            unit,
            title=f"more {n}",
            inherent_likelihood=n % 5 + 1,
            inherent_impact=(n * 3) % 5 + 1,
            **({"residual_likelihood": 1, "residual_impact": n % 5 + 1} if n % 2 else {}),
        )
        make_task(
            db,
            admin,
            unit,
            risk_id=risk.id,
            assignee_id=users["analyst"] if n % 2 else None,
            due_date=today + timedelta(days=n - 12),
        )
        make_link(db, admin, unit, title=f"more {n}", expires_on=today + timedelta(days=n - 6))
    for n in range(4):
        framework, ids = make_framework(db, admin, units["company"], ("X1", "X2", "X3"))
        control = make_control(
            db, admin, units["division-a"], status="implemented", requirement_ids=list(ids.values())
        )
        make_link(db, admin, units["division-a"], title="proof", control_ids=[control.id])
        assessment = make_assessment(db, admin, units[names[n]], framework.id)
        assessments.set_override(
            session=db,
            principal=admin,
            assessment_id=assessment.id,
            requirement_id=ids["X1"],
            data=OverrideWrite(status="non_compliant", justification="Sampled and found lacking"),
        )
    db.flush()


def _cost(db, principal, today, count_queries, unit_id=None) -> int:
    with count_queries() as counter:
        service.summary(session=db, principal=principal, today=today, unit_id=unit_id)
    return counter.count


def test_the_same_number_of_queries_whatever_the_data_size(
    db, world, principal_for, count_queries
) -> None:
    today = utcnow().date()
    analyst, admin = principal_for("analyst"), principal_for("admin")
    build(db, world, principal_for, today)
    small = {
        "analyst": _cost(db, analyst, today, count_queries),
        "admin": _cost(db, admin, today, count_queries),
        "filtered": _cost(db, admin, today, count_queries, world.units["division-a"]),
    }
    before = service.summary(session=db, principal=admin, today=today)
    _grow(db, world, principal_for, today)
    after = service.summary(session=db, principal=admin, today=today)
    assert after.risks.open_count == before.risks.open_count + 24
    assert len(after.compliance) == len(before.compliance) + 4
    large = {
        "analyst": _cost(db, analyst, today, count_queries),
        "admin": _cost(db, admin, today, count_queries),
        "filtered": _cost(db, admin, today, count_queries, world.units["division-a"]),
    }
    assert large == small
    assert small["analyst"] == BUDGET
    assert small["filtered"] == small["admin"] + 1  # the unit tree
