"""The task life cycle: which status may follow which, and when a task counts as late."""

from __future__ import annotations

from datetime import date, datetime

from aegis.core.db import utcnow
from aegis.domains.tasks.errors import TransitionNotAllowed
from aegis.models.enums import TaskStatus

OPEN, IN_PROGRESS, BLOCKED = TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED
DONE, CANCELLED = TaskStatus.DONE, TaskStatus.CANCELLED

ALLOWED: dict[TaskStatus, frozenset[TaskStatus]] = {
    OPEN: frozenset({IN_PROGRESS, BLOCKED, DONE, CANCELLED}),
    IN_PROGRESS: frozenset({OPEN, BLOCKED, DONE, CANCELLED}),
    BLOCKED: frozenset({OPEN, IN_PROGRESS, CANCELLED}),
    DONE: frozenset({OPEN, IN_PROGRESS}),
    CANCELLED: frozenset({OPEN}),
}
CLOSED = frozenset({DONE, CANCELLED})


def today() -> date:
    """The current day in UTC, the reference for due dates."""
    return utcnow().date()


def require_transition(current: str, requested: str) -> None:
    """Raise unless a task may go from the current status to the requested one."""
    if current != requested and TaskStatus(requested) not in ALLOWED[TaskStatus(current)]:
        raise TransitionNotAllowed(current, requested, next_statuses(current))


def next_statuses(current: str) -> list[TaskStatus]:
    """The statuses a task may move to from this one, in life-cycle order."""
    allowed = ALLOWED[TaskStatus(current)]
    return [status for status in TaskStatus if status in allowed]


def completed_at_after(
    current: str, requested: str, completed_at: datetime | None
) -> datetime | None:
    """Completion time after a status change: set on becoming done, cleared on leaving it."""
    if requested == DONE:
        return completed_at if current == DONE and completed_at else utcnow()
    return None


def is_overdue(status: str, due_date: date | None, on: date) -> bool:
    """Whether a task is past its due date and still to be done."""
    return due_date is not None and due_date < on and status not in CLOSED
