"""Assessment results for people: statements, result labels, names and times, never codes."""

from __future__ import annotations

import re
from datetime import datetime

from aegis.domains.assessments import comments, service, work
from aegis.domains.assessments.schemas import AssessmentCommentCreate, OverrideWrite, OwnerWrite
from aegis.domains.frameworks import service as frameworks
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.web.exported import csv_rows, xlsx_rows

MISSION = "The organizational mission is understood and informs cybersecurity risk management"
CODES = re.compile(r"\b(non_compliant|partially_compliant|not_assessed|not_applicable)\b")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
HEADER = [
    "Reference",
    "Requirement",
    "Result",
    "Derived result",
    "Derived via",
    "Override",
    "Justification",
    "Decided by",
    "Decided at",
    "Owner",
    "Controls",
    "Evidence",
    "Comments",
]


def _assessed(db, world, principal_for) -> int:
    """A CSF-like framework (titles repeat the reference), worked by division-a's analyst."""
    admin, analyst = principal_for("admin"), principal_for("analyst")
    unit = world.units["division-a"]
    content = (
        "id,parent,title,text\n"
        f'GV.OC-01,,GV.OC-01,"{MISSION}"\n'
        "GV.OC-02,,GV.OC-02,Internal and external stakeholders are understood\n"
    ).encode()
    framework = frameworks.import_csv(
        session=db,
        principal=None,
        unit_id=world.units["company"],
        content=content,
        name="NIST CSF",
        key="csf-readable",
        version="2.0",
    )
    ids = frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)
    control = make_control(
        db, admin, unit, "AC-1", status="implemented", requirement_ids=[ids["GV.OC-01"]]
    )
    make_link(db, admin, unit, title="Review minutes", control_ids=[control.id])
    assessment = make_assessment(db, admin, unit, framework.id, name="Annual review")
    second = ids["GV.OC-02"]
    service.set_override(
        session=db,
        principal=analyst,
        assessment_id=assessment.id,
        requirement_id=second,
        data=OverrideWrite(status="non_compliant", justification="Nobody has listed them yet"),
    )
    work.set_owner(
        session=db,
        principal=analyst,
        assessment_id=assessment.id,
        requirement_id=second,
        data=OwnerWrite(owner_id=world.users["analyst"]),
    )
    comments.add_comment(
        session=db,
        principal=analyst,
        assessment_id=assessment.id,
        requirement_id=second,
        data=AssessmentCommentCreate(body="Ask the board"),
    )
    db.commit()
    return assessment.id


def test_the_results_export_reads_as_words(browser_for, db, world, principal_for) -> None:
    assessment_id = _assessed(db, world, principal_for)
    analyst = browser_for("analyst")
    response = analyst.get(f"/assessments/{assessment_id}?format=csv")
    rows = {row["Reference"]: row for row in csv_rows(response)}
    assert list(next(iter(rows.values()))) == HEADER
    assert rows["GV.OC-01"]["Requirement"] == MISSION
    assert (rows["GV.OC-01"]["Result"], rows["GV.OC-01"]["Derived result"]) == (
        "Compliant",
        "Compliant",
    )
    assert (rows["GV.OC-01"]["Controls"], rows["GV.OC-01"]["Evidence"]) == (
        "AC-1",
        "Review minutes",
    )
    decided = rows["GV.OC-02"]
    assert decided["Requirement"] == "Internal and external stakeholders are understood"
    assert (decided["Result"], decided["Override"]) == ("Non-compliant", "Non-compliant")
    assert decided["Derived result"] == "Not assessed"
    assert decided["Justification"] == "Nobody has listed them yet"
    assert (decided["Decided by"], decided["Owner"], decided["Comments"]) == (
        "Analyst",
        "Analyst",
        "1",
    )
    assert SECOND.fullmatch(decided["Decided at"])
    text = response.content.decode("utf-8-sig")
    assert not CODES.search(text)
    assert not re.search(r"_id|\bid\b", text.splitlines()[0], re.IGNORECASE)


def test_the_results_workbook_has_typed_cells(browser_for, db, world, principal_for) -> None:
    assessment_id = _assessed(db, world, principal_for)
    response = browser_for("analyst").get(f"/assessments/{assessment_id}?format=xlsx")
    rows = {row["Reference"]: row for row in xlsx_rows(response)}
    decided = rows["GV.OC-02"]
    assert decided["Result"] == "Non-compliant" and decided["Owner"] == "Analyst"
    assert isinstance(decided["Decided at"], datetime)
    assert decided["Decided at"].microsecond == 0
    assert decided["Comments"] == 1


def test_the_pages_show_statements_and_labels(browser_for, db, world, principal_for) -> None:
    assessment_id = _assessed(db, world, principal_for)
    analyst = browser_for("analyst")
    page = analyst.get(f"/assessments/{assessment_id}").text
    assert MISSION in page and "Non-compliant" in page and "Export results (XLSX)" in page
    visible = re.sub(r"<[^>]+>", " ", page)
    assert not CODES.search(visible)
    work_ids = re.findall(rf"/assessments/{assessment_id}/requirements/(\d+)", page)
    requirement = analyst.get(f"/assessments/{assessment_id}/requirements/{work_ids[-1]}").text
    shown = re.sub(r"<[^>]+>", " ", requirement)
    assert "Analyst" in shown and not CODES.search(shown)
    bulk = analyst.post(
        f"/assessments/{assessment_id}/results",
        {
            "requirement_ids": work_ids[0],
            "status": "non_compliant",
            "justification": "Found lacking in the audit",
        },
    )
    assert bulk.status_code == 303
    after = analyst.get(bulk.headers["location"]).text
    assert "The result of 1 requirement was set to non-compliant." in after
