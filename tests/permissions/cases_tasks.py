"""Permissions of task and task comment routes."""

from __future__ import annotations

from tests.factories.assets import make_asset
from tests.factories.tasks import make_task
from tests.permissions import CREATE, DELETE, LIST, READ, UPDATE, Case, Request, statuses


def _task(db, world, principal_for) -> Request:
    task = make_task(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"task_id": task.id}, json={"status": "in_progress"})


def _new_task(db, world, principal_for) -> Request:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"])
    body = {"title": "Patch web-01", "unit_id": world.units["division-a"], "asset_id": asset.id}
    return Request(json=body)


def _comment(db, world, principal_for) -> Request:
    task = make_task(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"task_id": task.id}, json={"body": "Patch scheduled for Friday"})


CASES = [
    Case("GET", "/api/v1/tasks", LIST),
    Case("POST", "/api/v1/tasks", CREATE, _new_task),
    Case("GET", "/api/v1/tasks/{task_id}", READ, _task),
    Case("PATCH", "/api/v1/tasks/{task_id}", UPDATE, _task),
    Case("DELETE", "/api/v1/tasks/{task_id}", DELETE, _task),
    Case("GET", "/api/v1/tasks/{task_id}/comments", READ, _comment),
    # commenting is a change: readonly auditors may read comments but not write them
    Case("POST", "/api/v1/tasks/{task_id}/comments", statuses(401, 403, 201, 201, 404), _comment),
]
