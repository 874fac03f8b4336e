"""Permissions of the control routes."""

from __future__ import annotations

from tests.factories.controls import make_control
from tests.permissions import CREATE, DELETE, LIST, READ, UPDATE, Case, Request


def _control(db, world, principal_for) -> Request:
    control = make_control(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"control_id": control.id}, json={"status": "implemented"})


def _new_control(db, world, principal_for) -> Request:
    return Request(json={"ref": "AC-9", "title": "MFA", "unit_id": world.units["division-a"]})


CASES = [
    Case("GET", "/api/v1/controls", LIST),
    Case("POST", "/api/v1/controls", CREATE, _new_control),
    Case("GET", "/api/v1/controls/{control_id}", READ, _control),
    Case("PATCH", "/api/v1/controls/{control_id}", UPDATE, _control),
    Case("DELETE", "/api/v1/controls/{control_id}", DELETE, _control),
]
