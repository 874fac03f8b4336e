"""Assessments through the API: results in bulk, owners, comments and auditor notes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aegis.models import AssessmentResult, AuditEvent
from aegis.models.assessment import AssessmentComment, AssessmentOwner
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework

REASON = "Covered by the group-wide policy"


def _setup(db, world, principal_for):
    framework, ids = insert_framework(db, world.units["company"], ("R1", "R2", "R3"))
    assessment = make_assessment(
        db, principal_for("admin"), world.units["division-a"], framework.id
    )
    db.commit()
    return f"/api/v1/assessments/{assessment.id}", ids


def _fields(response) -> set[str]:
    return {d["field"] for d in response.json()["error"]["details"]}


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _audited(db, entity_type) -> int:
    stmt = select(func.count()).where(AuditEvent.entity_type == entity_type)
    return db.scalar(stmt.select_from(AuditEvent))


def test_bulk_results_owner_and_filters(client, db, world, principal_for, token_for):
    url, ids = _setup(db, world, principal_for)
    headers = token_for("analyst")
    body = {
        "requirement_ids": [ids["R1"], ids["R3"]],
        "status": "compliant",
        "justification": REASON,
    }
    changed = client.patch(f"{url}/results", json=body, headers=headers)
    assert changed.status_code == 200, changed.text
    assert [(r["ref_id"], r["status"]) for r in changed.json()] == [
        ("R1", "compliant"),
        ("R3", "compliant"),
    ]
    assert client.get(url, headers=headers).json()["score"] == pytest.approx(66.7)
    owned = client.put(
        f"{url}/results/{ids['R2']}/owner",
        json={"owner_id": world.users["analyst"]},
        headers=headers,
    )
    assert owned.status_code == 200 and owned.json()["owner_id"] == world.users["analyst"]
    mine = client.get(f"{url}/results", params={"mine": "true"}, headers=headers).json()
    assert [(r["ref_id"], r["owner_name"]) for r in mine["items"]] == [("R2", "Analyst")]
    open_ones = client.get(f"{url}/results", params={"decided": "false"}, headers=headers).json()
    assert [r["ref_id"] for r in open_ones["items"]] == ["R2"]
    assert _audited(db, "assessment_result") == 2 and _audited(db, "assessment_owner") == 1
    cleared = client.put(
        f"{url}/results/{ids['R2']}/owner", json={"owner_id": None}, headers=headers
    )
    assert cleared.status_code == 200 and cleared.json()["owner_id"] is None


def test_bulk_with_a_requirement_not_in_the_assessment_writes_nothing(
    client, db, world, principal_for, token_for
):
    url, ids = _setup(db, world, principal_for)
    _, other = insert_framework(db, world.units["company"], ("X1",))
    db.commit()
    headers = token_for("analyst")
    for wrong in (999999, other["X1"]):
        body = {
            "requirement_ids": [ids["R1"], wrong],
            "status": "compliant",
            "justification": REASON,
        }
        refused = client.patch(f"{url}/results", json=body, headers=headers)
        assert refused.status_code == 422, refused.text
        assert _fields(refused) == {"requirement_ids"}
        assert str(wrong) in refused.json()["error"]["message"]
    empty = client.patch(
        f"{url}/results",
        json={"requirement_ids": [], "status": "compliant", "justification": REASON},
        headers=headers,
    )
    assert empty.status_code == 422 and _fields(empty) == {"requirement_ids"}
    assert _count(db, AssessmentResult) == 0 and _audited(db, "assessment_result") == 0


@pytest.mark.parametrize("body", ["", "   ", "x" * 10001])
def test_comment_text_is_required_and_limited(client, db, world, principal_for, token_for, body):
    url, ids = _setup(db, world, principal_for)
    for target in (f"{url}/comments", f"{url}/results/{ids['R1']}/comments"):
        refused = client.post(target, json={"body": body}, headers=token_for("readonly"))
        assert refused.status_code == 422 and _fields(refused) == {"body"}
    assert _count(db, AssessmentComment) == 0


def test_owner_outside_the_people_who_see_the_unit_is_refused(
    client, db, world, principal_for, token_for
):
    url, ids = _setup(db, world, principal_for)
    for owner_id in (world.users["analyst_b"], 999999):
        refused = client.put(
            f"{url}/results/{ids['R1']}/owner",
            json={"owner_id": owner_id},
            headers=token_for("admin"),
        )
        assert refused.status_code == 422 and _fields(refused) == {"owner_id"}
    missing = client.put(f"{url}/results/{ids['R1']}/owner", json={}, headers=token_for("admin"))
    assert missing.status_code == 422 and _fields(missing) == {"owner_id"}
    assert _count(db, AssessmentOwner) == 0


def test_readonly_adds_notes_but_changes_nothing(client, db, world, principal_for, token_for):
    url, ids = _setup(db, world, principal_for)
    headers = token_for("readonly")
    before = client.get(url, headers=headers).json()
    note = client.post(
        f"{url}/results/{ids['R1']}/comments", json={"body": "Sampled 5 tickets"}, headers=headers
    )
    assert note.status_code == 201, note.text
    assert note.json()["kind"] == "auditor_note" and note.json()["author_name"]
    overall = client.post(f"{url}/comments", json={"body": "Scope is fine"}, headers=headers)
    assert overall.status_code == 201 and overall.json()["requirement_id"] is None
    as_comment = client.post(
        f"{url}/comments", json={"body": "Scope", "kind": "comment"}, headers=headers
    )
    assert as_comment.status_code == 403
    verdict = {"status": "compliant", "justification": REASON}
    refused = [
        client.put(f"{url}/results/{ids['R1']}", json=verdict, headers=headers),
        client.patch(
            f"{url}/results", json={**verdict, "requirement_ids": [ids["R1"]]}, headers=headers
        ),
        client.put(
            f"{url}/results/{ids['R1']}/owner",
            json={"owner_id": world.users["readonly"]},
            headers=headers,
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    after = client.get(url, headers=headers).json()
    assert after == before
    assert _count(db, AssessmentResult) == 0 and _count(db, AssessmentOwner) == 0
    assert _count(db, AssessmentComment) == 2
    # the analyst working the assessment reads the notes
    thread = client.get(f"{url}/results/{ids['R1']}/comments", headers=token_for("analyst"))
    assert [c["body"] for c in thread.json()["items"]] == ["Sampled 5 tickets"]
    results = client.get(f"{url}/results", headers=token_for("analyst")).json()["items"]
    assert [r["comment_count"] for r in results] == [1, 0, 0]


def test_sibling_division_sees_nothing(client, db, world, principal_for, token_for):
    url, ids = _setup(db, world, principal_for)
    headers = token_for("analyst_b")
    verdict = {"status": "compliant", "justification": REASON, "requirement_ids": [ids["R1"]]}
    answers = [
        client.patch(f"{url}/results", json=verdict, headers=headers),
        client.put(f"{url}/results/{ids['R1']}/owner", json={"owner_id": None}, headers=headers),
        client.get(f"{url}/comments", headers=headers),
        client.post(f"{url}/comments", json={"body": "Hello"}, headers=headers),
        client.post(f"{url}/results/{ids['R1']}/comments", json={"body": "Hi"}, headers=headers),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert _count(db, AssessmentComment) == 0 and _count(db, AssessmentResult) == 0
