"""Rate limits per route class (sign-in, writes, reads, exports), per user and per address.

Counts live in memory, or in Redis when REDIS_URL is set so that every replica shares them.
A request over a limit is answered 429 with Retry-After and the shared error body, before
anything else is done for it. The middleware also tells the sign-in throttle (domains/auth)
who the client is and which lockout policy applies.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import structlog
from anyio import to_thread
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from starlette.applications import Starlette
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from aegis.core.context import client_address_var
from aegis.core.errors import AuthenticationFailed
from aegis.core.security import decode_access_token
from aegis.core.settings import Settings
from aegis.domains.auth.lockout import LockoutPolicy, policy_var
from aegis.http.errors import error_body, wants_html

log = structlog.get_logger("aegis.security")

RouteClass = Literal["sign_in", "write", "read", "export"]
Identify = Callable[[Scope, Headers], str | None]
WRITING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGN_IN_PATHS = ("/api/v1/auth/login", "/login")
SIGN_IN_WORDS = ("mfa", "totp", "webauthn", "recovery", "confirm-password")
EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz", "/livez")
EXPORT_FORMATS = frozenset({"csv", "xlsx"})
LIMITED = (
    "Too many requests: slow down and try again in {seconds} second{s}. "
    "Nothing was done for this request."
)


def route_class(method: str, path: str, query: str) -> RouteClass | None:
    """The class of limits a request counts against (None: not limited)."""
    if method in ("OPTIONS",) or path.startswith(EXEMPT_PREFIXES):
        return None
    if method in WRITING:
        words = path.lower().split("/")
        if path in SIGN_IN_PATHS or any(word in words for word in SIGN_IN_WORDS):
            return "sign_in"
        return "write"
    is_export = QueryParams(query).get("format") in EXPORT_FORMATS
    if is_export or path.endswith(("/export", "/download")) or "/download" in path:
        return "export"
    return "read"


def client_address(scope: Scope) -> str:
    """The client's network address as the server sees it."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def bearer_identity(secret: str) -> Identify:
    """Who a bearer token names: the user of a valid access token, else the token itself."""

    def identify(_scope: Scope, headers: Headers) -> str | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            return f"user:{decode_access_token(token.strip(), secret=secret).user_id}"
        except AuthenticationFailed:
            return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]

    return identify


@dataclass(frozen=True)
class Limits:
    """The limit of each route class."""

    sign_in: RateLimitItem
    write: RateLimitItem
    read: RateLimitItem
    export: RateLimitItem

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """Parse the limits named in the settings (e.g. '600/minute')."""
        return cls(
            sign_in=parse(settings.rate_limit_sign_in),
            write=parse(settings.rate_limit_write),
            read=parse(settings.rate_limit_read),
            export=parse(settings.rate_limit_export),
        )


def lockout_policy(settings: Settings) -> LockoutPolicy:
    """The sign-in lockout policy of the settings."""
    return LockoutPolicy(
        account_failures=settings.sign_in_account_failures,
        address_failures=settings.sign_in_address_failures,
        window=timedelta(minutes=settings.sign_in_failure_window_minutes),
        lock=timedelta(minutes=settings.sign_in_lock_minutes),
        longest_lock=timedelta(minutes=settings.sign_in_longest_lock_minutes),
    )


def make_storage(settings: Settings) -> Storage:
    """Redis when REDIS_URL is set (shared by every replica), else this process's memory."""
    if settings.redis_url:
        return RedisStorage(settings.redis_url, key_prefix=settings.rate_limit_prefix)
    return MemoryStorage()


class RateLimiter:
    """Counts requests per route class and key, refusing those over the limit."""

    def __init__(self, storage: Storage, limits: Limits) -> None:
        self.storage = storage
        self.limits = limits
        self.strategy = MovingWindowRateLimiter(storage)  # exact: no more than N in any window
        self.blocking = not isinstance(storage, MemoryStorage)

    def _over(self, kind: RouteClass, keys: list[str]) -> int | None:
        """Count the request; the seconds to wait when a key is over its limit, else None."""
        item: RateLimitItem = getattr(self.limits, kind)
        for key in keys:
            if not self.strategy.hit(item, kind, key):
                reset = self.strategy.get_window_stats(item, kind, key).reset_time
                return max(1, int(reset - time.time()) + 1)
        return None

    async def over(self, kind: RouteClass, keys: list[str]) -> int | None:
        """Like `_over`, off the event loop when the storage is across the network."""
        try:
            if self.blocking:
                return await to_thread.run_sync(self._over, kind, keys)
            return self._over(kind, keys)
        except Exception as exc:  # the limits must not take the application down with them
            log.error("rate_limit_storage_unavailable", error_type=type(exc).__name__)
            return None


class RateLimitMiddleware:
    """Refuses requests over their limits; sets the client address and lockout policy."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter | None, policy: LockoutPolicy) -> None:
        self.app = app
        self.limiter = limiter
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        address_token = client_address_var.set(address)
        policy_token = policy_var.set(self.policy)
        try:
            wait = await self._check(scope, address)
            if wait is not None:
                await self._refuse(scope, address, wait)(scope, receive, send)
                return
            await self.app(scope, receive, send)
        finally:
            policy_var.reset(policy_token)
            client_address_var.reset(address_token)

    async def _check(self, scope: Scope, address: str) -> int | None:
        kind = route_class(scope["method"], scope["path"], scope.get("query_string", b"").decode())
        if self.limiter is None or kind is None:
            return None
        headers = Headers(scope=scope)
        keys = [f"address:{address}"]
        identities: list[Identify] = getattr(scope["app"].state, "rate_limit_identities", [])
        for identify in identities:
            who = identify(scope, headers)
            if who:
                keys.append(who)
                break
        scope.setdefault("state", {})["rate_limit_class"] = kind
        return await self.limiter.over(kind, keys)

    def _refuse(self, scope: Scope, address: str, wait: int) -> Response:
        log.warning(
            "rate_limited",
            client_address=address,
            method=scope["method"],
            path=scope["path"],
            route_class=scope.get("state", {}).get("rate_limit_class"),
            retry_after=wait,
        )
        message = LIMITED.format(seconds=wait, s="s" if wait != 1 else "")
        request = Request(scope)
        if wants_html(request):
            page: Response = request.app.state.render_error(request, 429, message)
            page.headers["Retry-After"] = str(wait)
            return page
        return JSONResponse(
            error_body("rate_limited", message, {"retry_after": wait}),
            status_code=429,
            headers={"Retry-After": str(wait)},
        )


def install_rate_limits(app: Starlette, settings: Settings) -> None:
    """Add the rate limits of the settings, keyed per address and per bearer token's user."""
    limiter = (
        RateLimiter(make_storage(settings), Limits.from_settings(settings))
        if settings.rate_limits_enabled
        else None
    )
    app.state.rate_limiter = limiter
    app.state.rate_limit_identities = [bearer_identity(settings.jwt_secret_key)]
    app.add_middleware(RateLimitMiddleware, limiter=limiter, policy=lockout_policy(settings))
