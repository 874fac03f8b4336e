"""Permissions of task and task comment routes."""

from __future__ import annotations

from tests.factories.assets import make_asset
from tests.factories.tasks import make_task
from tests.permissions import (
    CREATE,
    DELETE,
    EDIT_FORM,
    FORM,
    LIST,
    LIST_PAGE,
    PAGE,
    READ,
    SECRET,
    UPDATE,
    Case,
    Request,
    exported,
    statuses,
)


def _task(db, world, principal_for) -> Request:
    task = make_task(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"task_id": task.id}, json={"status": "in_progress"})


def _listed_task(db, world, principal_for) -> Request:
    make_task(db, principal_for("admin"), world.units["division-a"], title=SECRET)
    return Request(secret=SECRET)


def _new_task(db, world, principal_for) -> Request:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"])
    body = {"title": "Patch web-01", "unit_id": world.units["division-a"], "asset_id": asset.id}
    return Request(json=body)


def _comment(db, world, principal_for) -> Request:
    task = make_task(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"task_id": task.id}, json={"body": "Patch scheduled for Friday"})


CASES = [
    Case("GET", "/api/v1/tasks", LIST, _listed_task),
    Case("POST", "/api/v1/tasks", CREATE, _new_task),
    Case("GET", "/api/v1/tasks/{task_id}", READ, _task),
    Case("PATCH", "/api/v1/tasks/{task_id}", UPDATE, _task),
    Case("DELETE", "/api/v1/tasks/{task_id}", DELETE, _task),
    Case("GET", "/api/v1/tasks/{task_id}/comments", READ, _comment),
    # commenting is a change: readonly auditors may read comments but not write them
    Case("POST", "/api/v1/tasks/{task_id}/comments", statuses(401, 403, 201, 201, 404), _comment),
]

PAGES = [
    Case("GET", "/tasks", LIST_PAGE, _listed_task),
    Case("GET", "/tasks", LIST_PAGE, exported(_listed_task, "csv"), " as CSV"),
    Case("GET", "/tasks/board", LIST_PAGE, _listed_task),
    Case("GET", "/tasks/new", FORM),
    Case("GET", "/tasks/{task_id}", PAGE, _task),
    Case("GET", "/tasks/{task_id}/edit", EDIT_FORM, _task),
]
