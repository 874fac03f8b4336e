"""One error body for every failure: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aegis.core.context import current_request_id
from aegis.core.errors import (
    AegisError,
    AuthenticationFailed,
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ServiceUnavailable,
    TooManyAttempts,
    ValidationFailed,
)
from aegis.core.messages import location_label, plain_message

log = structlog.get_logger("aegis.http")
INTERNAL_MESSAGE = "An unexpected error occurred"
OUT_OF_RANGE = "A value in the request is too large or too long to be stored"
UNLABELLED = "Send the body as application/json (the Content-Type header is missing)"

STATUS_BY_ERROR: list[tuple[type[AegisError], int]] = [
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PayloadTooLarge, 413),
    (ValidationFailed, 422),
    (TooManyAttempts, 429),
    (ServiceUnavailable, 503),
]

HTTP_CODES = {
    400: "bad_request",
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    503: "service_unavailable",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Build the error body shared by every endpoint."""
    return {"error": {"code": code, "message": message, "details": details}}


def status_for(exc: AegisError) -> int:
    """Map a domain error to its HTTP status."""
    for error_class, status in STATUS_BY_ERROR:
        if isinstance(exc, error_class):
            return status
    return 400


def _path(error: Mapping[str, Any]) -> tuple[str | int, ...]:
    """Where in its location (body, query, path...) an error is; the whole body if unparsable."""
    loc = tuple(error.get("loc", ()))
    return () if error.get("type") == "json_invalid" else loc[1:]


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors():
        loc, path = tuple(error.get("loc", ())), _path(error)
        where = str(loc[0]) if loc else "body"
        details.append(
            {
                "field": ".".join(str(part) for part in path) or where,
                "location": where,
                "message": plain_message(error, path),
                "type": str(error.get("type", "invalid")),
            }
        )
    return details


def _summary(exc: RequestValidationError, details: list[dict[str, Any]]) -> str:
    """The message of a single error, or the fields of several named in plain words."""
    labels = list(dict.fromkeys(location_label(_path(error)[:1]) for error in exc.errors()))
    if len(details) == 1 or len(labels) == 1:
        return "; ".join(dict.fromkeys(str(detail["message"]) for detail in details))
    return f"These fields are not valid: {', '.join(labels[:-1])} and {labels[-1]}"


def note_refused_fields(request: Request, details: Any) -> None:
    """Note the names of the fields a 422 refuses (never their values) for the security log."""
    items = details if isinstance(details, list) else []
    names = [str(item["field"]) for item in items if isinstance(item, dict) and item.get("field")]
    request.state.refused_fields = list(dict.fromkeys(names))


def _unlabelled_json(request: Request, exc: RequestValidationError) -> bool:
    """Whether an API body that is not JSON came without a Content-Type (read as JSON)."""
    return (
        request.url.path.startswith("/api/")
        and "content-type" not in request.headers
        and any(error.get("type") == "json_invalid" for error in exc.errors())
    )


def wants_html(request: Request) -> bool:
    """Whether an error should be shown as a page (a browser outside the JSON API)."""
    return (
        hasattr(request.app.state, "render_error")
        and not request.url.path.startswith("/api/")
        and "text/html" in request.headers.get("accept", "")
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the shared body."""

    @app.exception_handler(AegisError)
    async def _aegis_error(request: Request, exc: AegisError) -> Response:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if isinstance(exc, TooManyAttempts):
            headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, PermissionDenied):  # for the record of the refusal
            request.state.denial = {"reason": exc.message, "unit_id": exc.unit_id}
        if status == 422:
            note_refused_fields(request, exc.details)
        if wants_html(request):
            page: Response = request.app.state.render_error(request, status, exc.message)
            page.headers.update({k: v for k, v in headers.items() if k == "Retry-After"})
            return page
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _unlabelled_json(request, exc):
            body = error_body(HTTP_CODES[415], UNLABELLED)
            return JSONResponse(body, status_code=415)
        details = _field_errors(exc)
        message = _summary(exc, details)
        note_refused_fields(request, details)
        if wants_html(request):
            return request.app.state.render_error(request, 422, message)
        return JSONResponse(error_body("validation_failed", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        if wants_html(request):
            return request.app.state.render_error(request, exc.status_code, str(exc.detail))
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        # a value the schemas let through but the database cannot store: the caller's to fix
        log.warning("value_out_of_range", error_type=type(exc).__name__)
        if wants_html(request):
            return request.app.state.render_error(request, 422, OUT_OF_RANGE)
        return JSONResponse(error_body("validation_failed", OUT_OF_RANGE), status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # reached only from outside the request middleware, which answers the rest itself
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return internal_error(request)


def too_large(request: Request, message: str) -> Response:
    """The answer to a body over its limit, as a page for browsers."""
    if wants_html(request):
        page: Response = request.app.state.render_error(request, 413, message)
        return page
    return JSONResponse(error_body("payload_too_large", message), status_code=413)


def internal_error(request: Request) -> Response:
    """The answer to an unexpected error: its request id, as a page for browsers."""
    request_id = current_request_id()
    if wants_html(request):
        try:
            page: Response = request.app.state.render_error(
                request, 500, f"{INTERNAL_MESSAGE} (request id {request_id})"
            )
            return page
        except Exception:  # the page itself failed: answer in JSON
            log.exception("error_page_failed")
    body = error_body("internal_error", INTERNAL_MESSAGE, {"request_id": request_id})
    return JSONResponse(body, status_code=500)
