"""Control builders, and frameworks inserted directly as rows for compliance tests."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.controls import service
from aegis.domains.controls.schemas import ControlCreate, ControlRead
from aegis.models import Framework, Requirement


def insert_framework(
    db: Session,
    unit_id: int,
    ref_ids: Sequence[str] = ("R1", "R2", "R3"),
    *,
    parents: Mapping[str, str] | None = None,
    not_assessable: Sequence[str] = (),
) -> tuple[Framework, dict[str, int]]:
    """Insert a framework and its requirements; return it and {ref_id: requirement id}."""
    framework = Framework(
        unit_id=unit_id,
        key=f"test-{uuid.uuid4().hex[:12]}",
        name="Test framework",
        version="1.0",
    )
    db.add(framework)
    db.flush()
    ids: dict[str, int] = {}
    for position, ref in enumerate(ref_ids):
        parent = (parents or {}).get(ref)
        requirement = Requirement(
            framework_id=framework.id,
            parent_id=ids[parent] if parent else None,
            ref_id=ref,
            title=f"Requirement {ref}",
            assessable=ref not in not_assessable,
            position=position,
        )
        db.add(requirement)
        db.flush()
        ids[ref] = requirement.id
    return framework, ids


def make_control(
    db: Session, principal: Principal, unit_id: int, ref: str | None = None, **fields: Any
) -> ControlRead:
    """Create a control in a unit (defaults: a planned control with a random reference)."""
    data = {"unit_id": unit_id, "ref": ref or f"C-{uuid.uuid4().hex[:8]}", "title": "Control"}
    return service.create_control(
        session=db, principal=principal, data=ControlCreate(**{**data, **fields})
    )
