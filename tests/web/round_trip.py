"""Exports taken through the list pages and fed back to the import, as a user would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.domains.assets import service as assets
from aegis.domains.assets.schemas import AssetQuery, AssetUpdate
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery, ControlUpdate
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskQuery, RiskUpdate
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskQuery, TaskUpdate
from aegis.models import Asset, AuditEvent, Control, Risk, Task
from aegis.web.list_specs import ASSETS, CONTROLS, RISKS, TASKS
from tests.factories.assets import make_asset
from tests.factories.controls import make_control
from tests.factories.listed import build_listed
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task
from tests.hidden_links import Scene

KINDS = ("assets", "risks", "controls", "tasks")
MODELS: dict[str, Any] = {"assets": Asset, "risks": Risk, "controls": Control, "tasks": Task}
LISTS: dict[str, Any] = {
    "assets": (ASSETS, AssetQuery),
    "risks": (RISKS, RiskQuery),
    "controls": (CONTROLS, ControlQuery),
    "tasks": (TASKS, TaskQuery),
}
TYPES = {"csv": "text/csv", "xlsx": "application/octet-stream"}


@dataclass
class Linked:
    """Ids of the objects whose links reach out of the division analyst's units."""

    listed: dict[str, int]
    proxy: int  # asset depending on a company asset, owned by the admin
    proxy_risk: int  # risk linked to company assets and controls
    proxy_task: int  # task of a company control, assigned to the admin
    proxy_control: int  # control owned by the admin
    scene: Scene


def build_linked(db: Session, world: Any, principal_for: Any, scene: Scene) -> Linked:
    """The listed register, objects linked out of division-a, and names shared by two objects."""
    admin, a = principal_for("admin"), world.units["division-a"]
    listed = build_listed(db, world, principal_for)
    proxy = make_asset(
        db,
        admin,
        a,
        ref="A-PROXY",
        name="edge-proxy",
        owner_id=scene.owner,
        tags=["dmz"],
        description="- in front of the shop\n- second line",
        depends_on_ids=[scene.hidden_asset, scene.seen_asset],
    )
    risk = make_risk(
        db,
        admin,
        a,
        ref="R-PROXY",
        title="Proxy compromise",
        owner_id=scene.owner,
        asset_ids=[scene.hidden_asset, scene.seen_asset],
        control_ids=[scene.hidden_control, scene.seen_control],
    )
    task = make_task(
        db,
        admin,
        a,
        ref="T-PROXY",
        title="Patch the proxy",
        assignee_id=scene.owner,
        control_id=scene.hidden_control,
    )
    control = make_control(
        db,
        admin,
        a,
        "AC-7",
        title="Proxy hardening",
        owner_id=scene.owner,
        description="=1 rule per site",
    )
    # a second "file-server" and a second risk of the same title, both seen by the analyst
    make_asset(db, admin, world.units["team-a1"], name="file-server")
    make_risk(db, admin, world.units["team-a1"], title="Hameçonnage ciblé")
    db.commit()
    return Linked(listed, proxy.id, risk.id, task.id, control.id, scene)


def exported(browser: Any, kind: str, fmt: str) -> bytes:
    """The list's export as the browser downloads it."""
    response = browser.get(f"/{kind}?format={fmt}")
    assert response.status_code == 200, response.text
    return bytes(response.content)


def api_import(
    client: Any, headers: dict[str, str], kind: str, content: bytes, fmt: str, *, dry_run: bool
) -> dict[str, Any]:
    """The report of POST /api/v1/imports/{kind} for the file, as uploaded unchanged."""
    response = client.post(
        f"/api/v1/imports/{kind}",
        params={"dry_run": str(dry_run).lower()},
        files={"file": (f"{kind}.{fmt}", content, TYPES[fmt])},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def stored(db: Session, principal: Any, kind: str) -> dict[str, Any]:
    """Every object of a kind as its reader sees it, with versions and its audit events."""
    db.expire_all()
    spec, query = LISTS[kind]
    rows = spec.fetch(session=db, principal=principal, query=query(limit=200)).items
    model = MODELS[kind]
    versions = dict(db.execute(select(model.id, model.version)).all())
    changes = AuditEvent.entity_type == kind.removesuffix("s")  # not the exports' own events
    events = db.scalar(select(func.count()).select_from(AuditEvent).where(changes))
    return {
        "objects": {row.id: row.model_dump() for row in rows},
        "versions": versions,
        "events": events,
    }


def moving(now: dict[str, Any]) -> dict[str, Any]:
    """The fields an update changes by itself: version and time of the change."""
    return {name: now[name] for name in ("version", "updated_at") if name in now}


def change_everything(db: Session, admin: Any, linked: Linked, world: Any) -> dict[str, set[str]]:
    """Change one object of each kind in every imported field; return the labels changed."""
    ids, team = linked.listed, world.units["team-a1"]
    asset = assets.get_asset(session=db, principal=admin, asset_id=ids["asset"])
    assets.update_asset(
        session=db,
        principal=admin,
        asset_id=asset.id,
        data=AssetUpdate(
            version=asset.version,
            unit_id=team,
            criticality="low",
            environment="production",
            data_classification="public",
            owner_id=None,
            hostname=None,
            description="",
            tags=["changed"],
        ),
    )
    risk = risks.get_risk(session=db, principal=admin, risk_id=ids["risk"])
    risks.update_risk(
        session=db,
        principal=admin,
        risk_id=risk.id,
        data=RiskUpdate(
            version=risk.version,
            category="technical",
            owner_id=world.users["analyst"],
            treatment_plan="Nothing",
            treatment_due_date=date(2030, 1, 1),
            next_review_date=date(2030, 1, 1),
            residual_likelihood=1,
            asset_ids=[],
        ),
    )
    control = controls.get_control(session=db, principal=admin, control_id=ids["control"])
    controls.update_control(
        session=db,
        principal=admin,
        control_id=control.id,
        data=ControlUpdate(version=control.version, status="implemented", owner_id=None),
    )
    task = tasks.get_task(session=db, principal=admin, task_id=ids["task"])
    tasks.update_task(
        session=db,
        principal=admin,
        task_id=task.id,
        data=TaskUpdate(
            version=task.version, priority="low", assignee_id=None, due_date=date(2030, 1, 1)
        ),
    )
    db.commit()
    return {
        "assets": {
            "Unit",
            "Criticality",
            "Environment",
            "Data classification",
            "Owner",
            "Hostname",
            "Description",
            "Tags",
        },
        "risks": {
            "Category",
            "Owner",
            "Treatment plan",
            "Treatment due date",
            "Next review date",
            "Residual likelihood",
            "Assets",
        },
        "controls": {"Status", "Owner"},
        "tasks": {"Priority", "Assignee", "Due date"},
    }
