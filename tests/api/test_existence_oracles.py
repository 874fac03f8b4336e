"""Conflicts never reveal what exists in units the caller cannot see (frameworks, e-mails)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aegis.domains.users.errors import EMAIL_UNAVAILABLE
from aegis.models import AuditEvent, Framework, User
from tests.factories.frameworks import make_framework

HIDDEN_KEY, HIDDEN_VERSION = "merger-2027", "1.0"
CSV = b"id,parent,title,text\nM1,,Due diligence,Check the books\n"


def _count(db, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def hidden_framework(db, world) -> int:
    """A framework only division B can see."""
    framework, _ = make_framework(
        db, None, world.units["division-b"], key=HIDDEN_KEY, version=HIDDEN_VERSION
    )
    db.commit()
    return framework.id


@pytest.mark.parametrize("actor", ["admin_a", "analyst"])
def test_a_framework_key_taken_in_a_hidden_unit_is_not_a_conflict(
    client: TestClient, token_for, world, hidden_framework, actor
) -> None:
    headers = token_for(actor)
    body = {
        "unit_id": world.units["division-a"],
        "key": HIDDEN_KEY,
        "name": "Our merger checklist",
        "version": HIDDEN_VERSION,
    }
    created = client.post("/api/v1/frameworks", json=body, headers=headers)
    assert created.status_code == 201, created.text
    other = client.post(
        "/api/v1/frameworks", json={**body, "key": "other-key"}, headers=headers
    ).json()
    renamed = client.patch(
        f"/api/v1/frameworks/{other['id']}",
        json={"key": HIDDEN_KEY, "version": "2.0"},
        headers=headers,
    )
    assert renamed.status_code == 200, renamed.text
    back = client.patch(
        f"/api/v1/frameworks/{other['id']}", json={"version": HIDDEN_VERSION}, headers=headers
    )
    # the caller's own framework has that key and version now: a conflict they can see
    assert back.status_code == 409
    assert back.json()["error"]["details"][0]["field"] == "version"
    imported = client.post(
        "/api/v1/frameworks/import",
        data={
            "unit_id": str(world.units["team-a1"]),
            "key": HIDDEN_KEY,
            "version": "3.0",
            "name": "Imported",
        },
        files={"file": ("merger.csv", CSV, "text/csv")},
        headers=headers,
    )
    assert imported.status_code == 201, imported.text
    listed = client.get("/api/v1/frameworks", params={"key": HIDDEN_KEY}, headers=headers).json()
    assert hidden_framework not in {f["id"] for f in listed["items"]}


def test_an_import_into_a_hidden_key_and_version_succeeds_like_a_new_one(
    client: TestClient, token_for, world, hidden_framework
) -> None:
    def upload(key: str):  # type: ignore[no-untyped-def]
        return client.post(
            "/api/v1/frameworks/import",
            data={
                "unit_id": str(world.units["division-a"]),
                "key": key,
                "version": HIDDEN_VERSION,
                "name": "Imported",
            },
            files={"file": ("merger.csv", CSV, "text/csv")},
            headers=token_for("admin_a"),
        )

    hidden, fresh = upload(HIDDEN_KEY), upload("never-used")
    assert (hidden.status_code, fresh.status_code) == (201, 201)
    assert "cannot access" not in hidden.text


def test_a_framework_the_caller_can_see_is_still_a_conflict(
    client: TestClient, db, token_for, world
) -> None:
    make_framework(db, None, world.units["company"], key="shared-policy", version="1.0")
    db.commit()
    body = {
        "unit_id": world.units["division-a"],
        "key": "shared-policy",
        "name": "Copy",
        "version": "1.0",
    }
    refused = client.post("/api/v1/frameworks", json=body, headers=token_for("admin_a"))
    assert refused.status_code == 409
    assert refused.json()["error"]["details"][0]["field"] == "version"


def _new_user(email: str, unit_id: int) -> dict[str, Any]:
    return {
        "email": email,
        "name": "New Person",
        "password": "violet lantern harbour 1987",
        "role": "readonly",
        "unit_id": unit_id,
    }


@pytest.mark.parametrize("email", ["analyst_b@example.com", "Analyst_B@Example.com"])
def test_an_address_held_in_a_hidden_unit_is_refused_without_saying_so(
    client: TestClient, db, token_for, world, email
) -> None:
    before = (_count(db, User), _count(db, AuditEvent))
    refused = client.post(
        "/api/v1/users", json=_new_user(email, world.units["team-a1"]), headers=token_for("admin_a")
    )
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["message"] == EMAIL_UNAVAILABLE
    assert error["details"] == [{"field": "email", "message": EMAIL_UNAVAILABLE}]
    for telling in ("exist", "Analyst_B", "division-b", str(world.users["analyst_b"])):
        assert telling.lower() not in refused.text.lower()
    db.expire_all()
    assert (_count(db, User), _count(db, AuditEvent)) == before


def test_an_address_the_admin_can_see_is_named_as_taken(
    client: TestClient, token_for, world
) -> None:
    refused = client.post(
        "/api/v1/users",
        json=_new_user("analyst@example.com", world.units["division-a"]),
        headers=token_for("admin_a"),
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "A user with this e-mail address already exists"


def test_a_division_analyst_learns_nothing_about_addresses(
    client: TestClient, token_for, world
) -> None:
    answers = [
        client.post(
            "/api/v1/users",
            json=_new_user(email, world.units["division-a"]),
            headers=token_for("analyst"),
        )
        for email in ("analyst_b@example.com", "nobody.at.all@example.com")
    ]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json()["error"]["message"] == answers[1].json()["error"]["message"]


def test_the_same_key_and_version_may_live_in_two_units(db, world) -> None:
    for unit in ("division-a", "division-b"):
        db.add(Framework(unit_id=world.units[unit], key="twin", name="Twin", version="1.0"))
    db.flush()
    assert db.scalar(select(func.count()).where(Framework.key == "twin")) == 2
