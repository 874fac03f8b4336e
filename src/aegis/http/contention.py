"""A database lock that cannot be had in time answers 503 with Retry-After, never 500."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError

from aegis.core.db import is_lock_contention
from aegis.http.errors import error_body, wants_html

log = structlog.get_logger("aegis.http")
RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "Aegis is busy saving other changes; nothing was saved. Try again in a moment."


def install_contention_handler(app: FastAPI) -> None:
    """Register the handler for lock timeouts, deadlocks and serialization failures."""

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        if not is_lock_contention(exc):
            raise exc  # answered by the handler of unexpected errors
        log.warning("database_busy", error_type=type(exc).__name__)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if wants_html(request):
            response = request.app.state.render_error(request, 503, BUSY_MESSAGE)
            response.headers.update(headers)
            return response
        return JSONResponse(
            error_body("database_busy", BUSY_MESSAGE), status_code=503, headers=headers
        )
