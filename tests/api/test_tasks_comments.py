"""Task comments through the API, and a task's journey from creation to closing."""

from __future__ import annotations

from sqlalchemy import func, select

from aegis.models import AuditEvent, TaskComment
from tests.factories.tasks import make_comment, make_risk, make_task


def test_create_comment_and_close_journey(client, db, world, token_for):
    risk = make_risk(db, world.units["division-a"], title="Unpatched VPN appliance")
    db.commit()
    analyst, admin = token_for("analyst"), token_for("admin_a")
    created = client.post(
        "/api/v1/tasks",
        json={
            "title": "Upgrade VPN firmware",
            "risk_id": risk.id,
            "assignee_id": world.users["analyst"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["unit_id"] == world.units["division-a"]
    url = f"/api/v1/tasks/{task['id']}"

    mine = client.get("/api/v1/tasks", params={"mine": "true"}, headers=analyst).json()
    assert [t["id"] for t in mine["items"]] == [task["id"]]
    started = client.patch(url, json={"status": "in_progress"}, headers=analyst)
    assert started.json()["status"] == "in_progress"
    posted = client.post(
        f"{url}/comments", json={"body": " Firmware 9.1 staged. "}, headers=analyst
    )
    assert posted.status_code == 201, posted.text
    comment = posted.json()
    assert comment["body"] == "Firmware 9.1 staged."
    assert (comment["task_id"], comment["author_id"]) == (task["id"], world.users["analyst"])
    assert comment["author_name"] == "Analyst"
    client.post(f"{url}/comments", json={"body": "Approved for tonight"}, headers=admin)

    closed = client.patch(url, json={"status": "done"}, headers=analyst).json()
    assert closed["status"] == "done" and closed["completed_at"] is not None
    assert closed["comment_count"] == 2

    thread = client.get(f"{url}/comments", headers=token_for("readonly")).json()
    assert [c["body"] for c in thread["items"]] == ["Firmware 9.1 staged.", "Approved for tonight"]
    assert [c["author_name"] for c in thread["items"]] == ["Analyst", "Admin_A"]
    assert thread["total"] == 2
    events = client.get(
        "/api/v1/audit-events", params={"entity_type": "task_comment"}, headers=admin
    ).json()
    assert {e["entity_id"] for e in events["items"]} == {c["id"] for c in thread["items"]}


def test_comment_body_must_be_1_to_10000_characters(client, db, world, principal_for, token_for):
    task = make_task(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    url = f"/api/v1/tasks/{task.id}/comments"
    for body in ({"body": ""}, {"body": "   "}, {"body": "x" * 10001}, {}, {"body": None}):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert {d["field"] for d in response.json()["error"]["details"]} == {"body"}
    unknown = client.post(url, json={"body": "ok", "author_id": 1}, headers=headers)
    assert unknown.status_code == 422
    assert client.post(url, json={"body": "x" * 10000}, headers=headers).status_code == 201
    assert db.scalar(select(func.count()).select_from(TaskComment)) == 1
    creates = select(func.count()).where(AuditEvent.entity_type == "task_comment")
    assert db.scalar(creates) == 1


def test_comments_are_paged_oldest_first_and_cannot_be_changed(
    client, db, world, principal_for, token_for
):
    analyst = principal_for("analyst")
    task = make_task(db, analyst, world.units["division-a"])
    for index in range(5):
        make_comment(db, analyst, task.id, f"c{index}")
    db.commit()
    headers = token_for("analyst")
    url = f"/api/v1/tasks/{task.id}/comments"
    page = client.get(url, params={"limit": 2, "offset": 1}, headers=headers).json()
    assert [c["body"] for c in page["items"]] == ["c1", "c2"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    newest = client.get(url, params={"sort": "-id", "limit": 1}, headers=headers).json()
    assert newest["items"][0]["body"] == "c4"
    assert client.get(url, params={"sort": "body"}, headers=headers).status_code == 422
    first = page["items"][0]["id"]
    assert client.patch(f"{url}/{first}", json={"body": "x"}, headers=headers).status_code in (
        404,
        405,
    )
    assert client.delete(f"{url}/{first}", headers=headers).status_code in (404, 405)


def test_comments_of_an_unknown_task_are_not_found(client, token_for):
    headers = token_for("analyst")
    assert client.get("/api/v1/tasks/987654/comments", headers=headers).status_code == 404
    response = client.post("/api/v1/tasks/987654/comments", json={"body": "x"}, headers=headers)
    assert response.status_code == 404
