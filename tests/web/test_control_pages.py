"""Control pages: list, filters, CSV, the requirement picker, detail, scoping, roles."""

from __future__ import annotations

import re

from aegis.domains.frameworks import service as frameworks
from tests.domains.frameworks.data import HIGH, oscal
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.frameworks import make_framework
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task
from tests.web.exported import csv_rows

SCOPE = "pick-requirement_ids-in"
PICKS = "/form-parts/requirements?name=requirement_ids"


def _options(html: str, select_id: str) -> set[int]:
    """The option values of one select of a page."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, f"no select #{select_id}"
    return {int(v) for v in re.findall(r'<option value="(\d+)"', block.group(0))}


def _chosen(html: str) -> set[int]:
    """The requirements the picker shows as chosen chips."""
    return {int(v) for v in re.findall(r'name="requirement_ids" value="(\d+)" checked', html)}


def _offered(html: str) -> set[int]:
    """The requirements the picker offers to add."""
    return {int(v) for v in re.findall(r'name="requirement_ids" value="(\d+)">', html)}


def _body(unit_id: int, **fields: str) -> dict[str, str]:
    return {"ref": "AC-01", "title": "Access reviews", "unit_id": str(unit_id), **fields}


def test_analyst_creates_a_control_meeting_requirements(browser_for, db, world) -> None:
    framework, ids = make_framework(db, None, world.units["company"], ("A.5", "A.6"), name="ISMS")
    db.commit()
    browser = browser_for("analyst")
    form = browser.get("/controls/new")
    assert form.status_code == 200 and 'id="pick-requirement_ids"' in form.text
    assert framework.id in _options(form.text, SCOPE)
    assert (
        "Requirements this control meets" in form.text and "Find requirements to add" in form.text
    )
    response = browser.post(
        "/controls/new",
        {
            **_body(world.units["division-a"], status="implemented"),
            "requirement_ids": [str(ids["A.5"]), str(ids["A.6"])],
        },
    )
    assert response.status_code == 303, response.text
    detail = browser.get(response.headers["location"])
    assert detail.status_code == 200 and "Access reviews" in detail.text
    assert f'<a href="/frameworks/{framework.id}">ISMS 1.0</a>' in detail.text
    for ref in ("A.5", "A.6"):
        link = f'href="/frameworks/{framework.id}/requirements/{ids[ref]}"><strong>{ref}</strong>'
        assert link in detail.text


def test_invalid_form_shows_errors_next_to_fields_and_saves_nothing(
    browser_for, db, world, principal_for
) -> None:
    make_control(db, principal_for("admin"), world.units["division-a"], ref="TAKEN-1")
    _, hidden_ids = make_framework(db, None, world.units["division-b"], ("B1",))
    db.commit()
    browser = browser_for("analyst")
    unit = world.units["division-a"]
    empty = browser.post("/controls/new", _body(unit, title=""))
    assert empty.status_code == 422 and 'id="e-title"' in empty.text
    assert 'value="AC-01"' in empty.text
    taken = browser.post("/controls/new", _body(unit, ref="taken-1"))
    assert taken.status_code == 409 and 'id="e-ref"' in taken.text
    foreign = browser.post(
        "/controls/new", {**_body(unit), "requirement_ids": str(hidden_ids["B1"])}
    )
    assert foreign.status_code == 422 and 'id="e-requirement_ids"' in foreign.text
    listing = browser.get("/controls?q=AC-01")
    assert "No controls match" in listing.text


def test_requirement_search_loads_a_page_of_the_800_53_catalog(browser_for, db, world) -> None:
    framework = frameworks.import_oscal_catalog(
        session=db,
        principal=None,
        unit_id=world.units["company"],
        content=oscal(HIGH),
        source="high.json",
    )
    db.commit()
    assert framework.requirement_count >= 370
    refs = frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)
    browser = browser_for("analyst")
    url = f"{PICKS}&pick_in_requirement_ids={framework.id}"
    first = browser.get(url)
    assert first.status_code == 200 and "<html" not in first.text
    assert len(_offered(first.text)) == 20
    assert f"{framework.requirement_count} requirements match; the first 20" in first.text
    chosen = refs["AU-2"]
    search = browser.get(f"{url}&pick_q_requirement_ids=ac-2&requirement_ids={chosen}")
    offered = _offered(search.text)
    assert refs["AC-2"] in offered and chosen not in offered
    assert "Matches for ac-2" in search.text
    everywhere = browser.get(f"{PICKS}&pick_q_requirement_ids=AU-2%20")
    assert refs["AU-2"] in _offered(everywhere.text)
    assert f'AU-2 — Event Logging <span class="muted">({framework.name})</span>' in (
        everywhere.text
    )
    nothing = browser.get(f"{url}&pick_q_requirement_ids=no-such-thing")
    assert _offered(nothing.text) == set() and "No other requirements match" in nothing.text


def test_requirement_search_is_scoped_to_frameworks_shared_with_the_user(
    browser_for, db, world
) -> None:
    framework, _ = make_framework(db, None, world.units["division-a"], ("SECRET-1",))
    shared, _ = make_framework(db, None, world.units["company"], ("OPEN-1",))
    db.commit()
    sibling = browser_for("analyst_b")
    scoped = f"{PICKS}&pick_in_requirement_ids={framework.id}&pick_q_requirement_ids=secret"
    assert "SECRET-1" not in sibling.get(scoped).text
    assert "SECRET-1" not in sibling.get(f"{PICKS}&pick_q_requirement_ids=secret").text
    form = sibling.get("/controls/new").text
    assert _options(form, SCOPE) == {shared.id}
    assert "SECRET-1" in browser_for("analyst").get(scoped).text


def test_edit_form_keeps_the_chosen_requirements_and_can_remove_them(
    browser_for, db, world, principal_for
) -> None:
    _, ids = make_framework(db, None, world.units["company"], ("R1", "R2", "R3"))
    control = make_control(
        db,
        principal_for("admin"),
        world.units["division-a"],
        ref="KEEP-1",
        requirement_ids=[ids["R1"], ids["R2"]],
    )
    db.commit()
    analyst = browser_for("analyst")
    form = analyst.get(f"/controls/{control.id}/edit")
    assert form.status_code == 200
    assert _chosen(form.text) == {ids["R1"], ids["R2"]}
    assert ids["R3"] in _offered(form.text)
    assert 'class="chip picker-chip"' in form.text and "<select multiple" not in form.text
    saved = analyst.post(
        f"/controls/{control.id}/edit",
        {**_body(world.units["division-a"], ref="KEEP-1"), "requirement_ids": str(ids["R2"])},
    )
    assert saved.status_code == 303, saved.text
    detail = analyst.get(f"/controls/{control.id}").text
    assert "<strong>R2</strong>" in detail and "<strong>R1</strong>" not in detail
    assert 'data-confirm="Delete this control?' in detail
    assert analyst.post(f"/controls/{control.id}/delete").status_code == 303
    assert analyst.get(f"/controls/{control.id}").status_code == 404


def test_without_script_the_search_button_finds_requirements_and_keeps_the_form(
    browser_for, db, world
) -> None:
    first, first_ids = make_framework(db, None, world.units["company"], ("R1", "R2"), name="ISMS")
    _, other_ids = make_framework(db, None, world.units["company"], ("R1",), name="Other")
    db.commit()
    analyst = browser_for("analyst")
    searched = analyst.post(
        "/controls/new",
        {
            **_body(world.units["division-a"], title="Typed before searching"),
            "requirement_ids": str(first_ids["R2"]),
            "pick_in_requirement_ids": str(first.id),
            "pick_q_requirement_ids": "R1",
            "pick": "requirement_ids",
        },
    )
    assert searched.status_code == 200
    assert 'value="Typed before searching"' in searched.text
    assert _chosen(searched.text) == {first_ids["R2"]}
    assert _offered(searched.text) == {first_ids["R1"]}
    assert other_ids["R1"] not in _offered(searched.text)
    assert f'<option value="{first.id}" selected>' in searched.text
    assert "No controls match" in analyst.get("/controls?q=AC-01").text


def test_list_filters_sort_and_csv_export_are_scoped(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    framework, ids = make_framework(db, None, world.units["company"], ("R1",))
    unit_a, unit_b = world.units["division-a"], world.units["division-b"]
    make_control(db, admin, unit_a, ref="A-1", title="Alpha backup", status="implemented")
    make_control(db, admin, unit_a, ref="A-2", title="Alpha mfa", requirement_ids=[ids["R1"]])
    make_control(db, admin, unit_b, ref="B-1", title="Beta firewall", status="implemented")
    db.commit()
    analyst = browser_for("analyst")
    assert analyst.get("/controls").status_code == 200
    implemented = analyst.get("/controls?status=implemented&sort=-ref").text
    assert "Alpha backup" in implemented and "Alpha mfa" not in implemented
    assert "Beta firewall" not in implemented
    mapped = analyst.get(f"/controls?framework_id={framework.id}").text
    assert "Alpha mfa" in mapped and "Alpha backup" not in mapped
    rows = csv_rows(analyst.get("/controls?format=csv&q=alpha&sort=ref"))
    assert [(r["Reference"], r["Requirements"]) for r in rows] == [
        ("A-1", ""),
        ("A-2", f"{framework.name} R1"),
    ]
    sibling = browser_for("analyst_b")
    assert "No controls match" in sibling.get("/controls?q=alpha").text
    assert [r["Reference"] for r in csv_rows(sibling.get("/controls?format=csv"))] == ["B-1"]
    assert "Alpha" not in sibling.get(f"/controls?framework_id={framework.id}").text


def test_detail_shows_evidence_risks_and_tasks(browser_for, db, world, principal_for) -> None:
    admin = principal_for("admin")
    unit = world.units["division-a"]
    control = make_control(db, admin, unit, ref="BK-1", title="Backups")
    make_link(db, admin, unit, title="Backup runbook", control_ids=[control.id])
    make_risk(db, admin, unit, title="Data loss", control_ids=[control.id])
    make_task(db, admin, unit, title="Test a restore", control_id=control.id)
    db.commit()
    page = browser_for("readonly_a").get(f"/controls/{control.id}")
    assert page.status_code == 200
    for text in ("Backup runbook", "Data loss", "Test a restore"):
        assert text in page.text
    assert "not mapped to any requirement" in page.text


def test_sibling_division_cannot_open_change_or_delete_a_control(
    browser_for, db, world, principal_for
) -> None:
    control = make_control(db, principal_for("admin"), world.units["division-a"], ref="HID-1")
    db.commit()
    sibling = browser_for("analyst_b")
    assert sibling.get(f"/controls/{control.id}").status_code == 404
    assert sibling.get(f"/controls/{control.id}/edit").status_code == 404
    assert sibling.post(f"/controls/{control.id}/edit", {"title": "x"}).status_code == 404
    assert sibling.post(f"/controls/{control.id}/delete").status_code == 404


def test_readonly_sees_no_edit_controls_and_is_refused_by_the_server(
    browser_for, db, world, principal_for
) -> None:
    control = make_control(db, principal_for("admin"), world.units["division-a"], ref="RO-1")
    db.commit()
    reader = browser_for("readonly")
    detail = reader.get(f"/controls/{control.id}")
    assert detail.status_code == 200 and "RO-1" in detail.text
    assert f"/controls/{control.id}/edit" not in detail.text and "Delete" not in detail.text
    assert "/evidence/new" not in detail.text and "/tasks/new" not in detail.text
    listing = reader.get("/controls")
    assert listing.status_code == 200 and "/controls/new" not in listing.text
    assert reader.get("/controls/new").status_code == 403
    assert reader.get(f"/controls/{control.id}/edit").status_code == 403
    body = _body(world.units["division-a"])
    assert reader.post("/controls/new", body).status_code == 403
    assert reader.post(f"/controls/{control.id}/edit", body).status_code == 403
    assert reader.post(f"/controls/{control.id}/delete").status_code == 403


def test_list_and_detail_cost_the_same_queries_whatever_their_size(
    browser_for, db, world, principal_for, count_queries
) -> None:
    admin = principal_for("admin")
    unit = world.units["division-a"]
    _, ids = make_framework(db, None, world.units["company"], tuple(f"R{n}" for n in range(12)))
    control = make_control(db, admin, unit, ref="HUB-1", requirement_ids=[ids["R0"]])
    make_link(db, admin, unit, title="Proof 0", control_ids=[control.id])
    make_risk(db, admin, unit, title="Risk 0", control_ids=[control.id])
    make_task(db, admin, unit, title="Task 0", control_id=control.id)
    db.commit()
    analyst = browser_for("analyst")
    with count_queries() as few:
        assert analyst.get("/controls").status_code == 200
        assert analyst.get(f"/controls/{control.id}").status_code == 200
    for n in range(1, 12):
        make_control(db, admin, unit, ref=f"C-{n}", requirement_ids=[ids[f"R{n}"]])
        make_link(db, admin, unit, title=f"Proof {n}", control_ids=[control.id])
        make_risk(db, admin, unit, title=f"Risk {n}", control_ids=[control.id])
        make_task(db, admin, unit, title=f"Task {n}", control_id=control.id)
    db.commit()
    with count_queries() as many:
        assert analyst.get("/controls").status_code == 200
        assert analyst.get(f"/controls/{control.id}").status_code == 200
    assert many.count == few.count
