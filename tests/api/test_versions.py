"""No silent overwrite: saves name the version they read; a save over a newer one is refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories.assessments import make_assessment
from tests.factories.assets import make_asset
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import make_link
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task


@pytest.fixture
def risk_url(db, world, principal_for) -> str:  # type: ignore[no-untyped-def]
    risk = make_risk(db, principal_for("admin"), world.units["division-a"])
    db.commit()
    return f"/api/v1/risks/{risk.id}"


def test_reads_carry_the_version_as_etag_and_saves_raise_it(
    client: TestClient, token_for, risk_url: str
) -> None:
    headers = token_for("analyst")
    read = client.get(risk_url, headers=headers)
    assert read.json()["version"] == 1 and read.headers["ETag"] == '"1"'
    saved = client.patch(
        risk_url, json={"title": "Ransomware"}, headers={**headers, "If-Match": '"1"'}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2 and saved.headers["ETag"] == '"2"'


def test_a_save_over_a_newer_version_is_refused_showing_the_other_change(
    client: TestClient, token_for, risk_url: str
) -> None:
    first = client.patch(
        risk_url,
        json={"title": "Ransomware on the file servers", "version": 1},
        headers=token_for("admin"),
    )
    assert first.status_code == 200
    analyst = token_for("analyst")
    stale = client.patch(
        risk_url,
        json={"description": "Mine", "title": "My title"},
        headers={**analyst, "If-Match": '"1"'},
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "edit_conflict"
    assert "admin@example.com" in error["message"] and "not saved" in error["message"]
    by_field = {d["field"]: d for d in error["details"]}
    assert by_field["title"]["changed_by"] == "admin@example.com"
    assert by_field["title"]["message"].endswith("now “Ransomware on the file servers”")
    assert by_field["version"]["current"] == 2
    stored = client.get(risk_url, headers=analyst).json()
    assert (stored["title"], stored["description"], stored["version"]) == (
        "Ransomware on the file servers",
        "",
        2,
    )


def test_saves_without_a_version_still_apply_and_empty_saves_keep_it(
    client: TestClient, token_for, risk_url: str
) -> None:
    headers = token_for("analyst")
    assert client.patch(risk_url, json={"title": "A"}, headers=headers).json()["version"] == 2
    assert client.patch(risk_url, json={"title": "A"}, headers=headers).json()["version"] == 2


def test_a_change_of_links_only_raises_the_version(
    client: TestClient, db, world, principal_for, token_for, risk_url: str
) -> None:
    control = make_control(db, principal_for("admin"), world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    saved = client.patch(risk_url, json={"control_ids": [control.id]}, headers=headers)
    assert saved.json()["version"] == 2


@pytest.mark.parametrize(
    ("if_match", "body_version"),
    [("three", None), ('"-1"', None), ('"2"', 1)],
    ids=["not-a-tag", "negative", "disagrees-with-body"],
)
def test_bad_if_match_is_a_clear_422_and_saves_nothing(
    client: TestClient, token_for, risk_url: str, if_match: str, body_version: int | None
) -> None:
    headers = {**token_for("analyst"), "If-Match": if_match}
    body = {"title": "Changed"} | ({"version": body_version} if body_version else {})
    response = client.patch(risk_url, json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] in ("If-Match", "version")
    assert client.get(risk_url, headers=headers).json()["title"] != "Changed"


def _objects(db, world, principal_for) -> dict[str, tuple[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    admin, unit = principal_for("admin"), world.units["division-a"]
    framework, _ = insert_framework(db, world.units["company"])
    objects = {
        "assets": (make_asset(db, admin, unit).id, {"description": "x"}),
        "controls": (make_control(db, admin, unit).id, {"title": "x"}),
        "evidence": (make_link(db, admin, unit).id, {"title": "x"}),
        "tasks": (make_task(db, admin, unit).id, {"title": "x"}),
        "assessments": (make_assessment(db, admin, unit, framework.id).id, {"name": "x"}),
    }
    db.commit()
    return {kind: (f"/api/v1/{kind}/{oid}", change) for kind, (oid, change) in objects.items()}


@pytest.mark.parametrize("kind", ["assets", "controls", "evidence", "tasks", "assessments"])
def test_every_edited_object_refuses_a_stale_save(
    client: TestClient, db, world, principal_for, token_for, kind: str
) -> None:
    url, change = _objects(db, world, principal_for)[kind]
    headers = token_for("analyst")
    assert client.get(url, headers=headers).headers["ETag"] == '"1"'
    first = client.patch(url, json=change, headers={**headers, "If-Match": '"1"'})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    stale = client.patch(url, json={**change, "version": 1}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "edit_conflict"
