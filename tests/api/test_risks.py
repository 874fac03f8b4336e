"""The risk register through the API: lifecycle, validation, workflow, history and scoping."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories.risks import make_control, risk_body


def _post(client: TestClient, headers, body):
    return client.post("/api/v1/risks", json=body, headers=headers)


def _fields(response) -> list[str]:
    return [d["field"] for d in response.json()["error"]["details"]]


def test_analyst_creates_reads_updates_and_deletes_a_risk(
    client: TestClient, world, token_for, db
) -> None:
    headers = token_for("analyst")
    unit = world.units["division-a"]
    asset = client.post(
        "/api/v1/assets", json={"name": "fs-01", "type": "server", "unit_id": unit}, headers=headers
    ).json()
    control = make_control(db, unit)
    db.commit()
    body = risk_body(
        unit,
        inherent_likelihood=4,
        inherent_impact=5,
        owner_id=world.users["analyst"],
        asset_ids=[asset["id"]],
        control_ids=[control],
        next_review_date="2031-01-31",
    )
    created = _post(client, headers, body)
    assert created.status_code == 201, created.text
    risk = created.json()
    assert (risk["inherent_score"], risk["inherent_level"]) == (20, "Critical")
    assert (risk["residual_score"], risk["residual_level"]) == (None, None)
    assert (risk["asset_ids"], risk["control_ids"]) == ([asset["id"]], [control])
    assert risk["unit_id"] == unit and risk["next_review_date"] == "2031-01-31"

    url = f"/api/v1/risks/{risk['id']}"
    patched = client.patch(
        url,
        json={"residual_likelihood": 2, "residual_impact": 2, "status": "assessed"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["residual_score"], patched.json()["residual_level"]) == (4, "Low")
    assert client.get(url, headers=headers).json() == patched.json()

    history = client.get(f"{url}/history", headers=headers).json()
    assert history["total"] == 2
    assert [(h["inherent_score"], h["residual_score"]) for h in history["items"]] == [
        (20, None),
        (20, 4),
    ]
    newest = client.get(f"{url}/history", params={"sort": "-changed_at"}, headers=headers)
    assert newest.json()["items"][0]["residual_score"] == 4

    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    assert client.get(f"{url}/history", headers=headers).status_code == 404


def test_ratings_are_strict_integers_within_the_matrix(client, world, token_for) -> None:
    headers = token_for("analyst")
    unit = world.units["division-a"]
    for bad in (0, 6, "4", 4.5, None, True):
        response = _post(client, headers, risk_body(unit, inherent_likelihood=bad))
        assert response.status_code == 422, bad
        assert _fields(response) == ["inherent_likelihood"], bad
    response = _post(client, headers, risk_body(unit, residual_impact=3))
    assert response.status_code == 422
    assert _fields(response) == ["residual_likelihood"]
    assert client.get("/api/v1/risks", headers=headers).json()["total"] == 0


def test_unknown_fields_and_bad_values_are_named(client, world, token_for) -> None:
    headers = token_for("analyst")
    body = risk_body(world.units["division-a"], colour="red", category="weather", status="nope")
    response = _post(client, headers, body)
    assert response.status_code == 422
    assert set(_fields(response)) == {"colour", "category", "status"}
    required = client.post("/api/v1/risks", json={"title": "x"}, headers=headers)
    assert {"unit_id", "category", "inherent_likelihood", "inherent_impact"} <= set(
        _fields(required)
    )


def test_references_outside_the_callers_units_write_nothing(client, world, token_for, db) -> None:
    headers = token_for("analyst")
    control = make_control(db, world.units["division-b"])
    db.commit()
    body = risk_body(
        world.units["division-a"],
        owner_id=world.users["analyst_b"],
        asset_ids=[999_999],
        control_ids=[control],
    )
    response = _post(client, headers, body)
    assert response.status_code == 422
    assert _fields(response) == ["owner_id", "asset_ids", "control_ids"]
    assert client.get("/api/v1/risks", headers=token_for("admin")).json()["total"] == 0


def test_a_bad_transition_is_a_conflict_naming_both_states(client, world, token_for) -> None:
    headers = token_for("analyst")
    risk = _post(client, headers, risk_body(world.units["division-a"])).json()
    response = client.patch(
        f"/api/v1/risks/{risk['id']}", json={"status": "monitoring"}, headers=headers
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "from Identified to Monitoring;" in error["message"]
    assert error["details"] == [{"field": "status", "from": "identified", "to": "monitoring"}]


def test_required_fields_cannot_be_emptied_and_unknown_fields_are_refused(
    client, world, token_for
) -> None:
    headers = token_for("analyst")
    risk = _post(client, headers, risk_body(world.units["division-a"])).json()
    url = f"/api/v1/risks/{risk['id']}"
    response = client.patch(url, json={"inherent_impact": None, "status": None}, headers=headers)
    assert response.status_code == 422
    assert _fields(response) == ["status", "inherent_impact"]
    response = client.patch(url, json={"inherent_score": 25}, headers=headers)
    assert response.status_code == 422 and _fields(response) == ["inherent_score"]
    cleared = client.patch(url, json={"description": None, "treatment": None}, headers=headers)
    assert cleared.status_code == 200 and cleared.json()["description"] == ""


def test_moving_a_risk_between_units(client, world, token_for) -> None:
    analyst = token_for("analyst")
    risk = _post(client, analyst, risk_body(world.units["division-a"])).json()
    url = f"/api/v1/risks/{risk['id']}"
    refused = client.patch(url, json={"unit_id": world.units["division-b"]}, headers=analyst)
    assert refused.status_code == 403
    moved = client.patch(url, json={"unit_id": world.units["team-a1"]}, headers=analyst)
    assert moved.json()["unit_id"] == world.units["team-a1"]
    admin_move = {"unit_id": world.units["division-b"]}
    assert client.patch(url, json=admin_move, headers=token_for("admin")).status_code == 200
    assert client.get(url, headers=analyst).status_code == 404
    assert client.get(url, headers=token_for("analyst_b")).status_code == 200


def test_other_divisions_cannot_see_search_or_count_risks(client, world, token_for) -> None:
    analyst = token_for("analyst")
    risk = _post(client, analyst, risk_body(world.units["division-a"], title="Merger leak")).json()
    sibling = token_for("analyst_b")
    for params in ({}, {"q": "merger"}, {"unit_id": world.units["division-a"]}):
        page = client.get("/api/v1/risks", params=params, headers=sibling).json()
        assert (page["total"], page["items"]) == (0, [])
    url = f"/api/v1/risks/{risk['id']}"
    assert client.get(url, headers=sibling).status_code == 404
    assert client.get(f"{url}/history", headers=sibling).status_code == 404
    assert client.patch(url, json={"title": "x"}, headers=sibling).status_code == 404
    assert client.delete(url, headers=sibling).status_code == 404
    assert client.get("/api/v1/risks", params={"q": "merger"}, headers=analyst).json()["total"] == 1


def test_readonly_reads_but_gets_403_on_every_write(client, world, token_for) -> None:
    risk = _post(client, token_for("analyst"), risk_body(world.units["division-a"])).json()
    url = f"/api/v1/risks/{risk['id']}"
    readonly = token_for("readonly")
    assert client.get(url, headers=readonly).status_code == 200
    assert client.get("/api/v1/risks", headers=readonly).json()["total"] == 1
    assert _post(client, readonly, risk_body(world.units["division-a"])).status_code == 403
    assert client.patch(url, json={"title": "x"}, headers=readonly).status_code == 403
    assert client.delete(url, headers=readonly).status_code == 403
    assert client.get(url, headers=readonly).json()["title"] == risk["title"]
