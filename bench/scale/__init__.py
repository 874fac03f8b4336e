"""A deterministic dataset at a scale factor, written in bulk into an empty Aegis database.

Scale 1 is 10,000 assets, 5,000 risks, 500 controls, 5,000 tasks, 1,000 evidence links and
20,000 audit events, with their links (assets and controls of each risk, requirements of
the shipped frameworks each control meets, controls and requirements of each evidence), an
assessment of each framework for the company and each division, 29 units and 103 people.
Half of the objects are in the Operations division, which the division analyst reads.
The same seed, scale and anchor day give the same rows.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as midnight

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aegis.core import migrations
from aegis.core.audit_chain import KEY_INFO
from aegis.domains.frameworks import service as frameworks
from aegis.models import (
    Assessment,
    Asset,
    AuditEvent,
    Control,
    Evidence,
    Risk,
    Task,
    Unit,
    User,
)
from bench.scale import compliance, organisation, plan, register, trail
from bench.scale.context import Context
from bench.scale.tables import follow_ids

DEFAULT_SEED = 20261130
COUNTED = {
    "units": Unit,
    "users": User,
    "assets": Asset,
    "risks": Risk,
    "controls": Control,
    "tasks": Task,
    "evidence": Evidence,
    "assessments": Assessment,
    "audit_events": AuditEvent,
}


class NotEmpty(RuntimeError):
    """Raised when the database already holds an organisation."""


@dataclass(frozen=True)
class Generated:
    """What was written and how long it took."""

    scale: float
    seed: int
    counts: dict[str, int]
    seconds: float


def generate(
    engine: Engine, scale: float, *, key: str, seed: int = DEFAULT_SEED, today: date | None = None
) -> Generated:
    """Migrate, then write the dataset of `scale`; `key` is the audit chain key of the server."""
    sizes = plan.sizes(scale)
    started = time.perf_counter()
    migrations.upgrade(engine)
    rng = random.Random(seed)  # noqa: S311  # nosec B311 # reproducible data, not secrets
    units = plan.unit_tree()
    now = datetime.combine(today or datetime.now(UTC).date(), midnight(), UTC)
    with engine.begin() as connection:
        if connection.scalar(select(func.count()).select_from(Unit)):
            raise NotEmpty("The database already has units: generate into an empty database")
        people = organisation.write(connection, rng, units, now)
    with Session(engine, info={KEY_INFO: key}) as session:  # through the product, as at start-up
        frameworks.load_shipped_frameworks(session=session, unit_id=units[0].id)
        session.commit()
    with engine.begin() as connection:
        ctx = Context(rng, units, people, now)
        found = compliance.catalog(connection)
        register.assets(ctx, connection, sizes.assets)
        register.controls(ctx, connection, sizes.controls)
        register.risks(ctx, connection, sizes.risks)
        register.tasks(ctx, connection, sizes.tasks)
        compliance.map_controls(ctx, connection, found)
        compliance.evidence(ctx, connection, sizes.evidence, found)
        compliance.assessments(ctx, connection, found)
        trail.write(connection, ctx, sizes.audit_events, key.encode())
        follow_ids(connection, [model.__table__ for model in COUNTED.values()])
        counts = {
            name: int(connection.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in COUNTED.items()
        }
    return Generated(scale, seed, counts, time.perf_counter() - started)
