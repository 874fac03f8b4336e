"""Permissions of multi-factor sign-in: the sign-in step, one's own set-up, rules, resets."""

from __future__ import annotations

from aegis.core.security import token_digest
from aegis.models import MfaRequirement, SecurityKey
from tests.conftest import PASSWORD
from tests.permissions import Case, Request, pages, statuses

BOGUS = "x" * 40  # not a challenge: refused for everyone, signed in or not


def _answer(db, world, principal_for) -> Request:
    return Request(json={"challenge": BOGUS, "code": "123456"})


def _enrol(db, world, principal_for) -> Request:
    return Request(json={"challenge": BOGUS})


def _code(db, world, principal_for) -> Request:
    return Request(json={"code": "123456"})


def _password(db, world, principal_for) -> Request:
    return Request(json={"password": "not set up, so never checked"})


def _enrol_options(db, world, principal_for) -> Request:
    return Request(json={"challenge": BOGUS})


def _unasked_key(db, world, principal_for) -> Request:
    return Request(json={"name": "Key", "credential": {"id": "AAAA", "response": {}}})


def _analysts_key(db, world, principal_for) -> Request:
    key = SecurityKey(
        user_id=world.users["analyst"],
        name="Analyst's key",
        credential_id="AAAA",
        credential_hash=token_digest("AAAA"),
        public_key_sealed="not opened to remove it",
        sign_count=0,
        transports="usb",
    )
    db.add(key)
    db.flush()
    return Request(path={"key_id": key.id}, json={"password": PASSWORD})


def _user(db, world, principal_for) -> Request:
    return Request(path={"user_id": world.users["readonly_a"]})


def _rule(db, world, principal_for) -> Request:
    rule = MfaRequirement(unit_id=world.units["division-a"], role="admin")
    db.add(rule)
    db.flush()
    return Request(path={"requirement_id": rule.id})


def _new_rule(db, world, principal_for) -> Request:
    return Request(json={"unit_id": world.units["division-a"], "role": "analyst"})


NOBODY = statuses(401, 401, 401, 401, 401)
SIGNED_IN = statuses(401, 200, 200, 200, 200)
NOT_SET_UP = statuses(401, 409, 409, 409, 409)
ADMIN_ONLY_READ = statuses(401, 403, 403, 200, 403)

CASES = [
    Case("POST", "/api/v1/auth/login/mfa", NOBODY, _answer),
    Case("POST", "/api/v1/auth/login/mfa/enrol", NOBODY, _enrol),
    Case("POST", "/api/v1/auth/login/mfa/enrol/confirm", NOBODY, _answer),
    Case("POST", "/api/v1/auth/login/mfa/webauthn/options", NOBODY, _enrol_options),
    Case("GET", "/api/v1/auth/mfa", SIGNED_IN),
    Case("GET", "/api/v1/auth/mfa/webauthn", SIGNED_IN),
    Case("POST", "/api/v1/auth/mfa/webauthn/options", SIGNED_IN),
    # a credential answering no options this user was given is refused for everyone
    Case("POST", "/api/v1/auth/mfa/webauthn", statuses(401, 422, 422, 422, 422), _unasked_key),
    # only the owner removes a key; everyone else is told it does not exist
    Case(
        "POST",
        "/api/v1/auth/mfa/webauthn/{key_id}/remove",
        statuses(401, 404, 204, 404, 404),
        _analysts_key,
    ),
    Case("POST", "/api/v1/auth/mfa/totp", statuses(401, 201, 201, 201, 201)),
    Case("POST", "/api/v1/auth/mfa/totp/confirm", NOT_SET_UP, _code),
    Case("POST", "/api/v1/auth/mfa/totp/disable", NOT_SET_UP, _password),
    Case("POST", "/api/v1/auth/mfa/recovery-codes", NOT_SET_UP, _code),
    Case("GET", "/api/v1/users/{user_id}/mfa", ADMIN_ONLY_READ, _user),
    Case("POST", "/api/v1/users/{user_id}/mfa/reset", statuses(401, 403, 403, 204, 403), _user),
    # rules carry no text: the matrix checks that each listed rule is of a visible unit
    Case("GET", "/api/v1/mfa-requirements", ADMIN_ONLY_READ, _rule),
    # a unit the caller cannot see is no choice (422), one they only read is refused
    Case("POST", "/api/v1/mfa-requirements", statuses(401, 403, 403, 201, 422), _new_rule),
    Case(
        "DELETE",
        "/api/v1/mfa-requirements/{requirement_id}",
        statuses(401, 403, 403, 204, 404),
        _rule,
    ),
]

# without a challenge (no password given first) the step sends back to the password form
BACK_TO_SIGN_IN = statuses(303, 303, 303, 303, 303)

PAGES = [
    Case("GET", "/login/mfa", BACK_TO_SIGN_IN),
    Case("GET", "/login/mfa/enrol", BACK_TO_SIGN_IN),
    Case("GET", "/account/mfa", pages(200, 200, 200, 200, 200)),
    Case("GET", "/admin/mfa", pages(403, 403, 200, 403), _rule),
]
