"""Checking an answer of the API against what its OpenAPI document declares."""

from __future__ import annotations

from typing import Any

import schemathesis


def assert_declared(app: Any, response: Any) -> None:
    """The answer's status is declared for its operation and its body matches that declaration."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    request = response.request
    operation = schema.find_operation_by_path(request.method, request.url.path)
    assert operation is not None, f"{request.method} {request.url.path} is not in the OpenAPI"
    declared = operation.definition.raw["responses"]
    assert str(response.status_code) in declared, (
        f"{operation.label} answered {response.status_code}, declared: {sorted(declared)}"
    )
    operation.validate_response(response)
