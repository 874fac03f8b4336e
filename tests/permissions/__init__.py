"""The expected-permissions table: one `cases_<domain>.py` module per domain.

Every API route needs a row in a module's CASES, and every page (GET route of the web
application) a row in its PAGES; a route without one fails the role matrix test.
Actors: anonymous, readonly (company), analyst (division-a), admin (company), sibling
(analyst of division-b) and division_admin (administrator of division-a). Objects are
created in division-a by `setup`.

A list proves its scoping with a `secret`: text the setup puts in a division-a object.
Every actor who reads division-a must find it in the answer (page, JSON, CSV or XLSX),
the sibling division must never see it, and no JSON item may belong to a unit the actor
cannot see. Rows whose expectations are LIST (and every list page) must have a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

ACTORS = ("anonymous", "readonly", "analyst", "admin", "sibling", "division_admin")
ACTOR_USERS = {
    "readonly": "readonly",
    "analyst": "analyst",
    "admin": "admin",
    "sibling": "analyst_b",
    "division_admin": "admin_a",
}
# who reads the objects the setups create in division-a
READERS_OF_DIVISION_A = frozenset({"readonly", "analyst", "admin", "division_admin"})
SECRET = "divA-private-7f3c"


@dataclass(frozen=True)
class Request:
    """Path parameters, JSON body, form data and files for one call."""

    path: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    secret: str | None = None  # text of a division-a object a list must show only its readers


_app: ContextVar[Any] = ContextVar("role_matrix_app")


def current_app() -> Any:
    """The application under test, for setups that need its state (e.g. the blob store)."""
    return _app.get()


def use_app(app: Any) -> None:
    """Make the application under test available to setups."""
    _app.set(app)


# setup(db, world, principal_for) -> Request
Setup = Callable[[Session, Any, Callable[[str], Any]], Request]


def no_setup(_db: Session, _world: Any, _principal_for: Callable[[str], Any]) -> Request:
    """For routes that need no object."""
    return Request()


@dataclass(frozen=True)
class Case:
    """The status each actor must get from one route."""

    method: str
    path: str
    expect: dict[str, int]
    setup: Setup = no_setup
    label: str = ""  # tells apart rows of one path (e.g. " as CSV")


def exported(setup: Setup, kind: str) -> Setup:
    """The same setup, asking the list for its `kind` ("csv" or "xlsx") download."""

    def with_format(db: Session, world: Any, principal_for: Callable[[str], Any]) -> Request:
        request = setup(db, world, principal_for)
        params = {**(request.params or {}), "format": kind}
        return Request(path=request.path, params=params, secret=request.secret)

    return with_format


def statuses(
    anonymous: int,
    readonly: int,
    analyst: int,
    admin: int,
    sibling: int,
    division_admin: int | None = None,
) -> dict[str, int]:
    """Expected statuses in the order of ACTORS.

    The administrator of division-a answers as the company's administrator unless told
    otherwise (the setups create their objects in division-a).
    """
    answers = (
        anonymous,
        readonly,
        analyst,
        admin,
        sibling,
        admin if division_admin is None else division_admin,
    )
    return dict(zip(ACTORS, answers, strict=True))


def pages(
    readonly: int, analyst: int, admin: int, sibling: int, division_admin: int | None = None
) -> dict[str, int]:
    """Expected statuses of a page: anonymous visitors are sent to the sign-in page (303)."""
    return statuses(303, readonly, analyst, admin, sibling, division_admin)


READ = statuses(401, 200, 200, 200, 404)
LIST = statuses(401, 200, 200, 200, 200)
CREATE = statuses(401, 403, 201, 201, 403)
UPDATE = statuses(401, 403, 200, 200, 404)
DELETE = statuses(401, 403, 204, 204, 404)
PAGE = pages(200, 200, 200, 404)  # an object's page
LIST_PAGE = pages(200, 200, 200, 200)  # a list every signed-in user has, of their own units
FORM = pages(403, 200, 200, 200)  # a form to add an object (readers may not)
EDIT_FORM = pages(403, 200, 200, 404)  # the form to change a division-a object
