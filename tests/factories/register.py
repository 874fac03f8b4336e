"""A random-ish organisation for list filters and dashboard figures, seeded to be repeatable."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.db import utcnow
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskUpdate
from aegis.models import Risk
from tests.factories.evidence import make_link
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task

UNITS = ("company", "division-a", "team-a1", "division-b")
OWNERS = ("analyst", "admin_a", "analyst_b", "readonly")
STATUSES = ("identified", "assessed", "treatment_planned", "closed", "accepted")


@dataclass
class Register:
    """Ids of what was built, and the day it was built for."""

    today: date
    risks: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)


def _maybe(rng: random.Random, value: Any, chance: float = 0.6) -> Any:
    return value if rng.random() < chance else None


def _risk_fields(rng: random.Random, world: Any, today: date, status: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "status": status,
        "inherent_likelihood": rng.randint(1, 5),
        "inherent_impact": rng.randint(1, 5),
        "owner_id": _maybe(rng, world.users[rng.choice(OWNERS)]),
        "next_review_date": _maybe(rng, today + timedelta(days=rng.randint(-20, 20))),
    }
    if rng.random() < 0.5:
        fields.update(residual_likelihood=rng.randint(1, 5), residual_impact=rng.randint(1, 5))
    return fields


def _accept(db: Session, risk_id: int, approver: int, expires_on: date) -> None:
    """Accept a risk as an approved request would (the register is built by one person)."""
    row = db.get(Risk, risk_id)
    assert row is not None
    row.status, row.treatment = "accepted", "accept"
    row.acceptance_approver_id = approver
    row.acceptance_justification = "Within tolerance for now"
    row.acceptance_expires_on = expires_on


def build_register(
    db: Session, world: Any, principal_for: Any, *, seed: int = 7, size: int = 40
) -> Register:
    """Risks, tasks on them and evidence spread over every unit, built by the root administrator.

    Some accepted risks have an acceptance that ran out, as if time had passed.
    """
    rng, admin = random.Random(seed), principal_for("admin")
    built = Register(today=utcnow().date())
    risks_of: dict[int, list[int]] = {}
    for n in range(size):
        unit = world.units[UNITS[n % len(UNITS)]]
        status = STATUSES[n % len(STATUSES)] if n < len(STATUSES) else rng.choice(STATUSES)
        fields = _risk_fields(
            rng, world, built.today, "assessed" if status == "accepted" else status
        )
        risk = make_risk(db, admin, unit, title=f"Risk {seed}-{n}", **fields)
        built.risks.append(risk.id)
        risks_of.setdefault(unit, []).append(risk.id)
        if status == "accepted":
            expires = built.today + timedelta(days=rng.randint(1, 60))
            if rng.random() < 0.5:
                expires = built.today - timedelta(days=rng.randint(1, 30))
            _accept(db, risk.id, world.users["admin"], expires)
    for n in range(size // 2):
        unit = world.units[UNITS[rng.randrange(len(UNITS))]]
        due = _maybe(rng, built.today + timedelta(days=rng.randint(-10, 10)), 0.8)
        risk_id = rng.choice(risks_of[unit])
        task = make_task(db, admin, unit, title=f"Task {seed}-{n}", due_date=due, risk_id=risk_id)
        built.tasks.append(task.id)
        if rng.random() < 0.25:
            tasks.update_task(
                session=db, principal=admin, task_id=task.id, data=TaskUpdate(status="done")
            )
    for n in range(size // 2):
        unit = world.units[UNITS[rng.randrange(len(UNITS))]]
        expires = _maybe(rng, built.today + timedelta(days=rng.randint(-40, 40)), 0.8)
        built.evidence.append(
            make_link(db, admin, unit, title=f"Evidence {seed}-{n}", expires_on=expires).id
        )
    db.flush()
    return built
