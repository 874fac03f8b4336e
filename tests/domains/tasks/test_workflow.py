"""The task life cycle rules on their own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aegis.domains.tasks import workflow
from aegis.domains.tasks.errors import TransitionNotAllowed
from aegis.models.enums import TaskStatus

ALLOWED_PAIRS = [
    ("open", "in_progress"),
    ("open", "blocked"),
    ("open", "done"),
    ("open", "cancelled"),
    ("in_progress", "open"),
    ("in_progress", "blocked"),
    ("in_progress", "done"),
    ("in_progress", "cancelled"),
    ("blocked", "open"),
    ("blocked", "in_progress"),
    ("blocked", "cancelled"),
    ("done", "open"),
    ("done", "in_progress"),
    ("cancelled", "open"),
]
ALL_PAIRS = [(a.value, b.value) for a in TaskStatus for b in TaskStatus if a != b]


@pytest.mark.parametrize(("current", "requested"), ALLOWED_PAIRS)
def test_allowed_transitions_pass(current: str, requested: str) -> None:
    workflow.require_transition(current, requested)


@pytest.mark.parametrize(("current", "requested"), [p for p in ALL_PAIRS if p not in ALLOWED_PAIRS])
def test_other_transitions_are_refused_naming_both_statuses(current: str, requested: str) -> None:
    with pytest.raises(TransitionNotAllowed) as raised:
        workflow.require_transition(current, requested)
    assert raised.value.details == [{"field": "status", "from": current, "to": requested}]


@pytest.mark.parametrize("status", list(TaskStatus))
def test_staying_in_the_same_status_is_no_transition(status: TaskStatus) -> None:
    workflow.require_transition(status.value, status.value)


def test_completed_at_is_set_on_done_kept_while_done_and_cleared_on_leaving() -> None:
    earlier = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    stamped = workflow.completed_at_after("in_progress", "done", None)
    assert stamped is not None and stamped > earlier
    assert workflow.completed_at_after("done", "done", earlier) == earlier
    assert workflow.completed_at_after("done", "open", earlier) is None
    assert workflow.completed_at_after("open", "cancelled", None) is None


def test_overdue_means_past_due_and_still_to_do() -> None:
    on = date(2026, 3, 10)
    yesterday, tomorrow = on - timedelta(days=1), on + timedelta(days=1)
    assert workflow.is_overdue("open", yesterday, on)
    assert workflow.is_overdue("blocked", yesterday, on)
    assert not workflow.is_overdue("open", on, on)
    assert not workflow.is_overdue("open", tomorrow, on)
    assert not workflow.is_overdue("open", None, on)
    assert not workflow.is_overdue("done", yesterday, on)
    assert not workflow.is_overdue("cancelled", yesterday, on)
