"""Risk register pages: list, filters, CSV, create with validation, edit, delete, scoping."""

from __future__ import annotations

from tests.factories.risks import make_risk
from tests.web.exported import csv_rows


def test_analyst_creates_a_risk_through_the_form(browser_for, world) -> None:
    browser = browser_for("analyst")
    form = browser.get("/risks/new")
    assert form.status_code == 200 and 'name="inherent_likelihood"' in form.text
    response = browser.post(
        "/risks/new",
        {
            "title": "Card data leak",
            "unit_id": str(world.units["division-a"]),
            "category": "technical",
            "status": "identified",
            "inherent_likelihood": "4",
            "inherent_impact": "5",
        },
    )
    assert response.status_code == 303
    detail = browser.get(response.headers["location"])
    assert "Card data leak" in detail.text
    assert "4 × 5 = 20" in detail.text and "Critical" in detail.text


def test_invalid_form_shows_errors_next_to_fields_and_saves_nothing(browser_for, world) -> None:
    browser = browser_for("analyst")
    response = browser.post(
        "/risks/new",
        {
            "title": "",
            "unit_id": str(world.units["division-a"]),
            "category": "technical",
            "inherent_likelihood": "9",
            "inherent_impact": "5",
        },
    )
    assert response.status_code == 422
    assert 'id="e-title"' in response.text
    out_of_range = browser.post(
        "/risks/new",
        {
            "title": "Too likely",
            "unit_id": str(world.units["division-a"]),
            "category": "technical",
            "inherent_likelihood": "9",
            "inherent_impact": "5",
        },
    )
    assert out_of_range.status_code == 422
    assert 'id="e-inherent_likelihood"' in out_of_range.text
    assert 'value="Too likely"' in out_of_range.text
    assert "No risks match" in browser.get("/risks").text


def test_list_filters_sort_and_csv_export_are_scoped(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    make_risk(db, admin, world.units["division-a"], title="Alpha phishing")
    make_risk(db, admin, world.units["division-b"], title="Beta fraud")
    db.commit()
    analyst = browser_for("analyst")
    page = analyst.get("/risks?q=phishing&sort=title")
    assert "Alpha phishing" in page.text and "Beta fraud" not in page.text
    rows = csv_rows(analyst.get("/risks?format=csv"))
    assert [row["Title"] for row in rows] == ["Alpha phishing"]
    assert "Beta fraud" not in analyst.get("/risks?q=Beta").text


def test_sibling_division_cannot_open_a_risk_by_url(browser_for, db, world, principal_for) -> None:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"], title="Hidden")
    db.commit()
    sibling = browser_for("analyst_b")
    assert sibling.get(f"/risks/{risk.id}").status_code == 404
    assert sibling.post(f"/risks/{risk.id}/delete").status_code == 404


def test_readonly_sees_no_edit_controls_and_is_refused_by_the_server(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"], title="Read me")
    db.commit()
    auditor = browser_for("readonly")
    detail = auditor.get(f"/risks/{risk.id}")
    assert detail.status_code == 200
    assert f"/risks/{risk.id}/edit" not in detail.text and "Delete" not in detail.text
    assert "New risk" not in auditor.get("/risks").text
    assert auditor.get(f"/risks/{risk.id}/edit").status_code == 403
    assert auditor.post(f"/risks/{risk.id}/delete").status_code == 403
    assert auditor.post("/risks/new", {"title": "x"}).status_code in (403, 422)


def test_edit_lowers_the_residual_and_delete_asks_first(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        title="Edit me",
        inherent_likelihood=4,
        inherent_impact=5,
    )
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get(f"/risks/{risk.id}/edit")
    assert form.status_code == 200
    saved = analyst.post(
        f"/risks/{risk.id}/edit",
        {
            "title": "Edit me",
            "unit_id": str(world.units["division-a"]),
            "category": risk.category.value,
            "status": risk.status.value,
            "inherent_likelihood": "4",
            "inherent_impact": "5",
            "residual_likelihood": "2",
            "residual_impact": "3",
        },
    )
    assert saved.status_code == 303, saved.text
    assert "2 × 3 = 6" in analyst.get(f"/risks/{risk.id}").text
    assert 'data-confirm="Delete this risk?' in analyst.get(f"/risks/{risk.id}").text
    assert analyst.post(f"/risks/{risk.id}/delete").status_code == 303
    assert analyst.get(f"/risks/{risk.id}").status_code == 404
