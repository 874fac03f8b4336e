"""Tasks found by a text search."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.common.matches import Match, Matches, first_rows, matched_text
from aegis.domains.tasks import repository as repo
from aegis.domains.tasks import workflow
from aegis.domains.tasks.schemas import TaskQuery
from aegis.models import Task


def find_tasks(
    *, session: Session, principal: Principal, text: str, limit: int, offset: int = 0
) -> Matches:
    """Tasks of the caller's units whose title or description contains the text, by title."""
    today = workflow.today()
    query = TaskQuery(q=text)
    stmt = repo.filtered(principal.readable, query, principal.user_id, today)
    rows, total = first_rows(session, stmt.order_by(Task.title, Task.id), limit, offset)
    items = []
    for (task,) in rows:
        labels = [choice_label(task.status), f"{choice_label(task.priority)} priority"]
        if task.due_date is not None:
            late = workflow.is_overdue(task.status, task.due_date, today)
            labels.append(f"Due {task.due_date.isoformat()}{' (overdue)' if late else ''}")
        items.append(
            Match(
                id=task.id,
                title=task.title,
                unit_id=task.unit_id,
                labels=labels,
                excerpt=matched_text(text, task.title, task.description),
            )
        )
    return Matches(total=total, items=items)
