"""The error answers of the JSON API, declared in its OpenAPI document with their shared body."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

WRITING = frozenset({"post", "put", "patch", "delete"})
ID_SUFFIXES = ("_id", "_ids")
ERROR_REF = "#/components/schemas/ErrorResponse"
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
DESCRIPTIONS = {
    400: "The request body cannot be read as the declared JSON or form data",
    401: "Not signed in, or the credentials or token are wrong, expired or revoked",
    403: "Your roles do not allow this",
    404: "The object does not exist or is outside your units",
    406: "The Accept header excludes application/json, the only type this route answers",
    409: "The request conflicts with the current state (a duplicate, a newer version, in use)",
    413: "The request body or file is larger than allowed",
    415: "The body is not of the media type this route reads (JSON, or multipart for uploads)",
    422: "The input is not valid; the details name each field",
    429: "Too many requests; nothing was done",
    503: "Aegis is busy or a service it needs is unavailable; nothing was done",
}


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a message for people and optional details."""

    code: str = Field(description="Stable error code, such as not_found or validation_failed")
    message: str = Field(description="What went wrong, in plain language")
    details: Any = Field(
        None, description="More about the error: for invalid input, one entry per field"
    )


class ErrorResponse(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Error answers a route gives beyond those every route of its kind gives (see below)."""
    return {code: {"model": ErrorResponse, "description": DESCRIPTIONS[code]} for code in codes}


SENSITIVE = (
    "Your roles do not allow this; or the action is sensitive and the password was not typed "
    "in the last minutes (code password_confirmation_required: confirm it at "
    "POST /api/v1/auth/confirm-password, then try again); an API token is always refused "
    "(code sign_in_required)"
)


def sensitive_responses() -> dict[int | str, dict[str, Any]]:
    """A sensitive action refused until the password is confirmed (aegis.core.confirmation)."""
    return {403: {"model": ErrorResponse, "description": SENSITIVE}}


def _names_objects(operation: dict[str, Any], spec: dict[str, Any]) -> bool:
    """Whether an operation names stored objects by id in its path or body."""
    if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
        return True
    for content in operation.get("requestBody", {}).get("content", {}).values():
        ref = content.get("schema", {}).get("$ref", "")
        body = spec["components"]["schemas"].get(ref.rpartition("/")[2], {})
        if any(name.endswith(ID_SUFFIXES) for name in body.get("properties", {})):
            return True
    return False


def _answers_json(operation: dict[str, Any]) -> bool:
    """Whether an operation answers JSON (and not a file of its own type)."""
    for status, response in operation.get("responses", {}).items():
        content = response.get("content") if status.startswith("2") else None
        if content and not any(kind.endswith("json") for kind in content):
            return False
    return True


def _codes(method: str, operation: dict[str, Any], spec: dict[str, Any]) -> set[int]:
    """The error statuses an operation answers whatever its purpose."""
    codes = {401, 429}  # every API route checks credentials and counts against a rate limit
    if operation.get("parameters") or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes.update((400, 413, 415))  # 415: a body of another media type than declared
    if _answers_json(operation):
        codes.add(406)  # an Accept header that excludes JSON
    if _names_objects(operation, spec):
        codes.add(404)  # an object outside the caller's units is not found either
    if method in WRITING:
        # a save may lose a race with another save (409) or wait too long for the lock (503)
        codes.update((409, 503))
        if operation.get("security"):
            codes.add(403)
    return codes


def _declare(method: str, operation: dict[str, Any], spec: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for code in _codes(method, operation, spec):
        responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
    for status, response in responses.items():
        if not status.isdigit() or int(status) < 400:
            continue
        if status == "422" or "content" not in response:
            response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
        if status in ("429", "503"):
            response.setdefault("headers", {}).update(RETRY_AFTER)


def declare_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare the error answers of every API operation, each with the shared error body."""
    for path, operations in spec.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            _declare(method, operation, spec)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    definitions = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(definitions.pop("$defs", {}))
    schemas["ErrorResponse"] = definitions
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return spec


def install_openapi(app: FastAPI) -> None:
    """Make the application's OpenAPI document declare every error answer."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
