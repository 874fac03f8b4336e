"""Permissions of API tokens: one's own for everyone, those of their users for administrators."""

from __future__ import annotations

from datetime import timedelta

from aegis.core.db import utcnow
from aegis.domains.api_tokens import service
from aegis.domains.api_tokens.schemas import ApiTokenCreate
from tests.permissions import SECRET, Case, Request, pages, statuses


def _token_of(db, world, principal_for, user: str, name: str = "ci") -> int:
    data = ApiTokenCreate(
        name=name,
        access="read_only",
        unit_ids=[world.units["division-a"]],
        expires_on=utcnow().date() + timedelta(days=30),
    )
    created = service.create_token(
        session=db, principal=principal_for(user), data=data, max_days=365
    )
    return created.id


def _new_token(db, world, principal_for) -> Request:
    expires = (utcnow().date() + timedelta(days=30)).isoformat()
    body = {
        "name": "nightly export",
        "access": "read_only",
        "unit_ids": [world.units["division-a"]],
        "expires_on": expires,
    }
    return Request(json=body)


def _analyst_token(db, world, principal_for) -> Request:
    return Request(path={"token_id": _token_of(db, world, principal_for, "analyst")})


def _listed_token(db, world, principal_for) -> Request:
    """A token of a division-a reader, named with the secret administrators must find."""
    _token_of(db, world, principal_for, "readonly_a", name=SECRET)
    return Request(secret=SECRET)


SIGNED_IN = statuses(401, 200, 200, 200, 200)

CASES = [
    Case("GET", "/api/v1/api-tokens", SIGNED_IN),
    # a token is limited to units its creator holds: division-a is not the sibling's
    Case("POST", "/api/v1/api-tokens", statuses(401, 201, 201, 201, 422), _new_token),
    Case(
        "GET",
        "/api/v1/api-tokens/administered",
        statuses(401, 403, 403, 200, 403),
        _listed_token,
    ),
    # the owner and the administrators of the owner's units revoke; others are told nothing
    Case(
        "DELETE",
        "/api/v1/api-tokens/{token_id}",
        statuses(401, 404, 204, 204, 404),
        _analyst_token,
    ),
]


PAGES = [
    Case("GET", "/account/api-tokens", pages(200, 200, 200, 200)),
    # administrators find the tokens of division-a's users; nobody else has the page
    Case("GET", "/admin/api-tokens", pages(403, 403, 200, 403), _listed_token),
]
