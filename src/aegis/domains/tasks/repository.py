"""Queries of the tasks domain, always scoped to the caller's units."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.common.listing import like_pattern
from aegis.domains.common.ranks import ranked
from aegis.domains.common.scope import within_unit
from aegis.domains.tasks.schemas import TaskQuery
from aegis.domains.tasks.workflow import CLOSED
from aegis.models import Control, Risk, Task, TaskComment
from aegis.models.enums import TaskPriority, TaskStatus

FAR_FUTURE = date(9999, 12, 31)
SORTABLE: dict[str, Any] = {
    "title": Task.title,
    # tasks without a due date sort as if due last
    "due_date": func.coalesce(Task.due_date, FAR_FUTURE),
    "priority": ranked(Task.priority, TaskPriority),
    "status": ranked(Task.status, TaskStatus),
    "created_at": Task.created_at,
    "updated_at": Task.updated_at,
    "id": Task.id,
}
COMMENT_SORTABLE: dict[str, Any] = {"created_at": TaskComment.created_at, "id": TaskComment.id}
EQUAL_FILTERS = (
    "unit_id",
    "status",
    "priority",
    "kind",
    "assignee_id",
    "risk_id",
    "asset_id",
    "control_id",
)


def visible(units: frozenset[int]) -> Select[Task]:
    """Tasks of these units."""
    return select(Task).where(in_units(Task.unit_id, units))


def overdue(on: date) -> ColumnElement[bool]:
    """SQL condition: due before this day and neither done nor cancelled."""
    return and_(
        Task.due_date.is_not(None),
        Task.due_date < on,
        Task.status.not_in(sorted(s.value for s in CLOSED)),
    )


def filtered(units: frozenset[int], query: TaskQuery, user_id: int, on: date) -> Select[Task]:
    """Tasks of these units matching the filters; `mine` means assigned to user_id."""
    stmt = visible(units)
    if query.q:
        pattern = like_pattern(query.q)
        stmt = stmt.where(
            or_(
                func.lower(Task.title).like(pattern, escape="\\"),
                func.lower(Task.description).like(pattern, escape="\\"),
            )
        )
    for name in EQUAL_FILTERS:
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Task, name) == value)
    if query.due_before is not None:
        stmt = stmt.where(Task.due_date < query.due_before)
    if query.due_after is not None:
        stmt = stmt.where(Task.due_date > query.due_after)
    if query.overdue is not None:
        stmt = stmt.where(overdue(on) if query.overdue else not_(overdue(on)))
    if query.mine:
        stmt = stmt.where(Task.assignee_id == user_id)
    if query.within_unit_id is not None:
        stmt = stmt.where(within_unit(Task.unit_id, query.within_unit_id))
    return stmt


def get(
    session: Session, units: frozenset[int], task_id: int, *, lock: bool = False
) -> Task | None:
    """One task of these units, optionally locked (and re-read) for an update."""
    stmt = visible(units).where(Task.id == task_id)
    return session.scalar(
        stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt
    )


def comment_counts(session: Session, task_ids: list[int]) -> dict[int, int]:
    """Number of comments of several tasks in one grouped query."""
    if not task_ids:
        return {}
    stmt = (
        select(TaskComment.task_id, func.count(TaskComment.id))
        .where(TaskComment.task_id.in_(sorted(set(task_ids))))
        .group_by(TaskComment.task_id)
    )
    return {task_id: int(count) for task_id, count in session.execute(stmt)}


def comments_of(task_id: int) -> Select[TaskComment]:
    """The comments of one task."""
    return select(TaskComment).where(TaskComment.task_id == task_id)


def risk_unit(session: Session, units: frozenset[int], risk_id: int) -> int | None:
    """The unit of a risk of these units, None when it is not one of them."""
    stmt = select(Risk.unit_id).where(Risk.id == risk_id, in_units(Risk.unit_id, units))
    return session.scalar(stmt)


def control_unit(session: Session, units: frozenset[int], control_id: int) -> int | None:
    """The unit of a control of these units, None when it is not one of them."""
    stmt = select(Control.unit_id).where(Control.id == control_id, in_units(Control.unit_id, units))
    return session.scalar(stmt)


def count_overdue(session: Session, units: frozenset[int], on: date) -> int:
    """How many tasks of these units are overdue on this day."""
    stmt = select(func.count()).select_from(Task).where(in_units(Task.unit_id, units), overdue(on))
    return int(session.scalar(stmt) or 0)


def open_assigned(units: frozenset[int], user_id: int) -> Select[Task]:
    """Tasks of these units assigned to the user and neither done nor cancelled, soonest due first.

    Tasks without a due date come last; among equal due dates, the most urgent first.
    """
    return (
        visible(units)
        .where(Task.assignee_id == user_id, Task.status.not_in(sorted(s.value for s in CLOSED)))
        .order_by(SORTABLE["due_date"], SORTABLE["priority"].desc(), Task.id)
    )
