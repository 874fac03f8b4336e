"""Permissions of the control routes."""

from __future__ import annotations

from tests.factories.controls import make_control
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
)


def _control(db, world, principal_for) -> Request:
    control = make_control(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"control_id": control.id}, json={"status": "implemented"})


def _listed_control(db, world, principal_for) -> Request:
    make_control(db, principal_for("admin"), world.units["division-a"], title=SECRET)
    return Request(secret=SECRET)


def _new_control(db, world, principal_for) -> Request:
    return Request(json={"ref": "AC-9", "title": "MFA", "unit_id": world.units["division-a"]})


CASES = [
    Case("GET", "/api/v1/controls", LIST, _listed_control),
    Case("POST", "/api/v1/controls", CREATE, _new_control),
    Case("GET", "/api/v1/controls/{control_id}", READ, _control),
    Case("PATCH", "/api/v1/controls/{control_id}", UPDATE, _control),
    Case("DELETE", "/api/v1/controls/{control_id}", DELETE, _control),
]

PAGES = [
    Case("GET", "/controls", LIST_PAGE, _listed_control),
    Case("GET", "/controls", LIST_PAGE, exported(_listed_control, "csv"), " as CSV"),
    Case("GET", "/controls/new", FORM),
    Case("GET", "/controls/{control_id}", PAGE, _control),
    Case("GET", "/controls/{control_id}/edit", EDIT_FORM, _control),
]
