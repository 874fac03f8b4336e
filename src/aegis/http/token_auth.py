"""Requests made with an API token: its principal, the routes it never reaches, its last use."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import is_lock_contention, transaction
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.errors import SignInRequired

READING = frozenset({"GET", "HEAD", "OPTIONS"})
# words of the paths only a signed-in person may use: sign-out and sessions, multi-factor
# authentication, passwords and the management of API tokens themselves
PERSONAL_WORDS = frozenset(
    {"auth", "tokens", "sessions", "mfa", "totp", "webauthn", "recovery", "password", "passwords"}
)


def is_personal_route(request: Request) -> bool:
    """Whether the request's route is one an API token may never use."""
    route = request.scope.get("route")
    path = str(getattr(route, "path", request.url.path)).lower()
    words = {word for segment in path.split("/") for word in segment.split("-")}
    return bool(PERSONAL_WORDS & words)


def _record_use(request: Request, session: Session, token_id: int) -> None:
    """Record the token's use: in the request's transaction when it writes, else a short one."""
    address = request.client.host if request.client else None
    if request.method not in READING:
        api_tokens.record_use(session=session, token_id=token_id, address=address)
        return
    try:
        with transaction(request.app.state.session_factory) as own:
            api_tokens.record_use(session=own, token_id=token_id, address=address)
    except DBAPIError as exc:
        if not is_lock_contention(exc):
            raise  # a busy database only delays the record to the next request


def token_principal(request: Request, session: Session, secret: str) -> Principal:
    """The principal of a valid API token, refused on personal routes; its use recorded."""
    check = api_tokens.principal_for_token(session=session, secret=secret)
    request.state.principal = check.principal  # refusals are recorded as the token's owner
    if is_personal_route(request):
        raise SignInRequired(api_tokens.REFUSED_TO_TOKENS)
    if check.needs_touch:
        _record_use(request, session, check.token_id)
    return check.principal
