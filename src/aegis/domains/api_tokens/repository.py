"""Queries of the API tokens domain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.api_tokens.schemas import ApiTokenQuery, OwnTokenQuery
from aegis.models import ApiToken, RoleAssignment, Unit, User, api_token_units


def token_with_user(session: Session, token_hash: str) -> tuple[ApiToken, User] | None:
    """The token with this digest and its owner."""
    row = session.execute(
        select(ApiToken, User)
        .join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash)
    ).one_or_none()
    return (row[0], row[1]) if row else None


def units_of(session: Session, token_ids: Iterable[int]) -> dict[int, list[int]]:
    """The units of each token, in one query."""
    ids = sorted(set(token_ids))
    found: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return found
    rows = session.execute(
        select(api_token_units.c.token_id, api_token_units.c.unit_id)
        .where(api_token_units.c.token_id.in_(ids))
        .order_by(api_token_units.c.token_id, api_token_units.c.unit_id)
    )
    for token_id, unit_id in rows:
        found[token_id].append(unit_id)
    return found


def add_units(session: Session, token_id: int, unit_ids: Iterable[int]) -> None:
    """Limit a new token to these units."""
    rows = [{"token_id": token_id, "unit_id": unit_id} for unit_id in sorted(set(unit_ids))]
    session.execute(insert(api_token_units), rows)


def unit_parents(session: Session) -> dict[int, int | None]:
    """The whole unit tree as {unit_id: parent_id}."""
    return {uid: parent for uid, parent in session.execute(select(Unit.id, Unit.parent_id))}


def active_count(session: Session, user_id: int, now: datetime) -> int:
    """How many of a user's tokens are neither revoked nor expired."""
    stmt = select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
    )
    return int(session.scalar(stmt) or 0)


def _held_in(units: frozenset[int]) -> ColumnElement[bool]:
    """The token's owner holds a role on one of these units."""
    return exists().where(
        RoleAssignment.user_id == ApiToken.user_id, in_units(RoleAssignment.unit_id, units)
    )


def administered(units: frozenset[int]) -> Select[ApiToken]:
    """Tokens of users holding a role on one of these units."""
    return select(ApiToken).where(_held_in(units))


def owned_by(user_id: int) -> Select[ApiToken]:
    """Tokens of this user."""
    return select(ApiToken).where(ApiToken.user_id == user_id)


def filtered(stmt: Select[ApiToken], query: OwnTokenQuery, now: datetime) -> Select[ApiToken]:
    """The tokens matching the filters (a user, a status)."""
    if isinstance(query, ApiTokenQuery) and query.user_id is not None:
        stmt = stmt.where(ApiToken.user_id == query.user_id)
    if query.status == "revoked":
        stmt = stmt.where(ApiToken.revoked_at.is_not(None))
    elif query.status == "expired":
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at <= now)
    elif query.status == "active":
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    return stmt


def own_or_administered(
    session: Session, user_id: int, units: frozenset[int], token_id: int
) -> ApiToken | None:
    """A token of this user, or of a user holding a role on one of these units."""
    stmt = select(ApiToken).where(
        ApiToken.id == token_id, or_(ApiToken.user_id == user_id, _held_in(units))
    )
    return session.scalar(stmt)


def touch(
    session: Session, token_id: int, now: datetime, before: datetime, address: str | None
) -> None:
    """Record a use unless one was recorded since `before`."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < before),
        )
        .values(last_used_at=now, last_used_address=address)
    )
