"""Errors of the tasks domain."""

from __future__ import annotations

from aegis.core.errors import Conflict, NotFound


class TaskNotFound(NotFound):
    """The task does not exist or is outside the caller's units."""


class TransitionNotAllowed(Conflict):
    """A task cannot move from its current status to the requested one."""

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(
            f"A task cannot go from '{current}' to '{requested}'",
            details=[{"field": "status", "from": current, "to": requested}],
        )
