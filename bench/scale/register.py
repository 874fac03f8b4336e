"""Assets, controls, risks and tasks with their links, as rows for bulk inserts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from aegis.domains.risks.matrix import DEFAULT_MATRIX, level_of_cell
from aegis.models import (
    Asset,
    Control,
    Risk,
    Task,
    asset_dependencies,
    asset_tags,
    risk_assets,
    risk_controls,
)
from aegis.models.enums import (
    AssetType,
    ControlStatus,
    Criticality,
    DataClassification,
    Environment,
    RiskCategory,
    RiskStatus,
    TaskKind,
    TaskPriority,
    TaskStatus,
    Treatment,
)
from aegis.models.refs import automatic_ref
from bench.scale.context import Context
from bench.scale.tables import insert, next_id

SYSTEMS = ("web", "db", "file", "mail", "erp", "crm", "vpn", "ci", "backup", "hr", "pay", "log")
TAGS = tuple(f"tag-{n:02d}" for n in range(20))
THREATS = (
    "Ransomware on",
    "Data leak from",
    "Outage of",
    "Unpatched flaws in",
    "Weak access control on",
    "Misconfiguration of",
    "Supplier failure for",
    "Insider misuse of",
)
SAFEGUARDS = (
    "Multi-factor sign-in for",
    "Encrypted backups of",
    "Patch management of",
    "Access reviews of",
    "Logging and monitoring of",
    "Network segmentation around",
    "Vulnerability scans of",
    "Change approval for",
)
UNRATED = frozenset({RiskStatus.IDENTIFIED})  # no residual rating yet


def _address(number: int) -> str:
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


def _system(ctx: Context) -> str:
    return ctx.rng.choice(SYSTEMS)


def assets(ctx: Context, connection: Connection, count: int) -> None:
    """Assets with tags and dependencies on assets of their unit."""
    rows: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    depends: list[dict[str, Any]] = []
    first = next_id(connection, Asset.__table__)
    for asset_id in range(first, first + count):
        unit_id, system, created = ctx.unit(), _system(ctx), ctx.past()
        name = f"{system}-{asset_id:06d}"
        rows.append(
            {
                "id": asset_id,
                "unit_id": unit_id,
                "ref": automatic_ref("A", asset_id),
                "name": name,
                "type": ctx.rng.choice(list(AssetType)).value,
                "criticality": ctx.rng.choice(list(Criticality)).value,
                "owner_id": ctx.person(),
                "environment": ctx.rng.choice(list(Environment)).value,
                "data_classification": ctx.rng.choice(list(DataClassification)).value,
                "hostname": f"{name}.{system}.internal",
                "ip_address": _address(asset_id),
                "description": "",
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        tags.extend({"asset_id": asset_id, "tag": tag} for tag in ctx.rng.sample(TAGS, 2))
        if ctx.rng.random() < 0.2:
            depends.extend(
                {"asset_id": asset_id, "depends_on_id": other}
                for other in ctx.near("asset", unit_id, 1)
            )
        ctx.remember("asset", asset_id, unit_id, name)
    insert(connection, Asset.__table__, rows)
    insert(connection, asset_tags, tags)
    insert(connection, asset_dependencies, depends)


def controls(ctx: Context, connection: Connection, count: int) -> None:
    """Controls of the units, each with an owner and a status."""
    rows = []
    first = next_id(connection, Control.__table__)
    for control_id in range(first, first + count):
        unit_id, created = ctx.unit(), ctx.past()
        title = f"{ctx.rng.choice(SAFEGUARDS)} {_system(ctx)} systems ({control_id})"
        rows.append(
            {
                "id": control_id,
                "unit_id": unit_id,
                "ref": f"CTL-{control_id:05d}",
                "title": title,
                "description": "",
                "owner_id": ctx.person(),
                "status": ctx.rng.choice(list(ControlStatus)).value,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        ctx.remember("control", control_id, unit_id, title)
    insert(connection, Control.__table__, rows)


def _rating(ctx: Context, status: RiskStatus) -> dict[str, Any]:
    likelihood, impact = ctx.rng.randint(1, 5), ctx.rng.randint(1, 5)
    rating: dict[str, Any] = {
        "inherent_likelihood": likelihood,
        "inherent_impact": impact,
        "inherent_score": likelihood * impact,
        "inherent_level": level_of_cell(DEFAULT_MATRIX, likelihood, impact),
        "residual_likelihood": None,
        "residual_impact": None,
        "residual_score": None,
        "residual_level": None,
    }
    if status not in UNRATED and ctx.rng.random() < 0.8:
        low_l, low_i = ctx.rng.randint(1, likelihood), ctx.rng.randint(1, impact)
        rating.update(
            residual_likelihood=low_l,
            residual_impact=low_i,
            residual_score=low_l * low_i,
            residual_level=level_of_cell(DEFAULT_MATRIX, low_l, low_i),
        )
    return rating


def _treatment(ctx: Context, status: RiskStatus) -> dict[str, Any]:
    accepted = status in (RiskStatus.ACCEPTED, RiskStatus.ACCEPTANCE_EXPIRED)
    treated = accepted or status not in (RiskStatus.IDENTIFIED, RiskStatus.ASSESSED)
    return {
        "treatment": (Treatment.ACCEPT if accepted else ctx.rng.choice(list(Treatment))).value
        if treated
        else None,
        "treatment_plan": "Follow the agreed plan" if treated else "",
        "treatment_due_date": ctx.day_around(60, 180) if treated else None,
        "acceptance_approver_id": ctx.person() if accepted else None,
        "acceptance_justification": "Within appetite for now" if accepted else "",
        "acceptance_expires_on": (
            ctx.day_around(90, -1)
            if status == RiskStatus.ACCEPTANCE_EXPIRED
            else ctx.day_around(0, 365)
        )
        if accepted
        else None,
    }


def risks(ctx: Context, connection: Connection, count: int) -> None:
    """Risks rated on the default matrix, linked to assets and controls of their unit."""
    rows: list[dict[str, Any]] = []
    on_assets: list[dict[str, Any]] = []
    on_controls: list[dict[str, Any]] = []
    first = next_id(connection, Risk.__table__)
    for risk_id in range(first, first + count):
        unit_id, created = ctx.unit(), ctx.past()
        status = ctx.rng.choice(list(RiskStatus))
        title = f"{ctx.rng.choice(THREATS)} {_system(ctx)} systems ({risk_id})"
        rows.append(
            {
                "id": risk_id,
                "unit_id": unit_id,
                "ref": automatic_ref("R", risk_id),
                "title": title,
                "description": "",
                "category": ctx.rng.choice(list(RiskCategory)).value,
                "owner_id": ctx.person(),
                "status": status.value,
                **_rating(ctx, status),
                **_treatment(ctx, status),
                "next_review_date": ctx.day_around(30, 180),
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        on_assets.extend(
            {"risk_id": risk_id, "asset_id": asset}
            for asset in ctx.near("asset", unit_id, ctx.rng.randint(1, 3))
        )
        on_controls.extend(
            {"risk_id": risk_id, "control_id": control}
            for control in ctx.near("control", unit_id, ctx.rng.randint(1, 2))
        )
        ctx.remember("risk", risk_id, unit_id, title)
    insert(connection, Risk.__table__, rows)
    insert(connection, risk_assets, on_assets)
    insert(connection, risk_controls, on_controls)


def tasks(ctx: Context, connection: Connection, count: int) -> None:
    """Tasks about a risk, an asset or a control of their unit, some overdue, some done."""
    rows = []
    first = next_id(connection, Task.__table__)
    for task_id in range(first, first + count):
        unit_id, created = ctx.unit(), ctx.past()
        status = ctx.rng.choice(list(TaskStatus))
        about = ctx.rng.choice(("risk", "risk", "asset", "control"))
        linked = ctx.near(about, unit_id, 1)
        title = f"Follow up {about} in unit {unit_id} ({task_id})"
        rows.append(
            {
                "id": task_id,
                "unit_id": unit_id,
                "ref": automatic_ref("T", task_id),
                "title": title,
                "description": "",
                "kind": ctx.rng.choice(list(TaskKind)).value,
                "status": status.value,
                "priority": ctx.rng.choice(list(TaskPriority)).value,
                "assignee_id": ctx.person(),
                "due_date": ctx.day_around(90, 120) if ctx.rng.random() < 0.9 else None,
                "completed_at": created if status == TaskStatus.DONE else None,
                "risk_id": linked[0] if linked and about == "risk" else None,
                "asset_id": linked[0] if linked and about == "asset" else None,
                "control_id": linked[0] if linked and about == "control" else None,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        ctx.remember("task", task_id, unit_id, title)
    insert(connection, Task.__table__, rows)
