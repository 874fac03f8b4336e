"""Framework builders."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import FrameworkRead

_numbers = count(1)


def make_framework(
    db: Session,
    principal: Principal | None,
    unit_id: int,
    ref_ids: Sequence[str] = ("R1", "R2", "R3"),
    *,
    key: str | None = None,
    version: str = "1.0",
    name: str | None = None,
) -> tuple[FrameworkRead, dict[str, int]]:
    """Create a framework of flat, assessable requirements; return it and {ref_id: id}."""
    number = next(_numbers)
    lines = [
        "id,parent,title,text",
        *(f"{ref},,Requirement {ref},Text of {ref}" for ref in ref_ids),
    ]
    framework = service.import_csv(
        session=db,
        principal=principal,
        unit_id=unit_id,
        content="\n".join(lines).encode(),
        name=name or f"Test framework {number}",
        key=key or f"test-framework-{number}",
        version=version,
    )
    ids = service.requirement_ids(session=db, principal=principal, framework_id=framework.id)
    return framework, ids
