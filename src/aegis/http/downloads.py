"""Stored files sent to browsers and API clients as attachments that are never run or sniffed."""

from __future__ import annotations

from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from aegis.domains.evidence.schemas import Download


def attachment_response(download: Download) -> StreamingResponse:
    """Stream a stored file as a download, whatever its content, never sniffed."""
    return StreamingResponse(
        download.chunks,
        media_type=download.content_type,
        headers={
            "Content-Disposition": download.content_disposition,
            "Content-Length": str(download.size),
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "ETag": f'"{download.sha256}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def json_attachment(document: BaseModel, filename: str) -> Response:
    """A JSON document sent as a file to save (never stored by caches), named `filename`."""
    return Response(
        document.model_dump_json(indent=2).encode(),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
