"""Concurrency answers: a lock not had in time is 503 with Retry-After; a save that lost a
race with another save of the same object is 409. Never a 500."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from aegis.core.db import is_lock_contention
from aegis.http.errors import error_body, wants_html

log = structlog.get_logger("aegis.http")
RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "Aegis is busy saving other changes; nothing was saved. Try again in a moment."
RACE_MESSAGE = (
    "Someone else saved this at the same moment, so your changes were not saved. "
    "Reload it to see their changes, then save again."
)


def install_contention_handler(app: FastAPI) -> None:
    """Register the handlers for lock timeouts, deadlocks, serialization failures and races."""

    @app.exception_handler(StaleDataError)
    async def _lost_race(request: Request, _exc: StaleDataError) -> Response:
        log.info("concurrent_save_refused")
        if wants_html(request):
            return request.app.state.render_error(request, 409, RACE_MESSAGE)
        return JSONResponse(error_body("edit_conflict", RACE_MESSAGE), status_code=409)

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
