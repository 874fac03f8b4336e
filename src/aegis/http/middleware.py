"""ASGI middleware: request ids, security headers on every response, access logs, 500s.

Every request is logged once, as one JSON line, with the account it acted as (or that the
credentials it was refused with name), the client address and the route; never a body, a
query string, a header's value or a token. Refused input (422) is also logged as the security
event `input_refused`, naming the fields refused but never their values.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aegis.core.context import Account, account_var, request_id_var
from aegis.http.denials import route_name
from aegis.http.errors import internal_error

log = structlog.get_logger("aegis.access")
error_log = structlog.get_logger("aegis.http")
security_log = structlog.get_logger("aegis.security")
MAX_FIELDS = 20  # names of refused fields logged, each cut to NAME_LENGTH characters
NAME_LENGTH = 100
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
# JSON answers are never a document to run anything in
API_POLICY = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
NO_STORE = b"no-store"
# a JSON answer opened directly by a browser is saved under this fixed name, never run or shown
# under a name taken from the request (reflected file download); downloads keep their own names
API_DISPOSITION = b'attachment; filename="api.json"'
# content-hashed public files, the only responses a cache may keep
STATIC_PREFIX = "/static/"


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    kinds = [value for name, value in headers if name.lower() == b"content-type"]
    kind = kinds[0].split(b";", 1)[0].strip().lower() if kinds else b""
    return kind == b"application/json" or kind.endswith(b"+json")


def secured(
    headers: list[tuple[bytes, bytes]], scope: Scope, request_id: str, hsts_max_age: int
) -> list[tuple[bytes, bytes]]:
    """The response headers with the request id and every security header Aegis sends."""
    path: str = scope.get("path", "")
    names = {name.lower() for name, _ in headers}
    if not path.startswith(STATIC_PREFIX):
        headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
        headers.append((b"cache-control", NO_STORE))
    headers.append((b"x-request-id", request_id.encode()))
    headers.extend(header for header in SECURITY_HEADERS if header[0] not in names)
    if path.startswith("/api/") and b"content-security-policy" not in names:
        headers.append((b"content-security-policy", API_POLICY))
    if path.startswith("/api/") and b"content-disposition" not in names and _is_json(headers):
        headers.append((b"content-disposition", API_DISPOSITION))
    if hsts_max_age and scope.get("scheme") == "https":
        value = f"max-age={hsts_max_age}; includeSubDomains".encode()
        headers.append((b"strict-transport-security", value))
    return headers


def route_of(scope: Scope) -> str | None:
    """The method and the path with its parameters named, 'PATCH /api/v1/risks/{risk_id}'."""
    return route_name(scope) if scope.get("route") is not None else None


def account_of(scope: Scope, noted: Account) -> tuple[int | None, str | None]:
    """The user id and e-mail address the request acted as or named, if any."""
    if noted.user_id is not None:
        return noted.user_id, noted.email
    principal = scope.get("state", {}).get("principal")
    if principal is not None:
        return int(principal.user_id), str(principal.email)
    return None, None


def refused_fields(scope: Scope) -> list[str] | None:
    """The names of the fields a 422 answer refused, as its handler noted them."""
    names = scope.get("state", {}).get("refused_fields")
    if names is None:
        return None
    return [str(name)[:NAME_LENGTH] for name in list(names)[:MAX_FIELDS]]


def log_request(scope: Scope, status: int, started: float, noted: Account, request_id: str) -> None:
    """The request's log line, and the `input_refused` event when its input was refused."""
    user_id, email = account_of(scope, noted)
    client = scope.get("client")
    common = {
        "user_id": user_id,
        "user": email,
        "client_address": str(client[0]) if client else None,
        "route": route_of(scope),
        "request_id": request_id,
    }
    log.info(
        "request",
        method=scope.get("method"),
        path=scope.get("path", ""),
        status=status,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        **common,
    )
    if status == 422:
        security_log.warning(
            "input_refused", path=scope.get("path", ""), fields=refused_fields(scope), **common
        )


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when valid), logs it, adds headers.

    It also answers what nothing else could: an unexpected error becomes a 500 with the
    request id and every header, and is logged with the request's context.
    """

    def __init__(self, app: ASGIApp, hsts_max_age: int = 0) -> None:
        self.app = app
        self.hsts_max_age = hsts_max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        noted = Account()
        account_token = account_var.set(noted)
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                headers = list(message.get("headers", []))
                message["headers"] = secured(headers, scope, request_id, self.hsts_max_age)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            error_log.exception("unhandled_error", error_type=type(exc).__name__)
            if responded:
                raise
            response = internal_error(Request(scope, receive))
            await response(scope, receive, send_with_headers)
        finally:
            log_request(scope, status, started, noted, request_id)
            account_var.reset(account_token)
            request_id_var.reset(token)
