"""The audit trail page: filters, newest first, before → after changes and CSV export."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.audit import service
from aegis.domains.audit.schemas import AuditEventQuery, AuditEventRead
from aegis.domains.common.listing import Page
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.deps import WebPrincipal
from aegis.web.forms import field_errors
from aegis.web.lists import all_rows, csv_export
from aegis.web.templating import render

router = APIRouter(prefix="/audit")

ACTIONS = [("create", "Created"), ("update", "Changed"), ("delete", "Deleted")]
FILTERS = ("entity_type", "action", "actor_id", "entity_id", "since", "until", "limit", "offset")
# pages of the objects an event can point to; administrators also reach users and units
PAGES = {
    "risk": "/risks/{id}",
    "asset": "/assets/{id}",
    "control": "/controls/{id}",
    "evidence": "/evidence/{id}",
    "task": "/tasks/{id}",
    "assessment": "/assessments/{id}",
}
ADMIN_PAGES = {"user": "/admin/users/{id}", "unit": "/admin/units/{id}"}
CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_email",
    "actor_name",
    "unit_id",
    "unit_name",
    "entity_type",
    "entity_id",
    "action",
    "changes",
    "request_id",
)


class AuditCsvRow(BaseModel):
    """One exported event, names resolved and the changes as JSON."""

    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_email: str | None
    actor_name: str | None
    unit_id: int | None
    unit_name: str | None
    entity_type: str
    entity_id: int
    action: str
    changes: str
    request_id: str | None


def _day(text: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD"
        return None


def _filters(request: Request) -> tuple[AuditEventQuery, dict[str, str], dict[str, str]]:
    """The query of the URL (dates as whole UTC days, `until` inclusive), the raw values, errors."""
    raw = {k: v.strip() for k, v in request.query_params.items() if k in FILTERS and v.strip()}
    errors: dict[str, str] = {}
    params: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("since", "until")}
    if "since" in raw and (since := _day(raw["since"], "since", errors)):
        params["since"] = datetime.combine(since, time.min, tzinfo=UTC)
    if "until" in raw and (until := _day(raw["until"], "until", errors)):
        params["until"] = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    if "since" in params and "until" in params and params["since"] >= params["until"]:
        errors["until"] = "Must be on or after the first day"
    try:
        query = AuditEventQuery(**params)
    except ValidationError as exc:
        errors.update(field_errors(exc))
        query = AuditEventQuery()
    return query, raw, errors


def _names(session: Session, events: list[AuditEventRead]) -> dict[int, str]:
    return users.names_by_id(
        session=session, user_ids={e.actor_id for e in events if e.actor_id is not None}
    )


def _link(event: AuditEventRead, principal: Principal) -> str | None:
    """The page of the event's object, while it exists and the reader may open it."""
    if event.action == "delete":
        return None
    pattern = PAGES.get(event.entity_type)
    if pattern is None and principal.is_admin and event.unit_id in principal.administrable:
        pattern = ADMIN_PAGES.get(event.entity_type)
    return pattern.format(id=event.entity_id) if pattern else None


def _shown(value: Any) -> str | None:
    """A recorded value as text (None stays None: the field had no value)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _changes(event: AuditEventRead) -> list[tuple[str, str | None, str | None]]:
    """(field, before, after) of each changed field."""
    rows = []
    for name, value in sorted(event.changes.items()):
        pair = value if isinstance(value, list) and len(value) == 2 else [None, value]
        rows.append((name.replace("_", " ").capitalize(), _shown(pair[0]), _shown(pair[1])))
    return rows


def _title(event: AuditEventRead) -> str | None:
    """A name for the event's object from its recorded fields (title, name, reference)."""
    for key in ("title", "name", "ref", "email"):
        value = event.changes.get(key)
        if isinstance(value, list) and len(value) == 2:
            value = value[1] if value[1] is not None else value[0]
        if isinstance(value, str) and value:
            return value
    return None


def _export(session: Session, principal: Principal, query: AuditEventQuery) -> Response:
    events: list[AuditEventRead] = all_rows(
        lambda q: service.list_events(session=session, principal=principal, query=q),
        query.model_copy(update={"sort": None}),
    )
    names, units = _names(session, events), lookups.unit_names(session, principal)
    rows = [
        AuditCsvRow(
            **event.model_dump(exclude={"changes"}),
            actor_name=names.get(event.actor_id) if event.actor_id is not None else None,
            unit_name=units.get(event.unit_id) if event.unit_id is not None else None,
            changes=json.dumps(event.changes, sort_keys=True, ensure_ascii=False, default=str),
        )
        for event in events
    ]
    return csv_export("audit-trail.csv", CSV_COLUMNS, list(rows))


@router.get("")
def audit_trail(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Events of the reader's units, newest first; `format=csv` downloads every match."""
    entity_types = service.entity_types(session=session, principal=principal)
    query, raw, errors = _filters(request)
    if request.query_params.get("format") == "csv" and not errors:
        return _export(session, principal, query)
    if errors:
        page: Page[AuditEventRead] = Page(items=[], total=0, limit=query.limit, offset=0)
    else:
        page = service.list_events(session=session, principal=principal, query=query)
    names = _names(session, page.items)
    actors = lookups.everyone(session, principal)
    if query.actor_id is not None and query.actor_id not in dict(actors):
        chosen = users.names_by_id(session=session, user_ids={query.actor_id})
        actors.append((query.actor_id, chosen.get(query.actor_id, f"User {query.actor_id}")))
    return render(
        request,
        "audit/list.html",
        principal,
        status_code=422 if errors else 200,
        page=page,
        events=[
            {
                "event": event,
                "actor": names.get(event.actor_id) if event.actor_id is not None else None,
                "link": _link(event, principal),
                "title": _title(event),
                "changes": _changes(event),
            }
            for event in page.items
        ],
        raw=raw,
        errors=errors,
        entity_types=[(t, t.replace("_", " ").capitalize()) for t in entity_types],
        actions=ACTIONS,
        actors=actors,
        units=lookups.unit_names(session, principal),
    )
