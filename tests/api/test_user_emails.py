"""Any syntactically valid e-mail address signs in, internal directory domains included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.models import User
from tests.conftest import PASSWORD, World

Headers = Callable[[str], dict[str, str]]


def _create(client: TestClient, headers: dict[str, str], world: World, email: str) -> Any:
    return client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "email": email,
            "name": "Directory user",
            "password": PASSWORD,
            "role": "readonly",
            "unit_id": world.units["company"],
        },
    )


@pytest.mark.parametrize(
    "email",
    [
        "j.doe@corp.local",
        "auditor@lab.example.test",
        "svc-grc@intranet",
        "ops@host.localhost",
        "first.last+grc@example.com",
    ],
)
def test_internal_and_special_use_domains_are_accepted_and_sign_in(
    email: str, client: TestClient, token_for: Headers, world: World
) -> None:
    created = _create(client, token_for("admin"), world, email)
    assert created.status_code == 201, created.text
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text


def test_addresses_are_kept_in_lower_case(
    client: TestClient, token_for: Headers, world: World
) -> None:
    created = _create(client, token_for("admin"), world, "Jane.Roe@CORP.Local")
    assert created.json()["email"] == "jane.roe@corp.local"


@pytest.mark.parametrize(
    "email", ["ada@", "@corp.local", "not-an-email", "ada lovelace@corp.local", "a@b@corp.local"]
)
def test_addresses_that_are_not_addresses_are_refused(
    email: str, client: TestClient, token_for: Headers, world: World, db: Session
) -> None:
    response = _create(client, token_for("admin"), world, email)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "E-mail must be an e-mail address like name@example.com"
    )
    assert db.scalar(select(User).where(User.email == email)) is None
