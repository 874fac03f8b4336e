"""Objects of every listed kind, linked to each other, in two sibling divisions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests.factories.assessments import make_assessment
from tests.factories.assets import make_asset
from tests.factories.controls import insert_framework, make_control
from tests.factories.evidence import make_link
from tests.factories.risks import make_risk
from tests.factories.tasks import make_task

REVIEW = date(2027, 1, 15)
DUE = date(2027, 2, 1)


def build_listed(db: Session, world: Any, principal_for: Any) -> dict[str, int]:
    """One linked object of each listed kind in division-a, others in division-b."""
    admin, units, users = principal_for("admin"), world.units, world.users
    a, b = units["division-a"], units["division-b"]
    framework, requirement = insert_framework(db, units["company"], ("GV.1",))
    hub = make_asset(db, admin, a, name="file-server", tags=["pci", "crown-jewel"])
    web = make_asset(
        db,
        admin,
        a,
        name="web-01",
        type="server",
        criticality="critical",
        environment="staging",
        data_classification="confidential",
        owner_id=users["analyst"],
        hostname="web-01.example.com",
        ip_address="192.0.2.10",
        description="Serveur d'accès réseau",
        tags=["pci", "dmz"],
        depends_on_ids=[hub.id],
    )
    control = make_control(
        db,
        admin,
        a,
        "AC-1",
        title="Access control",
        status="partially_implemented",
        owner_id=users["analyst"],
        description="Revue trimestrielle des accès",
        requirement_ids=[requirement["GV.1"]],
    )
    hidden_control = make_control(db, admin, b, "BC-9", title="Backup checks")
    risk = make_risk(
        db,
        admin,
        a,
        title="Hameçonnage ciblé",
        description="Des courriels piégés visent la comptabilité",
        status="in_treatment",
        owner_id=users["analyst_b"],
        residual_likelihood=2,
        residual_impact=2,
        treatment="mitigate",
        treatment_plan="Former le personnel",
        treatment_due_date=DUE,
        next_review_date=REVIEW,
        asset_ids=[web.id],
        control_ids=[control.id, hidden_control.id],
    )
    evidence = make_link(
        db,
        admin,
        a,
        title="Access review minutes",
        description="Compte rendu signé",
        url="https://wiki.example/reviews",
        expires_on=date(2020, 1, 1),
        control_ids=[control.id],
    )
    task = make_task(
        db,
        admin,
        a,
        title="Train accountants",
        description="Deux sessions",
        priority="urgent",
        assignee_id=users["analyst"],
        due_date=DUE,
        risk_id=risk.id,
    )
    make_assessment(db, admin, a, framework.id, name="Alpha review")
    make_asset(db, admin, b, name="beta-db")
    make_risk(db, admin, b, title="Beta fraud")
    make_link(db, admin, b, title="Beta secret")
    make_task(db, admin, b, title="Beta hidden task")
    db.commit()
    return {
        "risk": risk.id,
        "asset": web.id,
        "control": control.id,
        "evidence": evidence.id,
        "task": task.id,
        "framework": framework.id,
    }
