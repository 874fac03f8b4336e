"""Each kind of object an import writes, through its own service's create and update."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.assets import service as assets
from aegis.domains.assets.schemas import AssetCreate, AssetUpdate
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlCreate, ControlUpdate
from aegis.domains.imports.schemas import ImportKind
from aegis.domains.risks import service as risks
from aegis.domains.risks.schemas import RiskCreate, RiskUpdate
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskCreate, TaskUpdate
from aegis.models import Asset, Control, Risk, Task
from aegis.models.enums import TaskStatus

Create = Callable[[Session, Principal, dict[str, Any]], None]
Update = Callable[[Session, Principal, int, dict[str, Any]], None]


@dataclass(frozen=True)
class Kind:
    """How one kind of object is found, checked and written."""

    name: ImportKind
    one: str  # "asset": the object in words
    model: Any
    title: str  # the field people know the object by
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    create: Create
    update: Update
    create_only_after: tuple[str, ...] = ()  # fields set by an update right after creation
    # whether the plan checks every rule of the kind's create and update, so that a dry run
    # need not run them (risks and tasks have workflows and rules only their services know)
    checked_by_plan: bool = False
    # a stored field as the kind's lists and exports show it (compared with the file)
    shown: Callable[[Any, str], Any] = getattr


def _create_asset(session: Session, principal: Principal, values: dict[str, Any]) -> None:
    assets.create_asset(session=session, principal=principal, data=AssetCreate(**values))


def _update_asset(session: Session, principal: Principal, oid: int, values: dict[str, Any]) -> None:
    data = AssetUpdate(**values)
    assets.update_asset(session=session, principal=principal, asset_id=oid, data=data)


def _create_risk(session: Session, principal: Principal, values: dict[str, Any]) -> None:
    risks.create_risk(session=session, principal=principal, data=RiskCreate(**values))


def _update_risk(session: Session, principal: Principal, oid: int, values: dict[str, Any]) -> None:
    data = RiskUpdate(**values)
    risks.update_risk(session=session, principal=principal, risk_id=oid, data=data)


def _shown_risk(risk: Any, name: str) -> Any:
    """A risk's field as exported: its status says when its acceptance ran out."""
    if name == "status":
        return risks.status_shown(
            status=risk.status, acceptance_expires_on=risk.acceptance_expires_on
        )
    return getattr(risk, name)


def _create_control(session: Session, principal: Principal, values: dict[str, Any]) -> None:
    controls.create_control(session=session, principal=principal, data=ControlCreate(**values))


def _update_control(
    session: Session, principal: Principal, oid: int, values: dict[str, Any]
) -> None:
    data = ControlUpdate(**values)
    controls.update_control(session=session, principal=principal, control_id=oid, data=data)


def _create_task(session: Session, principal: Principal, values: dict[str, Any]) -> None:
    """Create an open task, then move it to the status the file gives it."""
    status = values.get("status")
    data = TaskCreate(**{name: value for name, value in values.items() if name != "status"})
    task = tasks.create_task(session=session, principal=principal, data=data)
    if status is not None and status != TaskStatus.OPEN:
        change = TaskUpdate(status=status, version=task.version)
        tasks.update_task(session=session, principal=principal, task_id=task.id, data=change)


def _update_task(session: Session, principal: Principal, oid: int, values: dict[str, Any]) -> None:
    data = TaskUpdate(**values)
    tasks.update_task(session=session, principal=principal, task_id=oid, data=data)


KINDS: dict[ImportKind, Kind] = {
    ImportKind.ASSETS: Kind(
        ImportKind.ASSETS,
        "asset",
        Asset,
        "name",
        AssetCreate,
        AssetUpdate,
        _create_asset,
        _update_asset,
        checked_by_plan=True,
    ),
    ImportKind.RISKS: Kind(
        ImportKind.RISKS,
        "risk",
        Risk,
        "title",
        RiskCreate,
        RiskUpdate,
        _create_risk,
        _update_risk,
        shown=_shown_risk,
    ),
    ImportKind.CONTROLS: Kind(
        ImportKind.CONTROLS,
        "control",
        Control,
        "title",
        ControlCreate,
        ControlUpdate,
        _create_control,
        _update_control,
        checked_by_plan=True,
    ),
    ImportKind.TASKS: Kind(
        ImportKind.TASKS,
        "task",
        Task,
        "title",
        TaskCreate,
        TaskUpdate,
        _create_task,
        _update_task,
        create_only_after=("status",),
    ),
}
