"""An editor whose scope is smaller than an object's links never removes what they cannot see.

The division analyst sees division-a only; the objects below are linked by an
administrator to controls, assets, requirements and owners of the company unit (and a
framework of division-b), which the analyst cannot read.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.risks import accept_risk, make_risk
from tests.hidden_links import Scene


def _get(client: TestClient, headers: dict[str, str], url: str) -> dict:  # type: ignore[type-arg]
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_risk_edit_keeps_owner_and_links_the_analyst_cannot_see(
    client: TestClient, db, world, principal_for, token_for, scene: Scene
) -> None:
    risk = make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        status="assessed",
        owner_id=scene.owner,
        asset_ids=[scene.hidden_asset, scene.seen_asset],
        control_ids=[scene.hidden_control, scene.seen_control],
    )
    # approved by the company administrator, whom the analyst cannot see
    accept_risk(db, principal_for("analyst"), principal_for("admin"), risk.id)
    db.commit()
    analyst, admin = token_for("analyst"), token_for("admin")
    url = f"/api/v1/risks/{risk.id}"

    seen = _get(client, analyst, url)
    assert seen["control_ids"] == [scene.seen_control]
    assert seen["asset_ids"] == [scene.seen_asset]
    assert seen["hidden_links"] == {"asset_ids": 1, "control_ids": 1}

    # what a form sends back: every field as shown, the review date changed
    echoed = {name: seen[name] for name in ("owner_id", "asset_ids", "control_ids", "title")}
    response = client.patch(url, json={**echoed, "next_review_date": "2031-03-01"}, headers=analyst)
    assert response.status_code == 200, response.text
    stored = _get(client, admin, url)
    assert stored["owner_id"] == scene.owner
    assert stored["acceptance_approver_id"] == scene.owner
    assert stored["control_ids"] == sorted([scene.hidden_control, scene.seen_control])
    assert stored["asset_ids"] == sorted([scene.hidden_asset, scene.seen_asset])

    replaced = client.patch(
        url, json={"control_ids": [scene.other_seen_control], "asset_ids": []}, headers=analyst
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["control_ids"] == [scene.other_seen_control]
    stored = _get(client, admin, url)
    assert stored["control_ids"] == sorted([scene.hidden_control, scene.other_seen_control])
    assert stored["asset_ids"] == [scene.hidden_asset]


def test_risk_edit_cannot_add_what_the_analyst_cannot_see(
    client: TestClient, db, world, principal_for, token_for, scene: Scene
) -> None:
    risk = make_risk(db, principal_for("admin"), world.units["division-a"])
    db.commit()
    url = f"/api/v1/risks/{risk.id}"
    refused = client.patch(
        url,
        json={"control_ids": [scene.hidden_control], "owner_id": scene.owner},
        headers=token_for("analyst"),
    )
    assert refused.status_code == 422
    fields = {d["field"] for d in refused.json()["error"]["details"]}
    assert fields == {"control_ids", "owner_id"}
    stored = _get(client, token_for("admin"), url)
    assert stored["control_ids"] == [] and stored["owner_id"] is None


def test_audit_trail_records_the_whole_link_set(
    client: TestClient, db, world, principal_for, token_for, scene: Scene
) -> None:
    risk = make_risk(
        db,
        principal_for("admin"),
        world.units["division-a"],
        control_ids=[scene.hidden_control, scene.seen_control],
    )
    db.commit()
    client.patch(f"/api/v1/risks/{risk.id}", json={"control_ids": []}, headers=token_for("analyst"))
    events = _get(
        client,
        token_for("admin"),
        f"/api/v1/audit-events?entity_type=risk&entity_id={risk.id}&action=update",
    )
    change = events["items"][0]["changes"]["control_ids"]
    assert change == [sorted([scene.hidden_control, scene.seen_control]), [scene.hidden_control]]


def test_asset_edit_keeps_hidden_owner_and_dependencies(
    client: TestClient, db, world, principal_for, token_for, scene: Scene
) -> None:
    asset = make_asset(
        db,
        principal_for("admin"),
        world.units["division-a"],
        name="payments-api",
        owner_id=scene.owner,
        depends_on_ids=[scene.hidden_asset, scene.seen_asset],
    )
    db.commit()
    analyst, url = token_for("analyst"), f"/api/v1/assets/{asset.id}"
    seen = _get(client, analyst, url)
    assert seen["depends_on_ids"] == [scene.seen_asset]
    assert seen["hidden_links"] == {"depends_on_ids": 1}
    response = client.patch(
        url,
        json={"owner_id": seen["owner_id"], "depends_on_ids": [], "description": "PCI scope"},
        headers=analyst,
    )
    assert response.status_code == 200, response.text
    stored = _get(client, token_for("admin"), url)
    assert stored["owner_id"] == scene.owner
    assert stored["depends_on_ids"] == [scene.hidden_asset]
    assert stored["description"] == "PCI scope"


def test_control_edit_keeps_requirements_of_frameworks_the_analyst_cannot_see(
    client: TestClient, db, world, principal_for, token_for, scene: Scene
) -> None:
    control = make_control(
        db,
        principal_for("admin"),
        world.units["division-a"],
        owner_id=scene.owner,
        requirement_ids=[scene.hidden_requirement, scene.seen_requirement],
    )
    db.commit()
    analyst, url = token_for("analyst"), f"/api/v1/controls/{control.id}"
    seen = _get(client, analyst, url)
    assert seen["requirement_ids"] == [scene.seen_requirement]
    assert seen["hidden_links"] == {"requirement_ids": 1}
    response = client.patch(
        url, json={"owner_id": scene.owner, "requirement_ids": []}, headers=analyst
    )
    assert response.status_code == 200, response.text
    stored = _get(client, token_for("admin"), url)
    assert stored["requirement_ids"] == [scene.hidden_requirement]
    assert stored["owner_id"] == scene.owner


def test_evidence_edit_keeps_hidden_controls_requirements_and_owner(
    client: TestClient, db, world, principal_for, token_for, scene: Scene
) -> None:
    evidence = make_link(
        db,
        principal_for("admin"),
        world.units["division-a"],
        owner_id=scene.owner,
        control_ids=[scene.hidden_control, scene.seen_control],
        requirement_ids=[scene.hidden_requirement, scene.seen_requirement],
    )
    db.commit()
    analyst, url = token_for("analyst"), f"/api/v1/evidence/{evidence.id}"
    seen = _get(client, analyst, url)
    assert seen["control_ids"] == [scene.seen_control]
    assert seen["hidden_links"] == {"control_ids": 1, "requirement_ids": 1}
    response = client.patch(
        url,
        json={"owner_id": scene.owner, "control_ids": [], "requirement_ids": [], "title": "SOC"},
        headers=analyst,
    )
    assert response.status_code == 200, response.text
    stored = _get(client, token_for("admin"), url)
    assert stored["control_ids"] == [scene.hidden_control]
    assert stored["requirement_ids"] == [scene.hidden_requirement]
    assert stored["owner_id"] == scene.owner


def test_task_edit_keeps_hidden_assignee_and_links(
    client: TestClient, db, world, principal_for, token_for, scene: Scene
) -> None:
    admin = token_for("admin")
    created = client.post(
        "/api/v1/tasks",
        json={
            "title": "Patch the router",
            "unit_id": world.units["division-a"],
            "control_id": scene.hidden_control,
            "asset_id": scene.hidden_asset,
            "assignee_id": scene.owner,
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/tasks/{created.json()['id']}"
    analyst = token_for("analyst")
    seen = _get(client, analyst, url)
    echoed = {name: seen[name] for name in ("control_id", "asset_id", "assignee_id", "risk_id")}
    response = client.patch(url, json={**echoed, "description": "This week"}, headers=analyst)
    assert response.status_code == 200, response.text
    stored = _get(client, admin, url)
    assert (stored["control_id"], stored["asset_id"], stored["assignee_id"]) == (
        scene.hidden_control,
        scene.hidden_asset,
        scene.owner,
    )
