"""Every file sent as an attachment recorded before it is sent: exports and downloads.

A successful answer with `Content-Disposition: attachment` is an evidence file or a
risk's attachment downloaded (named by the route's ids), or else a list or table exported
(named by its route, file name and filters). The event is committed in a transaction of
its own before the first byte goes out; when it cannot be recorded, nothing is sent.
"""

from __future__ import annotations

from email.message import Message as MailHeaders
from urllib.parse import parse_qsl

from anyio import to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aegis.core.db import transaction
from aegis.domains.audit import service as audit
from aegis.http.denials import route_name, signed_in_user_id

SKIPPED_FILTERS = frozenset({"format", "csrf_token"})


def attachment_name(disposition: str) -> str | None:
    """The file name of an attachment's Content-Disposition (None when it is not one)."""
    if not disposition.lower().startswith("attachment"):
        return None
    headers = MailHeaders()
    headers["content-disposition"] = disposition
    return headers.get_filename() or "download"


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def record_transfer(scope: Scope, filename: str, etag: str | None = None) -> None:
    """Record one export or download in a transaction of its own."""
    params = scope.get("path_params") or {}
    user_id = signed_in_user_id(scope)
    with transaction(scope["app"].state.session_factory) as session:
        evidence_id, attachment_id = (
            _int(params.get("evidence_id")),
            _int(params.get("attachment_id")),
        )
        if evidence_id is not None:
            audit.record_download(
                session,
                user_id=user_id,
                kind="evidence",
                object_id=evidence_id,
                filename=filename,
                sha256=etag,
                version=_int(params.get("number")),
            )
        elif attachment_id is not None:
            audit.record_download(
                session,
                user_id=user_id,
                kind="risk_attachment",
                object_id=attachment_id,
                filename=filename,
                sha256=etag,
            )
        else:
            query = scope.get("query_string", b"").decode("latin-1")
            filters = {
                name: value
                for name, value in parse_qsl(query)
                if name not in SKIPPED_FILTERS and value.strip()
            }
            audit.record_export(
                session,
                user_id=user_id,
                route=route_name(scope),
                filename=filename,
                filters=filters,
            )


class TransferAuditMiddleware:
    """Records each attachment (export or download) before its first byte is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                headers = Headers(raw=message.get("headers", []))
                disposition = headers.get("content-disposition")
                filename = attachment_name(disposition) if disposition else None
                if filename is not None:
                    etag = headers.get("etag", "").strip('"') or None
                    await to_thread.run_sync(record_transfer, scope, filename, etag)
            await send(message)

        await self.app(scope, receive, watch)
