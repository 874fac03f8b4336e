"""Permissions of auth, units, users, role assignments, assets, audit and health routes."""

from __future__ import annotations

from sqlalchemy import select

from aegis.core.security import token_digest
from aegis.models import AuthSession
from tests.conftest import PASSWORD, open_api_session
from tests.factories.assets import make_asset
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
    pages,
    statuses,
)


def _asset(db, world, principal_for) -> Request:
    asset = make_asset(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"asset_id": asset.id}, json={"criticality": "high"})


def _new_asset(db, world, principal_for) -> Request:
    return Request(json={"name": "db-01", "type": "database", "unit_id": world.units["division-a"]})


def _team(db, world, principal_for) -> Request:
    return Request(path={"unit_id": world.units["team-a1"]}, json={"description": "Team A1"})


def _new_unit(db, world, principal_for) -> Request:
    return Request(json={"name": "team-a2", "parent_id": world.units["division-a"]})


def _empty_unit(db, world, principal_for) -> Request:
    from aegis.domains.units import service

    unit = service.create_child_unit(session=db, parent_id=world.units["division-a"], name="tmp")
    return Request(path={"unit_id": unit.id})


def _user(db, world, principal_for) -> Request:
    return Request(path={"user_id": world.users["readonly_a"]}, json={"name": "Renamed"})


def _new_user(db, world, principal_for) -> Request:
    body = {
        "email": "new.person@example.com",
        "name": "New Person",
        "password": "a long enough passphrase",
        "role": "readonly",
        "unit_id": world.units["division-a"],
    }
    return Request(json=body)


def _assignment(db, world, principal_for) -> Request:
    from aegis.domains.users import service
    from aegis.domains.users.schemas import RoleAssignmentCreate

    grant = RoleAssignmentCreate(
        user_id=world.users["readonly_a"], role="analyst", unit_id=world.units["team-a1"]
    )
    assignment = service.grant_role(session=db, principal=None, data=grant)
    return Request(path={"assignment_id": assignment.id})


def _new_assignment(db, world, principal_for) -> Request:
    body = {
        "user_id": world.users["readonly_a"],
        "role": "analyst",
        "unit_id": world.units["team-a1"],
    }
    return Request(json=body)


def _listed_asset(db, world, principal_for) -> Request:
    make_asset(db, principal_for("admin"), world.units["division-a"], name=SECRET)
    return Request(secret=SECRET)


def _listed_unit(db, world, principal_for) -> Request:
    from aegis.domains.units import service

    service.create_child_unit(session=db, parent_id=world.units["division-a"], name=SECRET)
    return Request(secret=SECRET)


def _listed_user(db, world, principal_for) -> Request:
    from aegis.domains.users import service
    from aegis.domains.users.schemas import UserCreate

    person = UserCreate(
        email="hidden.person@example.com",
        name=SECRET,
        password="violet lantern harbour 1987",
        role="readonly",
        unit_id=world.units["team-a1"],
    )
    user = service.create_user(session=db, principal=None, data=person)
    return Request(path={"user_id": user.id}, secret=SECRET)


def _listed_grant(db, world, principal_for) -> Request:
    """A role on team-a1 (assignments carry no text: the matrix checks their units)."""
    _listed_user(db, world, principal_for)
    return Request()


def _analyst_session(db, world, principal_for) -> Request:
    key = open_api_session(db, world.users["analyst"])
    found = db.scalars(select(AuthSession).where(AuthSession.key_hash == token_digest(key))).one()
    return Request(path={"session_id": found.id})


def _login(db, world, principal_for) -> Request:
    return Request(json={"email": "analyst@example.com", "password": PASSWORD})


def _password(db, world, principal_for) -> Request:
    return Request(json={"password": PASSWORD})


ALL_OK = statuses(200, 200, 200, 200, 200)
SIGNED_IN = statuses(401, 200, 200, 200, 200)
ADMIN_ONLY_CREATE = statuses(401, 403, 403, 201, 403)
ADMIN_ONLY_READ = statuses(401, 403, 403, 200, 403)
ADMIN_ONLY_UPDATE = statuses(401, 403, 403, 200, 403)
ADMIN_ONLY_DELETE = statuses(401, 403, 403, 204, 403)

CASES = [
    Case("GET", "/healthz", ALL_OK),
    Case("GET", "/readyz", ALL_OK),
    Case("POST", "/api/v1/auth/login", ALL_OK, _login),
    # an unknown refresh token is refused for everyone
    Case(
        "POST",
        "/api/v1/auth/refresh",
        statuses(401, 401, 401, 401, 401),
        lambda db, w, p: Request(json={"refresh_token": "x" * 40}),
    ),
    Case("POST", "/api/v1/auth/logout", statuses(401, 204, 204, 204, 204)),
    Case("GET", "/api/v1/auth/me", SIGNED_IN),
    Case("POST", "/api/v1/auth/confirm-password", statuses(401, 204, 204, 204, 204), _password),
    # everyone may change their own password (this ends their sessions)
    Case(
        "POST",
        "/api/v1/auth/password",
        statuses(401, 204, 204, 204, 204),
        lambda db, w, p: Request(
            json={"current_password": PASSWORD, "new_password": "amber quarry lantern 5612"}
        ),
    ),
    Case("GET", "/api/v1/auth/sessions", SIGNED_IN),
    Case("DELETE", "/api/v1/auth/sessions", statuses(401, 204, 204, 204, 204)),
    # only the owner may end a session; everyone else is told it does not exist
    Case(
        "DELETE",
        "/api/v1/auth/sessions/{session_id}",
        statuses(401, 404, 204, 404, 404),
        _analyst_session,
    ),
    Case("GET", "/api/v1/units", LIST, _listed_unit),
    Case("POST", "/api/v1/units", ADMIN_ONLY_CREATE, _new_unit),
    Case("GET", "/api/v1/units/{unit_id}", READ, _team),
    # units outside the caller's scope are not found, whatever the role
    Case("PATCH", "/api/v1/units/{unit_id}", statuses(401, 403, 403, 200, 404), _team),
    Case("DELETE", "/api/v1/units/{unit_id}", statuses(401, 403, 403, 204, 404), _empty_unit),
    Case("GET", "/api/v1/users", LIST, _listed_user),
    Case("POST", "/api/v1/users", ADMIN_ONLY_CREATE, _new_user),
    Case("GET", "/api/v1/users/{user_id}", READ, _user),
    Case("PATCH", "/api/v1/users/{user_id}", ADMIN_ONLY_UPDATE, _user),
    Case("DELETE", "/api/v1/users/{user_id}", ADMIN_ONLY_DELETE, _user),
    Case("GET", "/api/v1/role-assignments", ADMIN_ONLY_READ, _listed_grant),
    Case("POST", "/api/v1/role-assignments", ADMIN_ONLY_CREATE, _new_assignment),
    Case("DELETE", "/api/v1/role-assignments/{assignment_id}", ADMIN_ONLY_DELETE, _assignment),
    Case("GET", "/api/v1/assets", LIST, _listed_asset),
    Case("POST", "/api/v1/assets", CREATE, _new_asset),
    Case("GET", "/api/v1/assets/{asset_id}", READ, _asset),
    Case("PATCH", "/api/v1/assets/{asset_id}", UPDATE, _asset),
    Case("DELETE", "/api/v1/assets/{asset_id}", DELETE, _asset),
    Case("GET", "/api/v1/audit-events", statuses(401, 200, 403, 200, 403), _listed_asset),
]


EVERYONE = pages(200, 200, 200, 200, 200)
ADMIN_PAGE = pages(403, 403, 200, 403)

PAGES = [
    Case("GET", "/login", statuses(200, 200, 200, 200, 200)),
    Case("GET", "/manifest.webmanifest", statuses(200, 200, 200, 200, 200)),
    Case("GET", "/sw.js", statuses(200, 200, 200, 200, 200)),
    Case("GET", "/offline", statuses(200, 200, 200, 200, 200)),
    Case("GET", "/api/docs", statuses(200, 200, 200, 200, 200)),
    Case("GET", "/account", EVERYONE),
    Case("GET", "/confirm-password", EVERYONE),
    Case("GET", "/account/password", EVERYONE),
    Case("GET", "/assets", LIST_PAGE, _listed_asset),
    Case("GET", "/assets", LIST_PAGE, exported(_listed_asset, "csv"), " as CSV"),
    Case("GET", "/assets", LIST_PAGE, exported(_listed_asset, "xlsx"), " as XLSX"),
    Case("GET", "/assets/new", FORM),
    Case("GET", "/assets/{asset_id}", PAGE, _asset),
    Case("GET", "/assets/{asset_id}/edit", EDIT_FORM, _asset),
    Case("GET", "/audit", pages(200, 403, 200, 403), _listed_asset),
    Case("GET", "/audit", pages(200, 403, 200, 403), exported(_listed_asset, "csv"), " as CSV"),
    Case("GET", "/admin", ADMIN_PAGE),
    Case("GET", "/admin/units", ADMIN_PAGE, _listed_unit),
    Case("GET", "/admin/units/{unit_id}", pages(403, 403, 200, 403), _team),
    Case("GET", "/admin/users", ADMIN_PAGE, _listed_user),
    Case("GET", "/admin/users", ADMIN_PAGE, exported(_listed_user, "csv"), " as CSV"),
    Case("GET", "/admin/users/new", ADMIN_PAGE),
    Case("GET", "/admin/users/{user_id}", pages(403, 403, 200, 403), _listed_user),
]
