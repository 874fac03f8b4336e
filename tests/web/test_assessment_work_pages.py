"""Assessment pages: save and next, results in bulk, owners, comments and auditor notes."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from aegis.domains.assessments import comments, work
from aegis.domains.assessments.schemas import AssessmentCommentCreate, OwnerWrite
from aegis.models import AssessmentResult
from aegis.models.assessment import AssessmentComment, AssessmentOwner
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework

REASON = "Covered by the group-wide policy"


def _setup(db, world, principal_for, refs=("R1", "R2", "R3")):
    framework, ids = insert_framework(db, world.units["company"], refs)
    assessment = make_assessment(
        db, principal_for("admin"), world.units["division-a"], framework.id
    )
    db.commit()
    return f"/assessments/{assessment.id}", ids, assessment.id


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _checked(html: str) -> set[str]:
    return set(re.findall(r'name="requirement_ids" value="(\d+)"[^>]*checked', html))


def test_save_and_next_goes_on_in_the_framework_order(browser_for, db, world, principal_for):
    base, ids, _ = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    work_on = f"{base}/requirements/{ids['R1']}"
    page = analyst.get(work_on).text
    assert 'name="then" value="next"' in page and 'value="next_undecided"' in page
    saved = analyst.post(work_on, {"status": "compliant", "justification": REASON, "then": "next"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{base}/requirements/{ids['R2']}"
    assert "The result was saved." in analyst.get(saved.headers["location"]).text
    # the next one without a verdict skips R2 once it has one, and continues from the start
    analyst.post(
        f"{base}/requirements/{ids['R2']}", {"status": "compliant", "justification": REASON}
    )
    skipped = analyst.post(
        work_on, {"status": "non_compliant", "justification": REASON, "then": "next_undecided"}
    )
    assert skipped.headers["location"] == f"{base}/requirements/{ids['R3']}"
    last = analyst.post(
        f"{base}/requirements/{ids['R3']}",
        {"status": "compliant", "justification": REASON, "then": "next_undecided"},
    )
    assert last.status_code == 303 and last.headers["location"] == base
    assert "Every requirement now has a verdict." in analyst.get(base).text
    end = analyst.post(
        f"{base}/requirements/{ids['R3']}",
        {"status": "compliant", "justification": REASON, "then": "next"},
    )
    assert end.headers["location"] == base


def test_save_and_next_through_htmx_navigates_and_refusals_stay(
    browser_for, db, world, principal_for
):
    base, ids, _ = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    headers = {"HX-Request": "true", "X-CSRF-Token": analyst.csrf, "Accept": "text/html"}
    moved = analyst.client.post(
        f"{base}/requirements/{ids['R1']}",
        data={"status": "compliant", "justification": REASON, "then": "next"},
        headers=headers,
    )
    assert moved.status_code == 200
    assert moved.headers["HX-Redirect"] == f"{base}/requirements/{ids['R2']}"
    refused = analyst.client.post(
        f"{base}/requirements/{ids['R2']}",
        data={"status": "compliant", "justification": "short", "then": "next"},
        headers=headers,
    )
    assert refused.status_code == 422 and 'id="e-justification"' in refused.text
    assert "HX-Redirect" not in refused.headers


def test_bulk_form_sets_the_selected_results(browser_for, db, world, principal_for):
    base, ids, _ = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    page = analyst.get(base).text
    assert f'name="requirement_ids" value="{ids["R1"]}"' in page
    saved = analyst.post(
        f"{base}/results?status=not_assessed",
        {
            "requirement_ids": [ids["R1"], ids["R2"]],
            "status": "not_applicable",
            "justification": REASON,
        },
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{base}?status=not_assessed#requirements"
    shown = analyst.get(f"{base}?decided=true").text
    assert "The result of 2 requirements was set to not applicable." in shown
    assert f"requirements/{ids['R1']}" in shown and f"requirements/{ids['R3']}" not in shown


def test_refused_bulk_shows_why_and_keeps_the_selection(browser_for, db, world, principal_for):
    base, ids, _ = _setup(db, world, principal_for)
    _, other = insert_framework(db, world.units["company"], ("X1",))
    db.commit()
    analyst = browser_for("analyst")
    short = analyst.post(
        f"{base}/results",
        {"requirement_ids": [ids["R1"], ids["R3"]], "status": "compliant", "justification": "ok"},
    )
    assert short.status_code == 422 and 'id="e-justification"' in short.text
    assert _checked(short.text) == {str(ids["R1"]), str(ids["R3"])}
    foreign = analyst.post(
        f"{base}/results",
        {
            "requirement_ids": [ids["R1"], other["X1"]],
            "status": "compliant",
            "justification": REASON,
        },
    )
    assert foreign.status_code == 422 and 'id="e-requirement_ids"' in foreign.text
    assert "nothing was saved" in foreign.text
    none = analyst.post(f"{base}/results", {"status": "compliant", "justification": REASON})
    assert none.status_code == 422 and 'id="e-requirement_ids"' in none.text
    assert _count(db, AssessmentResult) == 0


def test_owner_and_comments_on_the_requirement_page(browser_for, db, world, principal_for):
    base, ids, _ = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    work_on = f"{base}/requirements/{ids['R2']}"
    assert 'name="owner_id"' in analyst.get(work_on).text
    owned = analyst.post(f"{work_on}/owner", {"owner_id": str(world.users["analyst"])})
    assert owned.status_code == 303 and owned.headers["location"] == f"{work_on}#owner"
    outsider = analyst.post(f"{work_on}/owner", {"owner_id": str(world.users["analyst_b"])})
    assert outsider.status_code == 422 and 'id="e-owner_id"' in outsider.text
    empty = analyst.post(f"{work_on}/comments", {"body": "   "})
    assert empty.status_code == 422 and 'id="e-comments-body"' in empty.text
    said = analyst.post(f"{work_on}/comments", {"body": "Asked IT for the export"})
    assert said.status_code == 303 and said.headers["location"] == f"{work_on}#comments"
    page = analyst.get(work_on).text
    assert "Asked IT for the export" in page and "Analyst</strong> answers" in page
    mine = analyst.get(f"{base}?mine=true").text
    assert f"requirements/{ids['R2']}" in mine and f"requirements/{ids['R1']}" not in mine
    assert "My requirements" in mine
    assert analyst.post(f"{work_on}/owner", {}).status_code == 303
    assert _count(db, AssessmentOwner) == 0


def test_readonly_annotates_but_cannot_change(browser_for, db, world, principal_for):
    base, ids, _ = _setup(db, world, principal_for)
    readonly = browser_for("readonly")
    page = readonly.get(base).text
    assert 'name="requirement_ids"' not in page and "Add an auditor note" in page
    work_on = f"{base}/requirements/{ids['R1']}"
    requirement = readonly.get(work_on).text
    assert 'name="owner_id"' not in requirement and 'name="justification"' not in requirement
    assert "Add an auditor note" in requirement
    noted = readonly.post(f"{work_on}/comments", {"body": "Sample of five checked"})
    assert noted.status_code == 303
    overall = readonly.post(f"{base}/comments", {"body": "Scope agreed with the CISO"})
    assert overall.status_code == 303 and overall.headers["location"] == f"{base}#notes"
    shown = browser_for("analyst").get(work_on).text
    assert "Sample of five checked" in shown and "Auditor note" in shown
    assert "Scope agreed with the CISO" in browser_for("analyst").get(base).text
    verdict = {"status": "compliant", "justification": REASON}
    assert readonly.post(work_on, verdict).status_code == 403
    assert (
        readonly.post(f"{base}/results", {**verdict, "requirement_ids": [ids["R1"]]}).status_code
        == 403
    )
    assert (
        readonly.post(f"{work_on}/owner", {"owner_id": str(world.users["readonly"])}).status_code
        == 403
    )
    assert _count(db, AssessmentResult) == 0 and _count(db, AssessmentOwner) == 0
    assert _count(db, AssessmentComment) == 2


def test_sibling_division_gets_not_found(browser_for, db, world, principal_for):
    base, ids, _ = _setup(db, world, principal_for)
    sibling = browser_for("analyst_b")
    work_on = f"{base}/requirements/{ids['R1']}"
    assert sibling.get(work_on).status_code == 404
    assert sibling.post(f"{work_on}/comments", {"body": "Hello"}).status_code == 404
    assert sibling.post(f"{base}/comments", {"body": "Hello"}).status_code == 404
    bulk = {"requirement_ids": [ids["R1"]], "status": "compliant", "justification": REASON}
    assert sibling.post(f"{base}/results", bulk).status_code == 404
    assert _count(db, AssessmentComment) == 0 and _count(db, AssessmentResult) == 0


def _busy(db, world, principal_for, size):
    """An assessment of `size` requirements, each with an owner, a comment and a note."""
    refs = tuple(f"R{n}" for n in range(size))
    base, ids, assessment_id = _setup(db, world, principal_for, refs)
    admin, readonly = principal_for("admin"), principal_for("readonly")
    for requirement_id in ids.values():
        work.set_owner(
            session=db,
            principal=admin,
            assessment_id=assessment_id,
            requirement_id=requirement_id,
            data=OwnerWrite(owner_id=world.users["analyst"]),
        )
        for who in (admin, readonly):
            comments.add_comment(
                session=db,
                principal=who,
                assessment_id=assessment_id,
                requirement_id=requirement_id,
                data=AssessmentCommentCreate(body="Checked"),
            )
        comments.add_comment(
            session=db,
            principal=readonly,
            assessment_id=assessment_id,
            data=AssessmentCommentCreate(body="Overall"),
        )
    db.commit()
    return base, ids


def test_assessment_page_costs_the_same_for_5_or_50_requirements(
    browser_for, db, world, principal_for, count_queries
):
    small, small_ids = _busy(db, world, principal_for, 5)
    large, large_ids = _busy(db, world, principal_for, 50)
    analyst = browser_for("analyst")
    counts = []
    for base, ids in ((small, small_ids), (large, large_ids)):
        with count_queries() as page:
            html = analyst.get(f"{base}?limit=200").text
        assert html.count('name="requirement_ids"') == len(ids)
        with count_queries() as requirement:
            analyst.get(f"{base}/requirements/{ids['R3']}")
        counts.append((page.count, requirement.count))
    assert counts[0] == counts[1], counts


def test_notes_owners_and_bulk_results_are_in_the_audit_trail(
    browser_for, db, world, principal_for
):
    base, ids, _ = _setup(db, world, principal_for)
    analyst, readonly = browser_for("analyst"), browser_for("readonly")
    bulk = {
        "requirement_ids": [ids["R1"], ids["R2"]],
        "status": "compliant",
        "justification": REASON,
    }
    assert analyst.post(f"{base}/results", bulk).status_code == 303
    owner = {"owner_id": str(world.users["analyst"])}
    assert analyst.post(f"{base}/requirements/{ids['R1']}/owner", owner).status_code == 303
    assert readonly.post(f"{base}/comments", {"body": "Scope agreed"}).status_code == 303
    trail = browser_for("admin").get("/audit").text
    assert trail.count("Created assessment result") == 2
    assert "Created assessment owner" in trail and "Created assessment comment" in trail
