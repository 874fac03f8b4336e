"""Errors of the tasks domain."""

from __future__ import annotations

from collections.abc import Sequence

from aegis.core.errors import Conflict, NotFound
from aegis.core.messages import choice_label


class TaskNotFound(NotFound):
    """The task does not exist or is outside the caller's units."""


class TransitionNotAllowed(Conflict):
    """A task cannot move from its current status to the requested one."""

    def __init__(self, current: str, requested: str, allowed: Sequence[str]) -> None:
        now, wanted = choice_label(current), choice_label(requested)
        super().__init__(
            f"A task cannot go from {now} to {wanted}; from {now} it can go to: "
            + ", ".join(choice_label(status) for status in allowed),
            details=[{"field": "status", "from": current, "to": requested}],
        )
