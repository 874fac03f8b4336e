"""Creating, listing, revoking and checking API tokens; a token never reaches beyond its owner.

A token's principal is worked out on every request from its owner's current roles,
narrowed to the token's units (and the units below them) and, for a read-only token,
stripped of every right to change anything.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, ancestors, descendants
from aegis.core.confirmation import require_password_confirmation
from aegis.core.context import note_account
from aegis.core.db import utcnow
from aegis.core.errors import AuthenticationFailed, Conflict, ValidationFailed
from aegis.core.security import token_digest
from aegis.domains.api_tokens import repository as repo
from aegis.domains.api_tokens.errors import (
    ApiTokenExpired,
    ApiTokenNotFound,
    ApiTokenRevoked,
    SignInRequired,
)
from aegis.domains.api_tokens.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenQuery,
    ApiTokenRead,
    OwnTokenQuery,
    TokenCheck,
    TokenStatus,
)
from aegis.domains.auth import service as auth_service
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.security_events import log_refused_credential, record_security_event
from aegis.models import ApiToken, ApiTokenAccess, User

PREFIX = "aegis_"  # lets secret scanners recognise a leaked token
SECRET_CHARACTERS = 40  # letters and digits after the prefix: about 238 random bits
LONGEST_SECRET = 100
SHOWN_CHARACTERS = 6  # of the secret after the prefix, kept to tell tokens apart
MAX_ACTIVE_TOKENS = 50
TOUCH_INTERVAL = timedelta(minutes=1)
_ALPHABET = string.ascii_letters + string.digits
SORTABLE = {
    "created_at": ApiToken.created_at,
    "expires_at": ApiToken.expires_at,
    "last_used_at": ApiToken.last_used_at,
    "name": ApiToken.name,
    "id": ApiToken.id,
}
REFUSED_TO_TOKENS = (
    "An API token cannot manage API tokens, sessions, multi-factor authentication or "
    "passwords; sign in to Aegis as yourself to do this"
)
INVALID = "This API token is not valid; check that it was copied whole"
CREATE_NEW = "create a new one under My account > API tokens"


def is_api_token(credential: str) -> bool:
    """Whether a bearer credential is an API token (rather than a sign-in access token)."""
    return credential.startswith(PREFIX)


def new_secret() -> str:
    """A new random token secret, recognisable by its prefix."""
    return PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_CHARACTERS))


def require_person(principal: Principal) -> None:
    """Refuse a request made with an API token where a signed-in person is needed."""
    if principal.api_token_id is not None:
        raise SignInRequired(REFUSED_TO_TOKENS)


def _status(token: ApiToken, now: datetime) -> TokenStatus:
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"


def _read(token: ApiToken, unit_ids: list[int], now: datetime) -> ApiTokenRead:
    return ApiTokenRead(
        id=token.id,
        user_id=token.user_id,
        name=token.name,
        prefix=token.prefix,
        access=ApiTokenAccess(token.access),
        unit_ids=unit_ids,
        status=_status(token, now),
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        last_used_address=token.last_used_address,
        revoked_at=token.revoked_at,
    )


def _reads(session: Session, tokens: list[ApiToken]) -> list[ApiTokenRead]:
    """Tokens with their units, read in one query for the whole page."""
    now = utcnow()
    units = repo.units_of(session, (token.id for token in tokens))
    return [_read(token, units.get(token.id, []), now) for token in tokens]


def _expiry(expires_on: date, now: datetime, max_days: int) -> datetime:
    """The moment a token chosen to end on this day stops working, checked against the limit."""
    today = now.date()
    latest = today + timedelta(days=max_days)
    if expires_on <= today:
        raise ValidationFailed("The expiry date must be after today", field="expires_on")
    if expires_on > latest:
        raise ValidationFailed(
            f"A token may be valid for at most {max_days} days: choose "
            f"{latest.isoformat()} or earlier",
            field="expires_on",
        )
    return datetime.combine(expires_on, time(), tzinfo=UTC)


def _check_units(principal: Principal, unit_ids: list[int]) -> None:
    outside = sorted(set(unit_ids) - principal.readable)
    if outside:
        listed = ", ".join(str(unit_id) for unit_id in outside)
        raise ValidationFailed(
            f"Choose only units you hold a role on; not unit {listed}", field="unit_ids"
        )


def _record(
    session: Session, principal: Principal, token: ApiToken, unit_ids: list[int], changes: dict
) -> None:
    """Record a token's creation or revocation as a security event (never its secret)."""
    record_security_event(
        session,
        "create" if "created_at" in changes else "update",
        entity_type="api_token",
        entity_id=token.id,
        unit_id=min(unit_ids) if unit_ids else None,
        actor_id=principal.user_id,
        actor_email=principal.email,
        details={
            "name": token.name,
            "owner_id": token.user_id,
            "prefix": token.prefix,
            "access": token.access,
            "unit_ids": unit_ids,
            **changes,
        },
        level="info",
    )


def create_token(
    *, session: Session, principal: Principal, data: ApiTokenCreate, max_days: int
) -> ApiTokenCreated:
    """Create a token of the caller; the answer carries its secret, shown this once."""
    require_person(principal)
    require_password_confirmation(principal, "create an API token")
    now = utcnow()
    _check_units(principal, data.unit_ids)
    expires_at = _expiry(data.expires_on, now, max_days)
    if repo.active_count(session, principal.user_id, now) >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            f"You have {MAX_ACTIVE_TOKENS} active API tokens, the most allowed; revoke one first"
        )
    secret = new_secret()
    token = ApiToken(
        user_id=principal.user_id,
        name=data.name,
        access=data.access.value,
        prefix=secret[: len(PREFIX) + SHOWN_CHARACTERS],
        token_hash=token_digest(secret),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    unit_ids = sorted(set(data.unit_ids))
    repo.add_units(session, token.id, unit_ids)
    changes = {"created_at": now.isoformat(), "expires_at": expires_at.isoformat()}
    _record(session, principal, token, unit_ids, changes)
    read = _read(token, unit_ids, now)
    return ApiTokenCreated(**read.model_dump(), secret=secret)


def list_own_tokens(
    *, session: Session, principal: Principal, query: OwnTokenQuery
) -> Page[ApiTokenRead]:
    """The caller's own tokens (never their secrets), newest first."""
    require_person(principal)
    stmt = repo.filtered(repo.owned_by(principal.user_id), query, utcnow())
    rows, total = fetch_page(session, _sorted(stmt, query), query)
    return Page.of(_reads(session, rows), total, query)


def list_administered_tokens(
    *, session: Session, principal: Principal, query: ApiTokenQuery
) -> Page[ApiTokenRead]:
    """Tokens of the users holding a role on a unit the caller administers."""
    require_person(principal)
    principal.require_admin()
    stmt = repo.filtered(repo.administered(principal.administrable), query, utcnow())
    rows, total = fetch_page(session, _sorted(stmt, query), query)
    return Page.of(_reads(session, rows), total, query)


def _sorted(stmt: Select[ApiToken], query: OwnTokenQuery) -> Select[ApiToken]:
    if not query.sort:
        return stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    return apply_sort(stmt, query.sort, SORTABLE, (ApiToken.id.desc(),))


def revoke_token(*, session: Session, principal: Principal, token_id: int) -> ApiTokenRead:
    """Revoke one of the caller's tokens, or one of a user of a unit they administer."""
    require_person(principal)
    token = repo.own_or_administered(session, principal.user_id, principal.administrable, token_id)
    if token is None:
        raise ApiTokenNotFound("API token not found")
    unit_ids = repo.units_of(session, [token.id]).get(token.id, [])
    if token.revoked_at is None:
        now = utcnow()
        token.revoked_at, token.revoked_by_id = now, principal.user_id
        session.flush()
        _record(session, principal, token, unit_ids, {"revoked_at": now.isoformat()})
    return _read(token, unit_ids, utcnow())


def _narrowed(
    owner: Principal, token: ApiToken, unit_ids: list[int], session: Session
) -> Principal:
    """The owner's current reach within the token's units; no changes for a read-only token."""
    parents = repo.unit_parents(session)
    children: dict[int, list[int]] = {}
    for unit, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    scope: set[int] = set()
    for unit_id in unit_ids:
        if unit_id in parents:
            scope |= descendants(unit_id, children)
    readable = owner.readable & scope
    shared: set[int] = set()
    for unit_id in readable:
        shared |= ancestors(unit_id, parents)
    writes = token.access == ApiTokenAccess.READ_WRITE
    return replace(
        owner,
        readable=frozenset(readable),
        writable=frozenset(owner.writable & scope) if writes else frozenset(),
        administrable=frozenset(owner.administrable & scope) if writes else frozenset(),
        auditable=frozenset(owner.auditable & scope),
        shared_with=frozenset(shared),
        session_id=None,
        api_token_id=token.id,
    )


def _refuse_unusable(token: ApiToken, user: User, now: datetime) -> None:
    if token.revoked_at is not None:
        day = token.revoked_at.date().isoformat()
        raise ApiTokenRevoked(f"This API token was revoked on {day}; {CREATE_NEW}")
    if token.expires_at <= now:
        day = token.expires_at.date().isoformat()
        raise ApiTokenExpired(f"This API token expired on {day}; {CREATE_NEW}")
    if not user.is_active:
        raise AuthenticationFailed("The account this API token belongs to is disabled")


def principal_for_token(*, session: Session, secret: str) -> TokenCheck:
    """Check a token: the principal it stands for, or AuthenticationFailed saying why not."""
    found = None
    if is_api_token(secret) and len(secret) <= LONGEST_SECRET:
        found = repo.token_with_user(session, token_digest(secret))
    if found is None:
        log_refused_credential("api_token", "unknown token")
        raise AuthenticationFailed(INVALID)
    token, user = found
    now = utcnow()
    try:
        _refuse_unusable(token, user, now)
    except AuthenticationFailed as exc:
        log_refused_credential("api_token", exc.message, user_id=user.id, email=user.email)
        raise
    note_account(user.id, user.email)
    owner = auth_service.principal_for_user(session=session, user=user)
    unit_ids = repo.units_of(session, [token.id]).get(token.id, [])
    due = token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL
    return TokenCheck(_narrowed(owner, token, unit_ids, session), token.id, needs_touch=due)


def record_use(*, session: Session, token_id: int, address: str | None) -> None:
    """Record that a token is in use now, from this address (at most once a minute)."""
    now = utcnow()
    repo.touch(session, token_id, now, now - TOUCH_INTERVAL, address[:64] if address else None)
    session.flush()
