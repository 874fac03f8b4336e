"""Editing frameworks in the browser: name, version, description, deletion, requirements."""

from __future__ import annotations

import html
import re

from aegis.domains.frameworks import service as frameworks
from aegis.models import Framework
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.frameworks import make_framework


def _text(response) -> str:
    """The page's text without tags, on one line."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_a_framework_is_renamed_reversioned_and_described(browser_for, db, world) -> None:
    framework, _ = make_framework(db, None, world.units["division-a"], name="Old name")
    db.commit()
    browser = browser_for("analyst")
    page = browser.get(f"/frameworks/{framework.id}")
    assert f'href="/frameworks/{framework.id}/edit"' in page.text
    form = browser.get(f"/frameworks/{framework.id}/edit")
    assert form.status_code == 200 and 'value="Old name"' in form.text
    empty = browser.post(f"/frameworks/{framework.id}/edit", {"name": "", "version": "2"})
    assert empty.status_code == 422 and 'id="e-name"' in empty.text
    saved = browser.post(
        f"/frameworks/{framework.id}/edit",
        {"name": "New name", "version": "2024", "description": "Our own rules"},
    )
    assert saved.status_code == 303, saved.text
    shown = _text(browser.get(saved.headers["location"]))
    assert "New name 2024" in shown and "Our own rules" in shown
    assert "The framework was saved." in shown


def test_a_framework_in_use_is_not_deleted_and_the_page_says_why(
    browser_for, db, world, principal_for
) -> None:
    admin = principal_for("admin")
    unit = world.units["division-a"]
    framework, ids = make_framework(db, None, unit)
    make_assessment(db, admin, unit, framework.id)
    make_control(db, admin, unit, requirement_ids=[ids["R1"]])
    unused, _ = make_framework(db, None, unit, name="Unused rules")
    db.commit()
    browser = browser_for("analyst")
    refused = browser.post(f"/frameworks/{framework.id}/delete")
    assert refused.status_code == 409
    assert (
        "This framework cannot be deleted: it is used by 1 assessment and 1 control mapping."
        in _text(refused)
    )
    assert db.get(Framework, framework.id) is not None
    deleted = browser.post(f"/frameworks/{unused.id}/delete")
    assert deleted.status_code == 303 and deleted.headers["location"] == "/frameworks"
    assert "The framework was deleted." in browser.get("/frameworks").text
    db.expire_all()
    assert db.get(Framework, unused.id) is None


def test_only_writers_of_the_unit_edit_or_delete_a_framework(browser_for, db, world) -> None:
    framework, _ = make_framework(db, None, world.units["division-a"], name="Alpha rules")
    shared, _ = make_framework(db, None, world.units["company"], name="Company rules")
    db.commit()
    sibling = browser_for("analyst_b")
    assert sibling.get(f"/frameworks/{framework.id}/edit").status_code == 404
    assert sibling.post(f"/frameworks/{framework.id}/edit", {"name": "x"}).status_code == 404
    assert sibling.post(f"/frameworks/{framework.id}/delete").status_code == 404
    reader = browser_for("readonly")
    assert f"/frameworks/{framework.id}/edit" not in reader.get(f"/frameworks/{framework.id}").text
    assert reader.get(f"/frameworks/{framework.id}/edit").status_code == 403
    assert reader.post(f"/frameworks/{framework.id}/delete").status_code == 403
    analyst = browser_for("analyst")
    assert f"/frameworks/{shared.id}/edit" not in analyst.get(f"/frameworks/{shared.id}").text
    assert analyst.post(f"/frameworks/{shared.id}/edit", {"name": "Ours"}).status_code == 403
    db.expire_all()
    assert db.get(Framework, framework.id).name == "Alpha rules"
    assert db.get(Framework, shared.id).name == "Company rules"


def test_requirements_are_added_edited_and_removed_one_by_one(
    browser_for, db, world, principal_for
) -> None:
    framework, ids = make_framework(db, None, world.units["division-a"], ("R1", "R2"))
    db.commit()
    browser = browser_for("analyst")
    base = f"/frameworks/{framework.id}/requirements"
    form = browser.get(f"{base}/new?parent_id={ids['R1']}")
    assert form.status_code == 200 and 'value="R1"' in form.text
    unknown_parent = browser.post(
        f"{base}/new", {"ref_id": "R1.1", "parent": "R9", "title": "Child", "assessable": "on"}
    )
    assert unknown_parent.status_code == 422 and 'id="e-parent"' in unknown_parent.text
    assert "This framework has no requirement" in _text(unknown_parent)
    taken = browser.post(f"{base}/new", {"ref_id": "r2", "title": "Twice"})
    assert taken.status_code == 409 and 'id="e-ref_id"' in taken.text
    no_title = browser.post(f"{base}/new", {"ref_id": "R3"})
    assert no_title.status_code == 422 and 'id="e-title"' in no_title.text
    added = browser.post(
        f"{base}/new",
        {"ref_id": "R1.1", "parent": "R1", "title": "Child", "text": "Do it", "assessable": "on"},
    )
    assert added.status_code == 303, added.text
    child_id = frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)[
        "R1.1"
    ]
    assert added.headers["location"] == f"{base}/{child_id}"
    page = _text(browser.get(added.headers["location"]))
    assert "R1.1 — Child" in page and "The requirement was added." in page
    edited = browser.post(
        f"{base}/{child_id}/edit", {"ref_id": "R1.1", "parent": "R2", "title": "Moved"}
    )
    assert edited.status_code == 303, edited.text
    moved = frameworks.get_requirement(session=db, principal=None, requirement_id=child_id)
    assert (moved.parent_id, moved.title, moved.assessable) == (ids["R2"], "Moved", False)
    cycle = browser.post(f"{base}/{ids['R2']}/edit", {"ref_id": "R2", "parent": "R1.1",
                                                      "title": "Loop"})  # fmt: skip
    assert cycle.status_code == 422 and "below itself" in _text(cycle)
    make_control(db, principal_for("admin"), world.units["division-a"], requirement_ids=[child_id])
    db.commit()
    in_use = browser.post(f"{base}/{child_id}/delete")
    assert in_use.status_code == 409
    assert "R1.1 cannot be removed while it has 1 control; remove those first." in _text(in_use)
    removed = browser.post(f"{base}/{ids['R1']}/delete")
    assert (
        removed.status_code == 303 and removed.headers["location"] == f"/frameworks/{framework.id}"
    )
    remaining = frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)
    assert set(remaining) == {"R2", "R1.1"}


def test_other_divisions_cannot_edit_requirements(browser_for, db, world) -> None:
    framework, ids = make_framework(db, None, world.units["division-a"], ("R1",))
    db.commit()
    base = f"/frameworks/{framework.id}/requirements"
    sibling = browser_for("analyst_b")
    assert sibling.get(f"{base}/new").status_code == 404
    assert sibling.post(f"{base}/new", {"ref_id": "X", "title": "X"}).status_code == 404
    assert (
        sibling.post(f"{base}/{ids['R1']}/edit", {"ref_id": "R1", "title": "X"}).status_code == 404
    )
    assert sibling.post(f"{base}/{ids['R1']}/delete").status_code == 404
    reader = browser_for("readonly")
    assert reader.get(f"{base}/{ids['R1']}/edit").status_code == 403
    assert "/edit" not in reader.get(f"{base}/{ids['R1']}").text
    assert set(
        frameworks.requirement_ids(session=db, principal=None, framework_id=framework.id)
    ) == {"R1"}
