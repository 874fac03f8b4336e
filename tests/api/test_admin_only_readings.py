"""Readings for administrators only (MFA of users, MFA rules, everyone's API tokens)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.openapi_answers import assert_declared

READINGS = ("/api/v1/mfa-requirements", "/api/v1/api-tokens/administered", "/api/v1/users/{}/mfa")


@pytest.mark.parametrize("path", READINGS)
def test_a_reader_is_refused_as_declared_in_the_openapi(
    client: TestClient, app: Any, world: Any, token_for: Any, path: str
) -> None:
    url = path.format(world.users["analyst"])
    refused = client.get(url, headers=token_for("readonly"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert_declared(app, refused)
    allowed = client.get(url, headers=token_for("admin"))
    assert allowed.status_code == 200
    assert_declared(app, allowed)
