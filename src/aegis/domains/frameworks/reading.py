"""Helpers shared by the framework use cases: lookups, read models, audit snapshots."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.common.changes import snapshot
from aegis.domains.frameworks import repository as repo
from aegis.domains.frameworks.errors import FrameworkNotFound, RequirementNotFound
from aegis.domains.frameworks.schemas import FrameworkCreate, FrameworkRead
from aegis.models import Framework, Requirement

FIELDS = ("unit_id", "key", "name", "version", "description", "source")
READ_ONLY = ("id", "catalog_uuid", "created_at", "updated_at")


def framework_reads(session: Session, frameworks: list[Framework]) -> list[FrameworkRead]:
    """Read models of several frameworks with their requirement counts (one query)."""
    counts = repo.requirement_counts(session, [f.id for f in frameworks])
    return [
        FrameworkRead.model_validate(
            {
                **{name: getattr(f, name) for name in (*FIELDS, *READ_ONLY)},
                "requirement_count": counts.get(f.id, 0),
            }
        )
        for f in frameworks
    ]


def visible_framework(
    session: Session, principal: Principal | None, framework_id: int
) -> Framework:
    """A framework shared with the caller, or FrameworkNotFound."""
    found = repo.framework(session, principal, framework_id)
    if found is None:
        raise FrameworkNotFound("Framework not found")
    return found


def visible_requirement(
    session: Session, principal: Principal | None, requirement_id: int
) -> Requirement:
    """A requirement whose framework is shared with the caller, or RequirementNotFound."""
    found = repo.requirement(session, principal, requirement_id)
    if found is None:
        raise RequirementNotFound("Requirement not found")
    return found


def audit_view(framework: Framework, **extra: Any) -> dict[str, Any]:
    """The audited fields of a framework."""
    return snapshot(framework, FIELDS, **extra)


def checked_create(**fields: Any) -> FrameworkCreate:
    """Validate framework fields given outside a request body (imports, console)."""
    try:
        return FrameworkCreate(**fields)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
            for e in exc.errors()
        ]
        names = ", ".join(d["field"] for d in details)
        raise ValidationFailed(f"Invalid framework fields: {names}", details=details) from exc
