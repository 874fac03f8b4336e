"""GET /api/v1/auth/notices: the caller's own security notices, newest first."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from aegis.core.db import utcnow
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.schemas import ApiTokenCreate
from tests.conftest import World

URL = "/api/v1/auth/notices"


def _token(db, principal_for, world: World, user: str, name: str) -> str:
    created = api_tokens.create_token(
        session=db,
        principal=principal_for(user),
        data=ApiTokenCreate(
            name=name,
            access="read_only",
            unit_ids=[world.units["division-a"]],
            expires_on=utcnow().date() + timedelta(days=30),
        ),
        max_days=365,
    )
    return created.secret


def test_my_notices_are_listed_newest_first_and_only_mine(
    client: TestClient, token_for, db, principal_for, world: World
) -> None:
    _token(db, principal_for, world, "analyst", "first")
    _token(db, principal_for, world, "analyst", "second")
    _token(db, principal_for, world, "admin", "the administrator's")
    answer = client.get(URL, headers=token_for("analyst"))
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == 2
    bodies = [item["body"] for item in page["items"]]
    assert '"second"' in bodies[0] and '"first"' in bodies[1]
    assert all("administrator's" not in body for body in bodies)
    item = page["items"][0]
    assert item["kind"] == "api_token_created"
    assert item["subject"] == "An API token was created on your Aegis account"
    assert item["sent_at"] is None  # no mail server in the tests: shown here instead
    one = client.get(URL, headers=token_for("analyst"), params={"limit": 1, "offset": 1}).json()
    assert [i["id"] for i in one["items"]] == [page["items"][1]["id"]]
    oldest_first = client.get(URL, headers=token_for("analyst"), params={"sort": "created_at"})
    assert oldest_first.json()["items"][0]["id"] == page["items"][1]["id"]


def test_bad_paging_or_sorting_is_refused_naming_the_field(client: TestClient, token_for) -> None:
    headers = token_for("analyst")
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sort": "subject"}, "sort"),
        ({"user_id": 1}, "user_id"),
    ):
        answer = client.get(URL, headers=headers, params=params)
        assert answer.status_code == 422, (params, answer.text)
        fields = [detail["field"] for detail in answer.json()["error"]["details"]]
        assert any(field in str(name) for name in fields), (params, fields)


def test_an_api_token_may_not_read_its_owners_notices(
    client: TestClient, db, principal_for, world: World
) -> None:
    secret = _token(db, principal_for, world, "analyst", "a program")
    answer = client.get(URL, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "sign_in_required"
    assert "api_token_created" not in answer.text
    assert client.get(URL).status_code == 401
