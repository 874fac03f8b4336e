"""Assessment pages: list, CSV, scores and results, working a requirement, overrides, scoping."""

from __future__ import annotations

import re

from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import make_link
from tests.web.exported import csv_rows


def _setup(db, world, principal_for, unit="division-a"):
    """R1 compliant (implemented control with evidence), R2 non-compliant, R3 not assessed."""
    admin = principal_for("admin")
    framework, ids = insert_framework(db, world.units["company"], ("R1", "R2", "R3"))
    done = make_control(
        db,
        admin,
        world.units[unit],
        ref="AC-1",
        title="Access reviews",
        status="implemented",
        requirement_ids=[ids["R1"]],
    )
    make_control(
        db,
        admin,
        world.units[unit],
        ref="AC-2",
        title="Password rules",
        status="planned",
        requirement_ids=[ids["R2"]],
    )
    make_link(db, admin, world.units[unit], title="Review minutes", control_ids=[done.id])
    assessment = make_assessment(db, admin, world.units[unit], framework.id, name="Annual review")
    db.commit()
    return assessment, ids, done


def _score(html: str) -> str:
    match = re.search(r'<span class="value">\s*([0-9.]+) %', html)
    assert match, "no score on the page"
    return match.group(1)


def test_detail_shows_score_counts_and_results(browser_for, db, world, principal_for) -> None:
    assessment, ids, _ = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    page = analyst.get(f"/assessments/{assessment.id}")
    assert page.status_code == 200
    assert _score(page.text) == "33.3"
    assert "Test framework" in page.text
    for ref in ("R1", "R2", "R3"):
        assert f"/assessments/{assessment.id}/requirements/{ids[ref]}" in page.text
    assert "Non-compliant" in page.text and "Not assessed" in page.text
    filtered = analyst.get(f"/assessments/{assessment.id}?status=not_assessed").text
    assert f"requirements/{ids['R3']}" in filtered and f"requirements/{ids['R1']}" not in filtered
    paged = analyst.get(f"/assessments/{assessment.id}?limit=1&offset=1").text
    assert f"requirements/{ids['R2']}" in paged and f'requirements/{ids["R1"]}"' not in paged
    assert 'rel="next"' in paged and 'rel="prev"' in paged
    rows = csv_rows(analyst.get(f"/assessments/{assessment.id}?format=csv&status=compliant"))
    assert [(row["Reference"], row["Result"]) for row in rows] == [("R1", "Compliant")]


def test_override_changes_the_score_and_can_be_cleared(
    browser_for, db, world, principal_for
) -> None:
    assessment, ids, _ = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    base = f"/assessments/{assessment.id}"
    work = f"{base}/requirements/{ids['R3']}"
    page = analyst.get(work)
    assert page.status_code == 200
    assert 'name="justification"' in page.text and f'hx-post="{work}"' in page.text
    too_short = analyst.post(work, {"status": "compliant", "justification": "ok"})
    assert too_short.status_code == 422
    assert 'id="e-justification"' in too_short.text
    assert _score(analyst.get(base).text) == "33.3"
    saved = analyst.post(
        work, {"status": "compliant", "justification": "Covered by the group-wide policy"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == work
    assert _score(analyst.get(base).text) == "66.7"
    again = analyst.get(work).text
    assert "Covered by the group-wide policy" in again and "Clear override" in again
    assert analyst.post(f"{work}/clear").status_code == 303
    assert _score(analyst.get(base).text) == "33.3"
    assert "Clear override" not in analyst.get(work).text


def test_override_through_htmx_updates_the_result_in_place(
    browser_for, db, world, principal_for
) -> None:
    assessment, ids, _ = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    work = f"/assessments/{assessment.id}/requirements/{ids['R2']}"
    response = analyst.client.post(
        work,
        data={"status": "not_applicable", "justification": "The system has no passwords"},
        headers={"HX-Request": "true", "X-CSRF-Token": analyst.csrf, "Accept": "text/html"},
    )
    assert response.status_code == 200
    assert 'id="result"' in response.text and "Not applicable" in response.text
    assert "50.0 %" in response.text
    invalid = analyst.client.post(
        work,
        data={"status": "compliant", "justification": ""},
        headers={"HX-Request": "true", "X-CSRF-Token": analyst.csrf, "Accept": "text/html"},
    )
    assert invalid.status_code == 422 and 'id="e-justification"' in invalid.text


def test_requirement_page_shows_controls_and_evidence(
    browser_for, db, world, principal_for
) -> None:
    assessment, ids, control = _setup(db, world, principal_for)
    analyst = browser_for("analyst")
    page = analyst.get(f"/assessments/{assessment.id}/requirements/{ids['R1']}").text
    assert "AC-1" in page and "Access reviews" in page and "Implemented" in page
    assert "Review minutes" in page
    assert f"/evidence/new?control_id={control.id}" in page
    assert f"/assessments/{assessment.id}/requirements/{ids['R2']}" in page  # next
    assert "1 of 3" in page
    missing = analyst.get(f"/assessments/{assessment.id}/requirements/999999")
    assert missing.status_code == 404


def test_create_with_validation_and_edit_and_delete(browser_for, db, world) -> None:
    framework, _ = insert_framework(db, world.units["company"], ("R1",))
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get("/assessments/new")
    assert form.status_code == 200 and f'value="{framework.id}"' in form.text
    invalid = analyst.post(
        "/assessments/new",
        {"name": "", "framework_id": str(framework.id), "unit_id": str(world.units["division-a"])},
    )
    assert invalid.status_code == 422 and 'id="e-name"' in invalid.text
    bad_date = analyst.post(
        "/assessments/new",
        {
            "name": "Q3 review",
            "framework_id": str(framework.id),
            "unit_id": str(world.units["division-a"]),
            "status": "planned",
            "due_date": "someday",
        },
    )
    assert bad_date.status_code == 422 and 'id="e-due_date"' in bad_date.text
    assert "No assessments match" in analyst.get("/assessments").text
    created = analyst.post(
        "/assessments/new",
        {
            "name": "Q3 review",
            "framework_id": str(framework.id),
            "unit_id": str(world.units["division-a"]),
            "status": "planned",
        },
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    assert "Q3 review" in analyst.get(url).text
    assert analyst.get(f"{url}/edit").status_code == 200
    empty = analyst.post(f"{url}/edit", {"name": "", "status": "in_progress"})
    assert empty.status_code == 422 and 'id="e-name"' in empty.text
    saved = analyst.post(
        f"{url}/edit",
        {"name": "Q3 review (final)", "status": "in_progress", "due_date": "2031-05-01"},
    )
    assert saved.status_code == 303
    detail = analyst.get(url).text
    assert "Q3 review (final)" in detail and "In progress" in detail and "2031-05-01" in detail
    assert 'data-confirm="Delete this assessment' in detail
    assert analyst.post(f"{url}/delete").status_code == 303
    assert analyst.get(url).status_code == 404


def test_list_filters_and_csv_are_scoped(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    framework, _ = insert_framework(db, world.units["company"], ("R1",))
    make_assessment(db, admin, world.units["division-a"], framework.id, name="Alpha audit")
    make_assessment(
        db, admin, world.units["division-a"], framework.id, name="Alpha done", status="completed"
    )
    make_assessment(db, admin, world.units["division-b"], framework.id, name="Beta audit")
    db.commit()
    analyst = browser_for("analyst")
    page = analyst.get("/assessments?sort=name").text
    assert "Alpha audit" in page and "Alpha done" in page and "Beta audit" not in page
    completed = analyst.get("/assessments?status=completed").text
    assert "Alpha done" in completed and "Alpha audit" not in completed
    exported = csv_rows(analyst.get("/assessments?format=csv&status=planned"))
    assert [row["Name"] for row in exported] == ["Alpha audit"]
    sibling = browser_for("analyst_b")
    rows = csv_rows(sibling.get("/assessments?format=csv"))
    assert [row["Name"] for row in rows] == ["Beta audit"]
    assert "Alpha" not in sibling.get("/assessments").text


def test_sibling_division_cannot_open_an_assessment_by_url(
    browser_for, db, world, principal_for
) -> None:
    assessment, ids, _ = _setup(db, world, principal_for)
    sibling = browser_for("analyst_b")
    base = f"/assessments/{assessment.id}"
    work = f"{base}/requirements/{ids['R1']}"
    for url in (base, f"{base}/edit", work, f"{base}?format=csv"):
        assert sibling.get(url).status_code == 404, url
    justification = {"status": "compliant", "justification": "Not my assessment at all"}
    assert sibling.post(work, justification).status_code == 404
    assert sibling.post(f"{work}/clear").status_code == 404
    assert sibling.post(f"{base}/delete").status_code == 404


def test_readonly_sees_no_controls_and_is_refused(browser_for, db, world, principal_for) -> None:
    assessment, ids, _ = _setup(db, world, principal_for)
    reader = browser_for("readonly")
    base = f"/assessments/{assessment.id}"
    work = f"{base}/requirements/{ids['R1']}"
    detail = reader.get(base)
    assert detail.status_code == 200
    assert f"{base}/edit" not in detail.text and "Delete" not in detail.text
    page = reader.get(work)
    assert page.status_code == 200
    assert 'name="justification"' not in page.text and "Save override" not in page.text
    assert "New assessment" not in reader.get("/assessments").text
    assert reader.get("/assessments/new").status_code == 403
    assert reader.get(f"{base}/edit").status_code == 403
    override = {"status": "compliant", "justification": "Readers cannot decide this"}
    assert reader.post(work, override).status_code == 403
    assert reader.post(f"{work}/clear").status_code == 403
    assert reader.post(f"{base}/edit", {"name": "x", "status": "planned"}).status_code == 403
    assert reader.post(f"{base}/delete").status_code == 403
    assert reader.post("/assessments/new", {"name": "x"}).status_code == 403
