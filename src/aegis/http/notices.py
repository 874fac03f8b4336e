"""Security notices of a request: written with its events, e-mailed once it has answered."""

from __future__ import annotations

import structlog
from anyio import to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from aegis.domains.notifications import service as notifications

log = structlog.get_logger("aegis.notifications")


class NoticeDeliveryMiddleware:
    """Gives the notices the request's device, then sends those the request wrote.

    The notices were committed with the request's changes (or rolled back with them), so
    sending after the answer loses none: what the mail server does not take stays in the
    outbox with its error, for `aegis notifications send`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings = state.settings
        with notifications.collecting(
            user_agent=Headers(scope=scope).get("user-agent"),
            new_device_notices=settings.notify_new_device_sign_in,
        ) as written:
            await self.app(scope, receive, send)
        server = notifications.mail_server(settings)
        if not written.written or not server.configured:
            return
        try:
            await to_thread.run_sync(
                lambda: notifications.deliver(
                    factory=state.session_factory, server=server, ids=list(written.written)
                )
            )
        except Exception as exc:  # the answer is sent; the notices wait for the next run
            log.warning("notice_delivery_failed", error_type=type(exc).__name__)
