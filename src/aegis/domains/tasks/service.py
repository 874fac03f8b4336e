"""Use cases of remediation and review tasks and their comments."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.assets import service as assets
from aegis.domains.common import versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.refs import require_free_ref
from aegis.domains.tasks import repository as repo
from aegis.domains.tasks import workflow
from aegis.domains.tasks.errors import TaskNotFound
from aegis.domains.tasks.schemas import (
    LINKS,
    CommentCreate,
    CommentQuery,
    CommentRead,
    TaskCreate,
    TaskQuery,
    TaskRead,
    TaskUpdate,
)
from aegis.domains.tasks.search import find_tasks as find_tasks
from aegis.domains.users import service as users
from aegis.models import Task, TaskComment
from aegis.models.enums import TaskStatus

FIELDS = (
    "unit_id",
    "ref",
    "title",
    "description",
    "kind",
    "status",
    "priority",
    "assignee_id",
    "due_date",
    "completed_at",
    *LINKS,
)
COMMENT_FIELDS = ("task_id", "author_id", "body")
REQUIRED = ("unit_id", "ref", "title", "kind", "status", "priority")


def _read_many(session: Session, tasks: list[Task], on: date | None = None) -> list[TaskRead]:
    counts = repo.comment_counts(session, [t.id for t in tasks])
    on = on or workflow.today()
    return [
        TaskRead.model_validate(
            {
                **{f: getattr(t, f) for f in (*FIELDS, *versions.META_FIELDS)},
                "overdue": workflow.is_overdue(t.status, t.due_date, on),
                "comment_count": counts.get(t.id, 0),
            }
        )
        for t in tasks
    ]


def list_tasks(*, session: Session, principal: Principal, query: TaskQuery) -> Page[TaskRead]:
    """List the tasks of the caller's units."""
    stmt = repo.filtered(principal.readable, query, principal.user_id, workflow.today())
    stmt = apply_sort(stmt, query.sort, repo.SORTABLE, (Task.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_read_many(session, rows), total, query)


def _get(session: Session, principal: Principal, task_id: int, *, lock: bool = False) -> Task:
    task = repo.get(session, principal.readable, task_id, lock=lock)
    if task is None:
        raise TaskNotFound("Task not found")
    return task


def get_task(*, session: Session, principal: Principal, task_id: int) -> TaskRead:
    """Return one task of the caller's units."""
    return _read_many(session, [_get(session, principal, task_id)])[0]


def _require_a_link(links: dict[str, int | None]) -> None:
    if all(value is None for value in links.values()):
        message = "Link the task to a risk, an asset or a control"
        raise ValidationFailed(
            message, details=[{"field": name, "message": message} for name in LINKS]
        )


def _check_links(
    session: Session, principal: Principal, links: dict[str, int | None]
) -> dict[str, int]:
    """Raise a field error for a linked object the caller cannot see; return known units."""
    units: dict[str, int] = {}
    for name, find in (("risk_id", repo.risk_unit), ("control_id", repo.control_unit)):
        value = links.get(name)
        if value is not None:
            unit = find(session, principal.readable, value)
            if unit is None:
                raise ValidationFailed(f"Unknown {name.removesuffix('_id')}: {value}", field=name)
            units[name] = unit
    asset_id = links.get("asset_id")
    if asset_id is not None:
        assets.require_visible_assets(
            session=session, principal=principal, asset_ids=[asset_id], field="asset_id"
        )
    return units


def _unit_of_first_link(
    session: Session, principal: Principal, links: dict[str, int | None], units: dict[str, int]
) -> int:
    """The unit of the first linked object, in the order risk, asset, control."""
    if "risk_id" in units:
        return units["risk_id"]
    asset_id = links["asset_id"]
    if asset_id is not None:
        return assets.get_asset(session=session, principal=principal, asset_id=asset_id).unit_id
    return units["control_id"]


def _check_assignee(session: Session, principal: Principal, assignee_id: int | None) -> None:
    if assignee_id is not None:
        users.require_visible_user(
            session=session, principal=principal, user_id=assignee_id, field="assignee_id"
        )


def create_task(*, session: Session, principal: Principal, data: TaskCreate) -> TaskRead:
    """Add an open task to a unit the caller may change (by default the linked object's)."""
    if data.unit_id is not None:
        principal.require_write(data.unit_id)
    links = {name: getattr(data, name) for name in LINKS}
    _require_a_link(links)
    units = _check_links(session, principal, links)
    unit_id = data.unit_id
    if unit_id is None:
        unit_id = _unit_of_first_link(session, principal, links, units)
        principal.require_write(unit_id)
    _check_assignee(session, principal, data.assignee_id)
    require_free_ref(session, Task, unit_id=unit_id, ref=data.ref, except_id=None, what="task")
    task = Task(**data.model_dump(exclude={"unit_id"}), unit_id=unit_id, status=TaskStatus.OPEN)
    session.add(task)
    session.flush()
    record(session, principal, "create", "task", task.id, unit_id, after=snapshot(task, FIELDS))
    return get_task(session=session, principal=principal, task_id=task.id)


def _check_changes(
    session: Session, principal: Principal, task: Task, changes: dict[str, Any]
) -> None:
    """Validate every change before any is applied."""
    for required in REQUIRED:
        if required in changes and changes[required] is None:
            raise ValidationFailed("This field cannot be empty", field=required)
    if changes.get("unit_id") is not None:
        principal.require_write(changes["unit_id"])
    if any(name in changes for name in LINKS):
        _require_a_link({name: changes.get(name, getattr(task, name)) for name in LINKS})
        new_links = {
            n: changes[n] for n in LINKS if n in changes and changes[n] != getattr(task, n)
        }
        _check_links(session, principal, new_links)
    if "assignee_id" in changes and changes["assignee_id"] != task.assignee_id:
        _check_assignee(session, principal, changes["assignee_id"])
    if "status" in changes:
        workflow.require_transition(task.status, changes["status"])
    if "unit_id" in changes or "ref" in changes:
        unit_id, ref = changes.get("unit_id", task.unit_id), changes.get("ref", task.ref)
        require_free_ref(session, Task, unit_id=unit_id, ref=ref, except_id=task.id, what="task")


def update_task(
    *, session: Session, principal: Principal, task_id: int, data: TaskUpdate
) -> TaskRead:
    """Change a task; moving it needs write access to both units."""
    task = _get(session, principal, task_id, lock=True)
    principal.require_write(task.unit_id)
    changes = data.model_dump(exclude_unset=True)
    expected = versions.expected_version(changes)
    versions.require_current(session, task, expected, entity_type="task", what="task")
    _check_changes(session, principal, task, changes)
    before = snapshot(task, FIELDS)
    if "status" in changes:
        task.completed_at = workflow.completed_at_after(
            task.status, changes["status"], task.completed_at
        )
    for name, value in changes.items():
        setattr(task, name, "" if name == "description" and value is None else value)
    session.flush()
    after = versions.saved(session, task, before, snapshot(task, FIELDS))
    record(session, principal, "update", "task", task.id, task.unit_id, before, after)
    return get_task(session=session, principal=principal, task_id=task.id)


def delete_task(*, session: Session, principal: Principal, task_id: int) -> None:
    """Delete a task with its comments."""
    task = _get(session, principal, task_id, lock=True)
    principal.require_write(task.unit_id)
    before = snapshot(task, FIELDS)
    session.delete(task)
    session.flush()
    record(session, principal, "delete", "task", task_id, task.unit_id, before=before)


def _comments_read(session: Session, comments: list[TaskComment]) -> list[CommentRead]:
    authors = {c.author_id for c in comments if c.author_id is not None}
    names = users.names_by_id(session=session, user_ids=authors)
    return [
        CommentRead.model_validate(
            {
                **{f: getattr(c, f) for f in (*COMMENT_FIELDS, "id", "created_at")},
                "author_name": names.get(c.author_id) if c.author_id is not None else None,
            }
        )
        for c in comments
    ]


def list_comments(
    *, session: Session, principal: Principal, task_id: int, query: CommentQuery
) -> Page[CommentRead]:
    """List the comments of a task the caller can see, oldest first."""
    _get(session, principal, task_id)
    default = (TaskComment.created_at, TaskComment.id)
    stmt = apply_sort(repo.comments_of(task_id), query.sort, repo.COMMENT_SORTABLE, default)
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_comments_read(session, rows), total, query)


def add_comment(
    *, session: Session, principal: Principal, task_id: int, data: CommentCreate
) -> CommentRead:
    """Comment on a task of a unit the caller may change; comments are never edited."""
    task = _get(session, principal, task_id)
    principal.require_write(task.unit_id)
    comment = TaskComment(task_id=task.id, author_id=principal.user_id, body=data.body)
    session.add(comment)
    session.flush()
    record(
        session,
        principal,
        "create",
        "task_comment",
        comment.id,
        task.unit_id,
        after=snapshot(comment, COMMENT_FIELDS),
    )
    return _comments_read(session, [comment])[0]


def count_overdue_tasks(*, session: Session, principal: Principal, on: date) -> int:
    """How many tasks of the caller's units are overdue on this day."""
    return repo.count_overdue(session, principal.readable, on)


def my_open_tasks(
    *, session: Session, principal: Principal, on: date, limit: int = 5
) -> list[TaskRead]:
    """The caller's tasks still to do in their units, soonest due first (undated last)."""
    stmt = repo.open_assigned(principal.readable, principal.user_id).limit(limit)
    return _read_many(session, list(session.scalars(stmt)), on)


def allowed_next_statuses(current: TaskStatus | str) -> list[TaskStatus]:
    """The statuses a task may move to from this one, in life-cycle order."""
    return workflow.next_statuses(current)
