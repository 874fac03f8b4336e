"""Every refused request (403) recorded: who, from where, which route and unit, and why."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aegis.core.db import transaction
from aegis.domains.common.security_events import home_unit, record_security_event
from aegis.models import User

NOBODY = 0  # entity id of a refused request


def signed_in_user_id(scope: Scope) -> int | None:
    """The signed-in user the request names (bearer token or session cookie), if any."""
    principal = scope.get("state", {}).get("principal")
    if principal is not None:
        return int(principal.user_id)
    headers = Headers(scope=scope)
    for identify in getattr(scope["app"].state, "rate_limit_identities", []):
        who = identify(scope, headers)
        if who and who.startswith("user:"):
            return int(who.removeprefix("user:"))
    return None


def route_name(scope: Scope) -> str:
    """The method and path with its parameters named: 'POST /admin/users/{user_id}/unlock'."""
    segments = scope["path"].split("/")
    for name, value in (scope.get("path_params") or {}).items():
        if str(value) in segments:
            segments[segments.index(str(value))] = f"{{{name}}}"
    return f"{scope['method']} {'/'.join(segments)}"


def record_denial(session: Session, scope: Scope) -> None:
    """Record a 403 answer in the audit trail and the log."""
    denial: dict[str, Any] = scope.get("state", {}).get("denial") or {}
    user_id = signed_in_user_id(scope)
    user = session.get(User, user_id) if user_id is not None else None
    unit = denial.get("unit_id")
    record_security_event(
        session,
        "permission_denied",
        entity_type="request",
        entity_id=NOBODY,
        unit_id=unit if unit is not None else home_unit(session, user.id if user else None),
        actor_id=user.id if user else None,
        actor_email=user.email if user else None,
        details={
            "route": route_name(scope),
            "path": scope["path"],
            "unit_id": unit,
            "reason": denial.get("reason"),
        },
    )


class DenialAuditMiddleware:
    """Records each 403 response once it has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 403:
            await to_thread.run_sync(self._record, scope)

    @staticmethod
    def _record(scope: Scope) -> None:
        with transaction(scope["app"].state.session_factory) as session:
            record_denial(session, scope)
