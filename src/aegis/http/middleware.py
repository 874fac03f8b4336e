"""ASGI middleware: request ids, security headers on every response, access logs, 500s."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aegis.core.context import request_id_var
from aegis.http.errors import internal_error

log = structlog.get_logger("aegis.access")
error_log = structlog.get_logger("aegis.http")
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
# content-hashed public files, the only responses a cache may keep
STATIC_PREFIX = "/static/"


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
    if hsts_max_age and scope.get("scheme") == "https":
        value = f"max-age={hsts_max_age}; includeSubDomains".encode()
        headers.append((b"strict-transport-security", value))
    return headers


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
            log.info(
                "request",
                method=scope.get("method"),
                path=scope.get("path", ""),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                request_id=request_id,
            )
            request_id_var.reset(token)
