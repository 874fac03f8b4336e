"""The quarantine list through the API: administrators only."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.openapi_answers import assert_declared


def test_the_quarantine_is_refused_to_a_reader_as_declared_in_the_openapi(
    client: TestClient, app: Any, token_for: Any
) -> None:
    refused = client.get("/api/v1/quarantine", headers=token_for("readonly"))
    assert refused.status_code == 403
    assert (
        refused.json()["error"]["message"] == "Only administrators may list the quarantined files"
    )
    assert_declared(app, refused)
    listed = client.get("/api/v1/quarantine", headers=token_for("admin"))
    assert listed.status_code == 200
    assert_declared(app, listed)
