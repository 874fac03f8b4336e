"""Tasks through the API: the life cycle, validation, transitions and scoping."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories.assets import make_asset
from tests.factories.tasks import make_comment, make_control, make_risk, make_task


def _fields(response) -> set[str]:
    return {d["field"] for d in response.json()["error"]["details"]}


def test_analyst_creates_reads_updates_and_deletes_a_task(
    client: TestClient, db, world, principal_for, token_for
):
    asset = make_asset(db, principal_for("analyst"), world.units["team-a1"])
    db.commit()
    headers = token_for("analyst")
    body = {
        "title": "  Patch OpenSSL on web-01 ",
        "asset_id": asset.id,
        "kind": "remediation",
        "priority": "high",
        "due_date": "2031-05-01",
        "assignee_id": world.users["analyst"],
    }
    created = client.post("/api/v1/tasks", json=body, headers=headers)
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["title"] == "Patch OpenSSL on web-01"
    assert task["unit_id"] == world.units["team-a1"]
    assert (task["status"], task["overdue"], task["comment_count"]) == ("open", False, 0)
    assert (task["asset_id"], task["risk_id"], task["control_id"]) == (asset.id, None, None)

    patched = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "in_progress", "priority": "urgent", "description": "Needs a window"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["status"], patched.json()["priority"]) == ("in_progress", "urgent")
    fetched = client.get(f"/api/v1/tasks/{task['id']}", headers=headers).json()
    assert fetched["description"] == "Needs a window"

    assert client.delete(f"/api/v1/tasks/{task['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=headers).status_code == 404


def test_invalid_task_input_names_each_field_and_writes_nothing(
    client, db, world, principal_for, token_for
):
    risk = make_risk(db, world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    bad = {
        "title": " ",
        "risk_id": risk.id,
        "kind": "chore",
        "priority": "whenever",
        "due_date": "next week",
        "status": "done",
        "colour": "red",
    }
    response = client.post("/api/v1/tasks", json=bad, headers=headers)
    assert response.status_code == 422
    assert {"title", "kind", "priority", "due_date", "status", "colour"} <= _fields(response)
    assert client.get("/api/v1/tasks", headers=headers).json()["total"] == 0


def test_a_task_without_a_link_or_with_a_hidden_link_is_refused(
    client, db, world, principal_for, token_for
):
    hidden_risk = make_risk(db, world.units["division-b"])
    hidden_control = make_control(db, world.units["division-b"])
    hidden_asset = make_asset(db, principal_for("admin"), world.units["division-b"])
    db.commit()
    headers = token_for("analyst")
    base = {"title": "Fix", "unit_id": world.units["division-a"]}
    none = client.post("/api/v1/tasks", json=base, headers=headers)
    assert none.status_code == 422
    assert _fields(none) == {"risk_id", "asset_id", "control_id"}
    for field, value in (
        ("risk_id", hidden_risk.id),
        ("asset_id", hidden_asset.id),
        ("control_id", hidden_control.id),
        ("risk_id", 987654),
    ):
        response = client.post("/api/v1/tasks", json={**base, field: value}, headers=headers)
        assert response.status_code == 422, (field, response.text)
        assert _fields(response) == {field}
    assert client.get("/api/v1/tasks", headers=headers).json()["total"] == 0


def test_unknown_or_invisible_assignee_is_a_field_error(client, db, world, token_for):
    risk = make_risk(db, world.units["division-a"])
    db.commit()
    for assignee in (world.users["analyst_b"], 987654):
        response = client.post(
            "/api/v1/tasks",
            json={"title": "Fix", "risk_id": risk.id, "assignee_id": assignee},
            headers=token_for("analyst"),
        )
        assert response.status_code == 422
        assert _fields(response) == {"assignee_id"}


def test_status_transitions_and_completion_time(client, db, world, principal_for, token_for):
    task = make_task(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    url = f"/api/v1/tasks/{task.id}"
    assert client.patch(url, json={"status": "blocked"}, headers=headers).status_code == 200
    refused = client.patch(url, json={"status": "done", "title": "Sneaky"}, headers=headers)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "conflict"
    assert error["details"] == [{"field": "status", "from": "blocked", "to": "done"}]
    assert client.get(url, headers=headers).json()["title"] == task.title
    client.patch(url, json={"status": "in_progress"}, headers=headers)
    done = client.patch(url, json={"status": "done"}, headers=headers).json()
    assert done["completed_at"] is not None
    reopened = client.patch(url, json={"status": "open"}, headers=headers).json()
    assert (reopened["status"], reopened["completed_at"]) == ("open", None)
    bad = client.patch(url, json={"status": "finished"}, headers=headers)
    assert bad.status_code == 422 and _fields(bad) == {"status"}


def test_required_fields_cannot_be_nulled_and_links_not_all_removed(
    client, db, world, principal_for, token_for
):
    task = make_task(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    url = f"/api/v1/tasks/{task.id}"
    for field in ("title", "status", "priority", "kind", "unit_id"):
        response = client.patch(url, json={field: None}, headers=headers)
        assert response.status_code == 422, field
        assert _fields(response) == {field}
    unlinked = client.patch(url, json={"risk_id": None}, headers=headers)
    assert unlinked.status_code == 422
    assert _fields(unlinked) == {"risk_id", "asset_id", "control_id"}
    assert client.get(url, headers=headers).json()["risk_id"] == task.risk_id


def test_readonly_can_read_but_gets_403_on_every_write(client, db, world, principal_for, token_for):
    task = make_task(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    url = f"/api/v1/tasks/{task.id}"
    for name in ("readonly", "readonly_a"):
        headers = token_for(name)
        assert client.get(url, headers=headers).status_code == 200
        assert client.get(f"{url}/comments", headers=headers).status_code == 200
        new = {"title": "X", "risk_id": task.risk_id, "unit_id": world.units["division-a"]}
        assert client.post("/api/v1/tasks", json=new, headers=headers).status_code == 403
        assert client.patch(url, json={"title": "Y"}, headers=headers).status_code == 403
        assert client.delete(url, headers=headers).status_code == 403
        comment = client.post(f"{url}/comments", json={"body": "Looks fine"}, headers=headers)
        assert comment.status_code == 403
    assert client.get(f"{url}/comments", headers=token_for("analyst")).json()["total"] == 0


def test_sibling_division_sees_nothing_not_by_list_count_filter_or_id(
    client, db, world, principal_for, token_for
):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["team-a1"], title="Secret remediation")
    make_comment(db, analyst, task.id, "classified")
    db.commit()
    headers = token_for("analyst_b")
    for params in ({}, {"q": "secret"}, {"risk_id": task.risk_id}, {"overdue": "false"}):
        listing = client.get("/api/v1/tasks", params=params, headers=headers).json()
        assert listing == {"items": [], "total": 0, "limit": 50, "offset": 0}, params
    url = f"/api/v1/tasks/{task.id}"
    assert client.get(url, headers=headers).status_code == 404
    assert client.get(f"{url}/comments", headers=headers).status_code == 404
    assert client.post(f"{url}/comments", json={"body": "hi"}, headers=headers).status_code == 404
    moved = client.patch(url, json={"unit_id": world.units["division-b"]}, headers=headers)
    assert moved.status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    own = client.get("/api/v1/tasks", params={"q": "secret"}, headers=token_for("analyst")).json()
    assert own["total"] == 1 and own["items"][0]["comment_count"] == 1


def test_moving_a_task_needs_write_access_to_the_target_unit(
    client, db, world, principal_for, token_for
):
    task = make_task(db, principal_for("admin"), world.units["division-a"])
    db.commit()
    response = client.patch(
        f"/api/v1/tasks/{task.id}",
        json={"unit_id": world.units["division-b"]},
        headers=token_for("analyst"),
    )
    assert response.status_code == 403
    moved = client.patch(
        f"/api/v1/tasks/{task.id}",
        json={"unit_id": world.units["division-b"]},
        headers=token_for("admin"),
    )
    assert moved.status_code == 200 and moved.json()["unit_id"] == world.units["division-b"]
    assert client.get(f"/api/v1/tasks/{task.id}", headers=token_for("analyst")).status_code == 404


def test_create_in_a_unit_the_caller_cannot_change_is_403(client, db, world, token_for):
    risk = make_risk(db, world.units["division-a"])
    db.commit()
    response = client.post(
        "/api/v1/tasks",
        json={"title": "Fix", "risk_id": risk.id, "unit_id": world.units["company"]},
        headers=token_for("analyst"),
    )
    assert response.status_code == 403
