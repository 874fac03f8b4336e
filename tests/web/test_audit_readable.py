"""The audit trail in words: names instead of ids, labels instead of codes, times to the second."""

from __future__ import annotations

import html
import re

import pytest

from aegis.domains.assessments import comments, service, work
from aegis.domains.assessments.schemas import AssessmentCommentCreate, OverrideWrite, OwnerWrite
from aegis.domains.discussion.schemas import Subject
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskUpdate
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework, make_control
from tests.factories.discussion import make_comment
from tests.factories.risks import make_risk

SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC")
SUMMARY = "Updated risk 'Ransomware on file servers'"


@pytest.fixture
def story(db, world, principal_for) -> dict[str, int]:
    """A division-a risk linked to a control of each division, then treated and re-owned."""
    admin, units, users = principal_for("admin"), world.units, world.users
    mine = make_control(db, admin, units["division-a"], "AC-1", title="Access control")
    theirs = make_control(db, admin, units["division-b"], "BC-9", title="Backup checks")
    risk = make_risk(
        db,
        admin,
        units["division-a"],
        owner_id=users["analyst"],
        control_ids=[mine.id, theirs.id],
    )
    for status in ("assessed", "treatment_planned", "in_treatment"):
        change = {"status": status}
        if status == "in_treatment":
            change["owner_id"] = users["analyst_b"]
        risks.update_risk(session=db, principal=admin, risk_id=risk.id, data=RiskUpdate(**change))
    db.commit()
    return {"risk": risk.id, "mine": mine.id, "theirs": theirs.id}


def _text(page: str) -> str:
    """The page's text, words separated by single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_page_names_what_the_reader_may_see_and_no_more(browser_for, story) -> None:
    page = browser_for("readonly_a").get("/audit?entity_type=risk").text
    text = _text(page)
    assert SUMMARY in text and "Created risk 'Ransomware on file servers'" in text
    assert "Owner: Analyst → changed to someone outside your units" in text
    assert "Owner id" not in text
    assert "AC-1 Access control, an item outside your units" in text
    assert "BC-9" not in text and "Backup checks" not in text
    assert "<ins>In treatment</ins>" in page and "<del>Treatment planned</del>" in page
    assert "in_treatment" not in text
    assert "division-a" in text
    times = re.findall(r"<time [^>]*>([^<]+)</time>", page)
    assert times and all(SECOND.fullmatch(t) for t in times)
    full = _text(browser_for("admin").get("/audit?entity_type=risk").text)
    assert "AC-1 Access control, BC-9 Backup checks" in full
    assert "Owner: Analyst → changed to Analyst_B" in full


def test_the_api_keeps_the_raw_values_and_adds_words(client, token_for, world, story) -> None:
    response = client.get(
        "/api/v1/audit-events",
        params={"entity_type": "risk", "action": "update"},
        headers=token_for("readonly_a"),
    )
    assert response.status_code == 200, response.text
    newest = response.json()["items"][0]
    assert newest["changes"]["owner_id"] == [world.users["analyst"], world.users["analyst_b"]]
    assert newest["changes"]["status"] == ["treatment_planned", "in_treatment"]
    assert newest["summary"] == SUMMARY
    assert newest["entity_name"] == "Ransomware on file servers"
    assert newest["unit_name"] == "division-a" and newest["action_label"] == "Updated"
    details = {d["field"]: d for d in newest["details"]}
    assert details["owner_id"] == {
        "field": "owner_id",
        "label": "Owner",
        "before": "Analyst",
        "after": "someone outside your units",
    }
    assert (details["status"]["before"], details["status"]["after"]) == (
        "Treatment planned",
        "In treatment",
    )
    assert "." not in newest["occurred_at"]  # to the second


def test_recent_activity_names_the_object(browser_for, client, token_for, story) -> None:
    page = _text(browser_for("analyst").get("/").text)
    assert SUMMARY in page
    assert SECOND.search(page)
    body = client.get("/api/v1/dashboard", headers=token_for("analyst")).json()
    newest = body["recent_activity"][0]
    assert newest["summary"] == SUMMARY and newest["entity_name"] == "Ransomware on file servers"


def test_the_page_costs_the_same_for_5_and_50_events(
    browser_for, db, world, principal_for, count_queries
) -> None:
    admin, unit = principal_for("admin"), world.units["division-a"]
    control = make_control(db, admin, unit, "AC-1", title="Access control")

    def add_risks(count: int, start: int) -> None:
        for n in range(start, start + count):
            make_risk(
                db,
                admin,
                unit,
                title=f"Risk {n}",
                owner_id=world.users["analyst"],
                control_ids=[control.id],
            )
        db.commit()

    add_risks(4, 0)
    browser = browser_for("admin")
    with count_queries() as few:
        small = browser.get("/audit?action=create")  # not the reader's own sign-in
    add_risks(45, 4)
    with count_queries() as many:
        large = browser.get("/audit?action=create")
    assert small.status_code == large.status_code == 200
    assert _text(small.text).count("AC-1 Access control") == 5
    assert _text(large.text).count("AC-1 Access control") == 50
    assert "Risk 48" in large.text and "Owner: Analyst" in _text(large.text)
    assert many.count == few.count


def test_parts_of_objects_read_by_their_parent(client, token_for, db, world, principal_for) -> None:
    """Comments, owners and results name the object they belong to, never a bare number."""
    admin, unit = principal_for("admin"), world.units["division-a"]
    risk = make_risk(db, admin, unit)
    control = make_control(db, admin, unit, "AC-1", title="Access control")
    make_comment(db, admin, Subject.risk(risk.id), "Raised at the board")
    make_comment(db, admin, Subject.control(control.id), "Tested in May")
    framework, ids = insert_framework(db, world.units["company"], ("GV.OC-01",))
    assessment = make_assessment(db, admin, unit, framework.id, name="Annual review")
    work.set_owner(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        requirement_id=ids["GV.OC-01"],
        data=OwnerWrite(owner_id=world.users["analyst"]),
    )
    work.set_owner(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        requirement_id=ids["GV.OC-01"],
        data=OwnerWrite(owner_id=world.users["readonly_a"]),
    )
    for status in ("compliant", "non_compliant"):
        service.set_override(
            session=db,
            principal=admin,
            assessment_id=assessment.id,
            requirement_id=ids["GV.OC-01"],
            data=OverrideWrite(status=status, justification="Seen at the annual review"),
        )
    comments.add_comment(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        requirement_id=ids["GV.OC-01"],
        data=AssessmentCommentCreate(body="Ask the board"),
    )
    comments.add_comment(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        data=AssessmentCommentCreate(body="Started late"),
    )
    db.commit()
    expected = {
        "risk_comment": ["Created risk comment on risk 'Ransomware on file servers'"],
        "control_comment": ["Created control comment on control 'AC-1 Access control'"],
        "assessment_owner": [
            "Updated assessment owner for GV.OC-01 in assessment 'Annual review'",
            "Created assessment owner for GV.OC-01 in assessment 'Annual review'",
        ],
        "assessment_result": [
            "Updated assessment result for GV.OC-01 in assessment 'Annual review'",
            "Created assessment result for GV.OC-01 in assessment 'Annual review'",
        ],
        "assessment_comment": [
            "Created assessment comment in assessment 'Annual review'",
            "Created assessment comment for GV.OC-01 in assessment 'Annual review'",
        ],
    }
    for entity_type, summaries in expected.items():
        response = client.get(
            "/api/v1/audit-events",
            params={"entity_type": entity_type},
            headers=token_for("readonly_a"),
        )
        assert response.status_code == 200, response.text
        assert [e["summary"] for e in response.json()["items"]] == summaries
        assert all("#" not in e["summary"] for e in response.json()["items"])
    owner = client.get(
        "/api/v1/audit-events",
        params={"entity_type": "assessment_owner"},
        headers=token_for("readonly_a"),
    ).json()["items"]
    assert {d["label"]: d["after"] for d in owner[1]["details"]} == {
        "Assessment": "Annual review",
        "Requirement": "GV.OC-01 Requirement GV.OC-01",
        "Owner": "Analyst",
    }
    changed = owner[0]["details"]  # only what changed, though the assessment is recorded
    assert [(d["label"], d["before"], d["after"]) for d in changed] == [
        ("Owner", "Analyst", "Readonly_A")
    ]
