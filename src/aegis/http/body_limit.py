"""Request body limits enforced as the bytes arrive, before anything parses them."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aegis.http.errors import too_large


class BodyTooLarge(HTTPException):
    """The body passed its limit while it was being received."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=too_large_message(limit))
        self.limit = limit


def too_large_message(limit: int) -> str:
    """The refusal, naming the limit in the unit people read."""
    megabytes = limit / (1024 * 1024)
    size = f"{megabytes:.0f} MB" if megabytes >= 1 else f"{limit // 1024} KB"
    return f"The request is larger than the {size} Aegis accepts; nothing was saved"


class BodyLimitMiddleware:
    """Refuses a body over its limit with 413: at once when Content-Length says so, else as
    soon as the received bytes pass it (chunked bodies too). A request carrying files
    (multipart/form-data) has the larger upload limit."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    def limit_for(self, headers: Headers) -> int:
        """The limit of a request, by its content type."""
        content_type = headers.get("content-type", "").lower()
        return self.max_upload_bytes if content_type.startswith("multipart/") else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit_for(headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await too_large(Request(scope), too_large_message(limit))(scope, receive, send)
            return
        received = 0
        responded = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal responded
            responded = responded or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            if responded:
                raise
            await too_large(Request(scope), str(exc.detail))(scope, receive, send)
