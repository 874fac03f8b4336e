"""Saving an edit form as a division analyst keeps the owner and links they cannot see."""

from __future__ import annotations

from collections import defaultdict

from tests.factories.assets import make_asset
from tests.factories.evidence import make_link
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task
from tests.hidden_links import Scene
from tests.web.html_forms import submitted_fields, with_changes


def _resubmit(browser, url: str, **changes: str):  # type: ignore[no-untyped-def]
    """Open an edit page, change some fields as a person would, and save."""
    page = browser.get(url)
    assert page.status_code == 200, page.text
    form: dict[str, list[str]] = defaultdict(list)
    for name, value in with_changes(submitted_fields(page.text, url), **changes):
        form[name].append(value)
    return browser.post(url, dict(form))


def test_risk_form_keeps_hidden_owner_approver_controls_and_assets(
    db, world, principal_for, browser_for, token_for, client, scene: Scene
) -> None:
    risk = make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        owner_id=scene.owner,
        asset_ids=[scene.hidden_asset, scene.seen_asset],
        control_ids=[scene.hidden_control, scene.seen_control],
    )
    db.commit()
    analyst = browser_for("analyst")
    edit = analyst.get(f"/risks/{risk.id}/edit")
    assert "1 more in units you cannot access; saving keeps them." in edit.text
    assert "Kept as it is (not visible to you)" in edit.text
    saved = _resubmit(analyst, f"/risks/{risk.id}/edit", next_review_date="2031-05-01")
    assert saved.status_code == 303, saved.text
    stored = client.get(f"/api/v1/risks/{risk.id}", headers=token_for("admin")).json()
    assert stored["next_review_date"] == "2031-05-01"
    assert stored["owner_id"] == scene.owner
    assert stored["control_ids"] == sorted([scene.hidden_control, scene.seen_control])
    assert stored["asset_ids"] == sorted([scene.hidden_asset, scene.seen_asset])
    detail = analyst.get(f"/risks/{risk.id}").text
    assert "1 control in units you cannot access" in detail
    assert "Someone outside your units" in detail


def test_asset_form_keeps_hidden_owner_and_dependency(
    db, world, principal_for, browser_for, token_for, client, scene: Scene
) -> None:
    asset = make_asset(
        db,
        principal_for("admin"),
        world.units["division-a"],
        name="checkout",
        owner_id=scene.owner,
        depends_on_ids=[scene.hidden_asset],
    )
    db.commit()
    saved = _resubmit(browser_for("analyst"), f"/assets/{asset.id}/edit", description="Tier 1")
    assert saved.status_code == 303, saved.text
    stored = client.get(f"/api/v1/assets/{asset.id}", headers=token_for("admin")).json()
    assert (stored["owner_id"], stored["depends_on_ids"]) == (scene.owner, [scene.hidden_asset])
    assert stored["description"] == "Tier 1"


def test_task_form_keeps_hidden_assignee_control_and_asset(
    db, world, principal_for, browser_for, token_for, client, scene: Scene
) -> None:
    task = make_task(
        db,
        principal_for("admin"),
        world.units["division-a"],
        control_id=scene.hidden_control,
        asset_id=scene.hidden_asset,
        assignee_id=scene.owner,
    )
    db.commit()
    saved = _resubmit(browser_for("analyst"), f"/tasks/{task.id}/edit", description="Now")
    assert saved.status_code == 303, saved.text
    stored = client.get(f"/api/v1/tasks/{task.id}", headers=token_for("admin")).json()
    assert (stored["control_id"], stored["asset_id"], stored["assignee_id"]) == (
        scene.hidden_control,
        scene.hidden_asset,
        scene.owner,
    )
    assert stored["description"] == "Now"


def test_control_form_keeps_hidden_owner_and_requirement(
    db, world, principal_for, browser_for, token_for, client, scene: Scene
) -> None:
    created = client.post(
        "/api/v1/controls",
        json={
            "unit_id": world.units["division-a"],
            "ref": "NET-7",
            "title": "Segmentation",
            "owner_id": scene.owner,
            "requirement_ids": [scene.hidden_requirement, scene.seen_requirement],
        },
        headers=token_for("admin"),
    ).json()
    saved = _resubmit(browser_for("analyst"), f"/controls/{created['id']}/edit", title="Segments")
    assert saved.status_code == 303, saved.text
    stored = client.get(f"/api/v1/controls/{created['id']}", headers=token_for("admin")).json()
    assert stored["owner_id"] == scene.owner
    assert stored["requirement_ids"] == sorted([scene.hidden_requirement, scene.seen_requirement])


def test_evidence_form_keeps_hidden_owner_and_controls(
    db, world, principal_for, browser_for, token_for, client, scene: Scene
) -> None:
    evidence = make_link(
        db,
        principal_for("admin"),
        world.units["division-a"],
        owner_id=scene.owner,
        control_ids=[scene.hidden_control, scene.seen_control],
    )
    db.commit()
    saved = _resubmit(browser_for("analyst"), f"/evidence/{evidence.id}/edit", title="Pen test")
    assert saved.status_code == 303, saved.text
    stored = client.get(f"/api/v1/evidence/{evidence.id}", headers=token_for("admin")).json()
    assert stored["owner_id"] == scene.owner
    assert stored["control_ids"] == sorted([scene.hidden_control, scene.seen_control])
