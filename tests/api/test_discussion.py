"""Comments on risks and controls through the API: thread, permissions, audit, bad input."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from aegis.models import AuditEvent, Comment
from tests.factories.controls import make_control
from tests.factories.risks import make_risk


@pytest.fixture(params=["risk", "control"])
def subject(request, db, world, principal_for) -> tuple[str, str]:
    """(URL of the comments of a risk or control of division-a, audit entity type)."""
    analyst = principal_for("analyst")
    if request.param == "risk":
        risk = make_risk(db, analyst, world.units["division-a"])
        url = f"/api/v1/risks/{risk.id}/comments"
    else:
        control = make_control(db, analyst, world.units["division-a"])
        url = f"/api/v1/controls/{control.id}/comments"
    db.commit()
    return url, f"{request.param}_comment"


def _fields(response) -> set[str]:
    return {d["field"] for d in response.json()["error"]["details"]}


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Comment)) or 0


def test_thread_names_authors_and_times_oldest_first(client, world, token_for, subject):
    url, _ = subject
    first = client.post(url, json={"body": "  Owner confirmed.  "}, headers=token_for("analyst"))
    assert first.status_code == 201, first.text
    comment = first.json()
    assert comment["body"] == "Owner confirmed."
    assert comment["author_id"] == world.users["analyst"]
    assert comment["author_name"] == "Analyst"
    assert datetime.fromisoformat(comment["created_at"]).tzinfo is not None
    second = client.post(url, json={"body": "Reviewed"}, headers=token_for("admin_a"))
    assert second.status_code == 201

    thread = client.get(url, headers=token_for("readonly")).json()
    assert [c["body"] for c in thread["items"]] == ["Owner confirmed.", "Reviewed"]
    assert [c["author_name"] for c in thread["items"]] == ["Analyst", "Admin_A"]
    assert thread["total"] == 2
    newest_first = client.get(url, params={"sort": "-id"}, headers=token_for("analyst")).json()
    assert [c["body"] for c in newest_first["items"]] == ["Reviewed", "Owner confirmed."]


def test_authors_delete_their_own_comments_and_administrators_any(
    client, db, world, token_for, subject
):
    url, _ = subject
    mine = client.post(url, json={"body": "mine"}, headers=token_for("analyst")).json()
    theirs = client.post(url, json={"body": "theirs"}, headers=token_for("admin_a")).json()

    refused = client.delete(f"{url}/{theirs['id']}", headers=token_for("analyst"))
    assert refused.status_code == 403
    assert "author" in refused.json()["error"]["message"]
    assert client.delete(f"{url}/{mine['id']}", headers=token_for("analyst")).status_code == 204
    assert client.delete(f"{url}/{mine['id']}", headers=token_for("analyst")).status_code == 404
    assert client.delete(f"{url}/{theirs['id']}", headers=token_for("admin")).status_code == 204
    assert client.get(url, headers=token_for("analyst")).json()["items"] == []
    assert _count(db) == 0


def test_readonly_reads_but_cannot_write_and_the_sibling_division_sees_nothing(
    client, db, world, token_for, subject
):
    url, _ = subject
    comment = client.post(url, json={"body": "Internal note"}, headers=token_for("analyst")).json()
    for reader in ("readonly", "readonly_a"):
        headers = token_for(reader)
        assert [c["body"] for c in client.get(url, headers=headers).json()["items"]] == [
            "Internal note"
        ]
        assert client.post(url, json={"body": "x"}, headers=headers).status_code == 403
        assert client.delete(f"{url}/{comment['id']}", headers=headers).status_code == 403
    sibling = token_for("analyst_b")
    assert client.get(url, headers=sibling).status_code == 404
    assert client.post(url, json={"body": "x"}, headers=sibling).status_code == 404
    assert client.delete(f"{url}/{comment['id']}", headers=sibling).status_code == 404
    assert _count(db) == 1


def test_every_add_and_delete_is_in_the_audit_trail_with_the_unit(
    client, db, world, token_for, subject
):
    url, entity_type = subject
    comment = client.post(url, json={"body": "Audited"}, headers=token_for("analyst")).json()
    assert client.delete(f"{url}/{comment['id']}", headers=token_for("analyst")).status_code == 204
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == entity_type).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.entity_id) for e in events] == [
        ("create", comment["id"]),
        ("delete", comment["id"]),
    ]
    assert {e.unit_id for e in events} == {world.units["division-a"]}
    assert {e.actor_id for e in events} == {world.users["analyst"]}
    assert events[0].changes["body"] == [None, "Audited"]
    assert events[1].changes["body"] == ["Audited", None]


@pytest.mark.parametrize(
    "body",
    [{"body": ""}, {"body": "   "}, {"body": "x" * 10001}, {"body": None}, {}],
    ids=["empty", "blank", "too-long", "null", "missing"],
)
def test_bad_comments_name_the_field_and_write_nothing(client, db, token_for, subject, body):
    url, entity_type = subject
    response = client.post(url, json=body, headers=token_for("analyst"))
    assert response.status_code == 422
    assert _fields(response) == {"body"}
    assert _count(db) == 0
    events = select(func.count()).where(AuditEvent.entity_type == entity_type)
    assert db.scalar(events) == 0


def test_comments_are_never_edited_and_accept_exactly_10000_characters(
    client, db, token_for, subject
):
    url, _ = subject
    unknown = client.post(url, json={"body": "ok", "author_id": 1}, headers=token_for("analyst"))
    assert unknown.status_code == 422
    assert _fields(unknown) == {"author_id"}
    longest = client.post(url, json={"body": "x" * 10000}, headers=token_for("analyst"))
    assert longest.status_code == 201
    assert client.patch(f"{url}/{longest.json()['id']}", json={"body": "y"}).status_code == 405


def test_unknown_risk_or_control_is_404(client, token_for):
    headers = token_for("admin")
    assert client.get("/api/v1/risks/999999/comments", headers=headers).status_code == 404
    missing = client.post("/api/v1/controls/999999/comments", json={"body": "x"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Control not found"


def test_comments_go_with_their_risk(client, db, world, token_for, principal_for):
    risk = make_risk(db, principal_for("analyst"), world.units["division-a"])
    db.commit()
    headers = token_for("analyst")
    client.post(f"/api/v1/risks/{risk.id}/comments", json={"body": "bye"}, headers=headers)
    assert client.delete(f"/api/v1/risks/{risk.id}", headers=headers).status_code == 204
    assert _count(db) == 0
