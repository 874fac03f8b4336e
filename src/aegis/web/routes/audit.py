"""The audit trail page: filters, newest first, before → after changes and CSV export."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.domains.audit import service, wording
from aegis.domains.audit.schemas import AuditEntryRead, AuditEventQuery
from aegis.domains.audit.verify import verify_chain
from aegis.domains.common.listing import Page
from aegis.domains.users import service as users
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.deps import WebPrincipal
from aegis.web.exports import download
from aegis.web.forms import field_errors
from aegis.web.list_pages import export_rows, wanted_download
from aegis.web.list_specs import AUDIT
from aegis.web.objects import object_page
from aegis.web.templating import render

router = APIRouter(prefix="/audit")

ACTIONS = list(wording.ACTIONS.items())
FILTERS = ("entity_type", "action", "actor_id", "entity_id", "since", "until", "limit", "offset")


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


def _export(session: Session, principal: Principal, query: AuditEventQuery, kind: str) -> Response:
    unsorted = query.model_copy(update={"sort": None})
    events = export_rows(AUDIT, session, principal, unsorted)
    return download(AUDIT, kind, events, session, principal)


@router.get("")
def audit_trail(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Events of the reader's units, newest first; `format=csv` or `xlsx` downloads them."""
    entity_types = service.entity_types(session=session, principal=principal)
    query, raw, errors = _filters(request)
    kind = wanted_download(request)
    if kind and not errors:
        return _export(session, principal, query, kind)
    if errors:
        page: Page[AuditEntryRead] = Page(items=[], total=0, limit=query.limit, offset=0)
    else:
        page = service.list_events(session=session, principal=principal, query=query)
    actors = lookups.everyone(session, principal)
    if query.actor_id is not None and query.actor_id not in dict(actors):
        chosen = users.names_by_id(session=session, user_ids={query.actor_id})
        actors.append((query.actor_id, chosen.get(query.actor_id, f"User {query.actor_id}")))
    return render(
        request,
        "audit/list.html",
        principal,
        status_code=422 if errors else 200,
        spec=AUDIT,
        page=page,
        events=[
            (
                event,
                object_page(
                    principal, event.entity_type, event.entity_id, event.action, event.unit_id
                ),
            )
            for event in page.items
        ],
        raw=raw,
        errors=errors,
        entity_types=[(t, t.replace("_", " ").capitalize()) for t in entity_types],
        actions=ACTIONS,
        actors=actors,
    )


@router.get("/verify")
def verify(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Check every event's seal (administrators of the whole organisation)."""
    report = verify_chain(session=session, principal=principal)
    return render(request, "audit/verify.html", principal, report=report)
