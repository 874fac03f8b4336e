"""A known organisation for dashboard figures: risks, tasks, evidence and assessments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskUpdate
from aegis.models import Assessment
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.frameworks import make_framework
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task

# name: (unit, inherent likelihood × impact, residual likelihood × impact or None, status)
RISKS: dict[str, tuple[str, tuple[int, int], tuple[int, int] | None, str]] = {
    "a_critical": ("division-a", (4, 5), None, "identified"),  # 20, current 20
    "a_treated": ("division-a", (3, 3), (1, 2), "identified"),  # 9, current 2
    "a_low": ("division-a", (2, 2), None, "assessed"),  # 4, current 4
    "a_closed": ("division-a", (5, 5), None, "closed"),  # not open: never counted
    "team_high": ("team-a1", (3, 4), (2, 4), "identified"),  # 12, current 8
    "b_critical": ("division-b", (5, 4), (4, 4), "identified"),  # 20, current 16
    "b_low": ("division-b", (1, 1), None, "identified"),  # 1, current 1
}


@dataclass
class Built:
    """Ids of what was built, by name."""

    today: date
    risks: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, int] = field(default_factory=dict)
    frameworks: dict[str, int] = field(default_factory=dict)
    assessments: dict[str, int] = field(default_factory=dict)


def build(db: Session, world: Any, principal_for: Any, today: date) -> Built:
    """Build the organisation through the services, as the root administrator."""
    admin, units, built = principal_for("admin"), world.units, Built(today=today)
    for name, (unit, (lk, im), residual, status) in RISKS.items():
        fields: dict[str, Any] = {"inherent_likelihood": lk, "inherent_impact": im}
        if residual:
            fields.update(residual_likelihood=residual[0], residual_impact=residual[1])
        made = make_risk(db, admin, units[unit], title=name, status=status, **fields)
        built.risks[name] = made.id
    _tasks(db, world, admin, built)
    _evidence(db, world, admin, built)
    _compliance(db, world, admin, built)
    db.flush()
    return built


def _tasks(db: Session, world: Any, admin: Any, built: Built) -> None:
    units, users, day = world.units, world.users, timedelta(days=1)
    risk_a, risk_b = built.risks["a_critical"], built.risks["b_critical"]
    # name: (unit, assignee, due in days or None, priority)
    plan: dict[str, tuple[str, str | None, int | None, str]] = {
        "late_mine": ("division-a", "analyst", -3, "medium"),  # overdue
        "soon_mine": ("division-a", "analyst", 2, "low"),
        "undated_mine": ("division-a", "analyst", None, "urgent"),
        "done_mine": ("division-a", "analyst", -1, "high"),  # done below: not overdue
        "late_unassigned": ("team-a1", None, -5, "high"),  # overdue
        "today_mine": ("team-a1", "analyst", 0, "high"),  # due today: not overdue yet
        "late_b": ("division-b", "analyst_b", -2, "medium"),  # overdue
        "b_for_analyst": ("division-b", "analyst", 1, "medium"),  # not visible to analyst
    }
    for name, (unit, assignee, due, priority) in plan.items():
        made = make_task(
            db,
            admin,
            units[unit],
            title=name,
            risk_id=risk_b if unit == "division-b" else risk_a,
            assignee_id=users[assignee] if assignee else None,
            due_date=None if due is None else built.today + due * day,
            priority=priority,
        )
        built.tasks[name] = made.id
    tasks.update_task(
        session=db,
        principal=admin,
        task_id=built.tasks["done_mine"],
        data=TaskUpdate(status="done"),
    )


def _evidence(db: Session, world: Any, admin: Any, built: Built) -> None:
    units, day = world.units, timedelta(days=1)
    # name: (unit, expires in days or None)
    plan: dict[str, tuple[str, int | None]] = {
        "today": ("division-a", 0),  # expiring (still current today)
        "in_30": ("team-a1", 30),  # expiring: the window includes its last day
        "in_31": ("division-a", 31),  # beyond the window
        "yesterday": ("division-a", -1),  # expired
        "forever": ("division-a", None),  # never expires
        "b_in_5": ("division-b", 5),  # expiring
        "b_expired": ("division-b", -10),  # expired
    }
    for name, (unit, expires) in plan.items():
        expires_on = None if expires is None else built.today + expires * day
        made = make_link(db, admin, units[unit], title=name, expires_on=expires_on)
        built.evidence[name] = made.id


def _compliance(db: Session, world: Any, admin: Any, built: Built) -> None:
    """Alpha: 50.0 for division-a and team-a1; Beta: 25.0 for division-b.

    Beta's first requirement is met by a division-a control, out of division-b's scope:
    counting it would give Beta 75.0.
    """
    units = world.units
    alpha, alpha_req = make_framework(db, admin, units["company"], ("R1", "R2"), name="Alpha")
    beta, beta_req = make_framework(db, admin, units["company"], ("R1", "R2"), name="Beta")
    built.frameworks.update(alpha=alpha.id, beta=beta.id)
    control_a = make_control(
        db,
        admin,
        units["division-a"],
        "A-1",
        status="implemented",
        requirement_ids=[alpha_req["R1"], beta_req["R1"]],
    )
    make_control(
        db,
        admin,
        units["division-b"],
        "B-1",
        status="partially_implemented",
        requirement_ids=[beta_req["R2"]],
    )
    proof = make_link(db, admin, units["division-a"], title="proof", control_ids=[control_a.id])
    built.evidence["proof"] = proof.id
    older = make_assessment(db, admin, units["division-a"], alpha.id, name="Alpha, division-a")
    newer = make_assessment(db, admin, units["team-a1"], alpha.id, name="Alpha, team-a1")
    beta_b = make_assessment(db, admin, units["division-b"], beta.id, name="Beta, division-b")
    # created first, but dated later: the newest assessment of Alpha is division-a's
    db.get(Assessment, older.id).created_at = newer.created_at + timedelta(hours=1)
    built.assessments.update(alpha_a=older.id, alpha_team=newer.id, beta_b=beta_b.id)
