"""Carrying out a plan through the services, all or nothing.

Every row runs in a savepoint of its own inside one savepoint for the file, so a row the
service refuses is reported and the others still run: the dry run finds every problem the
import would meet. Unless it is a real import and no row was refused, the file's savepoint is
rolled back and nothing is left written. Assets and controls, whose every rule the plan checks,
are not run at all by a dry run: it costs a few queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import AegisError, EditConflict, PermissionDenied
from aegis.core.messages import plain_message
from aegis.domains.imports.kinds import Kind
from aegis.domains.imports.planning import Column, Planned

Progress = Callable[[int, int], None]


def _refusal(plan: Planned, columns: dict[str, Column], exc: Exception) -> None:
    """Note why the service refused a row, in the columns its details name."""
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else None
            plan.refuse(columns.get(name or ""), plain_message(error), name)
        return
    if isinstance(exc, IntegrityError):
        plan.refuse(columns.get("ref"), "Another object of this unit already has this reference")
        return
    if not isinstance(exc, AegisError):
        raise exc
    if isinstance(exc, PermissionDenied):
        plan.refuse(columns.get("unit_id"), exc.message, "unit_id")
        return
    details = (
        exc.details if isinstance(exc.details, list) and not isinstance(exc, EditConflict) else []
    )
    named = [d for d in details if isinstance(d, dict) and d.get("message")]
    if not named:
        plan.refuse(None, exc.message)
    for detail in named:
        name = str(detail.get("field") or "")
        plan.refuse(columns.get(name), str(detail["message"]), name or None)


def apply(
    session: Session,
    principal: Principal,
    kind: Kind,
    plans: list[Planned],
    columns: dict[str, Column],
    *,
    save: bool,
    progress: Progress | None = None,
) -> bool:
    """Run the planned creations and updates; keep them only when saving and none failed.

    When the plan checks every rule of the kind's services, a dry run, or an import the plan
    already refuses, runs nothing: the plan has found every problem there is.
    """
    failed = any(plan.action == "error" for plan in plans)
    if kind.checked_by_plan and (failed or not save):
        return False
    work = [plan for plan in plans if plan.action in ("create", "update")]
    whole = session.begin_nested()
    try:
        for done, plan in enumerate(work, start=1):
            try:
                with session.begin_nested():
                    if plan.action == "create":
                        kind.create(session, principal, dict(plan.values))
                    elif plan.object_id is not None:
                        kind.update(session, principal, plan.object_id, dict(plan.values))
            except (AegisError, ValidationError, IntegrityError) as exc:
                _refusal(plan, columns, exc)
                failed = True
            if progress is not None:
                progress(done, len(work))
    except BaseException:
        whole.rollback()
        raise
    if save and not failed:
        whole.commit()
        return True
    whole.rollback()
    return False
