"""Evidence pages: list with filters and CSV, upload with progress, links, versions, downloads."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response, StreamingResponse

from aegis.core.authz import Principal
from aegis.core.errors import PayloadTooLarge, ServiceUnavailable
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import Page
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.evidence import files, service
from aegis.domains.evidence.schemas import (
    EvidenceFileCreate,
    EvidenceLinkCreate,
    EvidenceQuery,
    EvidenceRead,
    EvidenceUpdate,
    Upload,
)
from aegis.domains.frameworks import service as frameworks
from aegis.http.deps import BlobStoreDep, SessionDep, SettingsDep
from aegis.http.downloads import attachment_response
from aegis.models.enums import EvidenceKind
from aegis.web import lookups, pickers, placement
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.filters import chips, evidence_wording
from aegis.web.flash import redirect_with_message, with_message
from aegis.web.forms import field_errors, form_values
from aegis.web.list_pages import show_list
from aegis.web.list_specs import EVIDENCE
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/evidence")
LISTS = ("control_ids", "requirement_ids")
INTS = ("unit_id", "owner_id")
EXPIRING_DAYS = 30


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _go(request: Request, url: str) -> Response:
    """After a change: a redirect, or for htmx a full-page navigation to the new page."""
    if _is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _limit(max_bytes: int) -> str:
    return f"{max_bytes / 1048576:.0f} MB" if max_bytes >= 1048576 else f"{max_bytes} bytes"


def _too_large(max_bytes: int) -> dict[str, str]:
    return {"file": f"The file is larger than the limit of {_limit(max_bytes)}"}


def _expiry(evidence: EvidenceRead, today: date) -> str | None:
    """'expired', 'soon' (within 30 days) or None."""
    if evidence.expires_on is None:
        return None
    if evidence.expired:
        return "expired"
    if evidence.expires_on <= today + timedelta(days=EXPIRING_DAYS):
        return "soon"
    return None


def _controls(
    session: SessionDep,
    principal: Principal,
    values: dict[str, Any],
    queries: dict[str, str] | None,
    hidden: int = 0,
) -> pickers.Picker:
    """The picker of the controls the evidence supports."""
    return pickers.picker(
        session,
        principal,
        name="control_ids",
        label="Supports controls",
        chosen_ids=values.get("control_ids") or [],
        typed=queries,
        hidden=hidden,
    )


def _owner(
    session: SessionDep,
    principal: Principal,
    values: dict[str, Any],
    queries: dict[str, str] | None,
) -> pickers.Picker:
    """The picker of the person who looks after the evidence."""
    return pickers.single(
        session,
        principal,
        name="owner_id",
        label="Owner",
        value=values.get("owner_id"),
        typed=queries,
        blank="No owner",
    )


def _form_context(
    session: SessionDep,
    principal: Principal,
    values: dict[str, Any],
    warnings: list[str] | None,
    queries: dict[str, str] | None,
) -> dict[str, Any]:
    requirement_ids = values.get("requirement_ids") or []
    requirements = (
        frameworks.get_requirements(
            session=session, principal=principal, requirement_ids=requirement_ids
        )
        if requirement_ids
        else {}
    )
    return {
        "units": lookups.writable_units(session, principal),
        "owner": _owner(session, principal, values, queries),
        "controls": _controls(session, principal, values, queries),
        "requirements": requirements,
        "warnings": warnings or [],
    }


def _prefill(request: Request, session: SessionDep, principal: Principal) -> dict[str, Any]:
    """A new evidence form from the URL (?control_id=, ?requirement_id=), in the control's unit."""
    values: dict[str, Any] = {"control_ids": [], "requirement_ids": []}
    for param, key in (("control_id", "control_ids"), ("requirement_id", "requirement_ids")):
        values[key] = [int(v) for v in request.query_params.getlist(param) if v.isdigit()]
    values["unit_id"] = placement.default_unit(session, principal, values)
    return values


def _unit_warnings(session: SessionDep, principal: Principal, values: dict[str, Any]) -> list[str]:
    return placement.warnings(session, principal, noun="evidence", values=values)


@router.get("")
def evidence_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Evidence filtered by the URL; `format=csv` or `format=xlsx` downloads every match."""

    def context(query: EvidenceQuery, page: Page[EvidenceRead]) -> dict[str, Any]:
        today = service.today()
        units = lookups.unit_names(session, principal)
        controls = lookups.control_options(session, principal)
        return {
            "units": units,
            "expiry": {item.id: _expiry(item, today) for item in page.items},
            "options": {"control_id": controls},
            "chips": chips(request, query, evidence_wording(units, dict(controls))),
        }

    return show_list(request, session, principal, EVIDENCE, context)


def _new_file_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    warnings: list[str] | None = None,
    queries: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "evidence/upload.html",
        principal,
        status_code=status_code,
        values=values,
        errors=errors,
        limit=_limit(request.app.state.settings.max_upload_bytes),
        **_form_context(session, principal, values, warnings, queries),
    )


@router.get("/new")
def new_evidence(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form to upload a file as new evidence."""
    principal.require_any_write()
    values = _prefill(request, session, principal)
    warnings = _unit_warnings(session, principal, values)
    return _new_file_page(request, session, principal, values, {}, warnings=warnings)


@router.post("/new", dependencies=[CsrfChecked])
async def upload_evidence(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    store: BlobStoreDep,
    settings: SettingsDep,
) -> Response:
    """Store the uploaded file as new evidence, or show the form again with the errors."""
    principal.require_any_write()
    form = await request.form()
    values = form_values(form, lists=LISTS, ints=INTS)
    if pickers.searching(form):
        queries = pickers.queries(form)
        return _new_file_page(request, session, principal, values, {}, queries=queries)
    file = form.get("file")
    errors: dict[str, str] = {}
    data: EvidenceFileCreate | None = None
    try:
        data = EvidenceFileCreate(**values)
    except ValidationError as exc:
        errors = field_errors(exc)
    if not isinstance(file, UploadFile) or not file.filename:
        errors["file"] = "Choose a file to upload"
    if data is None or not isinstance(file, UploadFile) or errors:
        return _new_file_page(request, session, principal, values, errors, 422)
    unseen = placement.unconfirmed(session, principal, form, noun="evidence", values=values)
    if unseen:
        return _new_file_page(request, session, principal, values, placement.ASK, 409, unseen)
    upload = partial(
        files.upload_evidence,
        session=session,
        principal=principal,
        store=store,
        data=data,
        upload=Upload(filename=file.filename or "", stream=file.file),
        max_bytes=settings.max_upload_bytes,
        quota=UploadQuota.of(settings),
    )
    try:
        evidence = save(session, upload)
    except Refused as refused:
        return _new_file_page(request, session, principal, values, refused.errors, refused.status)
    except PayloadTooLarge:
        errors = _too_large(settings.max_upload_bytes)
        return _new_file_page(request, session, principal, values, errors, 413)
    except ServiceUnavailable as exc:
        return _new_file_page(request, session, principal, values, {"file": exc.message}, 503)
    done = _go(request, f"/evidence/{evidence.id}")
    return with_message(request, done, "The evidence was uploaded.")


def _new_link_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    warnings: list[str] | None = None,
    queries: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "evidence/link.html",
        principal,
        status_code=status_code,
        values=values,
        errors=errors,
        **_form_context(session, principal, values, warnings, queries),
    )


@router.get("/links/new")
def new_link(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form to add evidence kept elsewhere, by URL."""
    principal.require_any_write()
    values = _prefill(request, session, principal)
    warnings = _unit_warnings(session, principal, values)
    return _new_link_page(request, session, principal, values, {}, warnings=warnings)


@router.post("/links/new", dependencies=[CsrfChecked])
async def create_link(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """Add link evidence, or show the form again with the errors."""
    principal.require_any_write()
    form = await request.form()
    values = form_values(form, lists=LISTS, ints=INTS)
    if pickers.searching(form):
        queries = pickers.queries(form)
        return _new_link_page(request, session, principal, values, {}, queries=queries)
    unseen = placement.unconfirmed(session, principal, form, noun="evidence", values=values)
    if unseen:
        return _new_link_page(request, session, principal, values, placement.ASK, 409, unseen)
    try:
        evidence = save(
            session,
            lambda: service.create_link(
                session=session, principal=principal, data=EvidenceLinkCreate(**values)
            ),
        )
    except Refused as refused:
        return _new_link_page(request, session, principal, values, refused.errors, refused.status)
    return redirect_with_message(request, f"/evidence/{evidence.id}", "The evidence was added.")


@router.get("/{evidence_id}")
def evidence_detail(
    evidence_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """An evidence item with its versions, linked controls and requirements, and expiry."""
    evidence = service.get_evidence(session=session, principal=principal, evidence_id=evidence_id)
    versions = files.list_versions(session=session, principal=principal, evidence_id=evidence_id)
    requirements = frameworks.get_requirements(
        session=session, principal=principal, requirement_ids=evidence.requirement_ids
    )
    return render(
        request,
        "evidence/detail.html",
        principal,
        evidence=evidence,
        expiry=_expiry(evidence, service.today()),
        versions=list(reversed(versions)),
        requirements=requirements,
        controls=dict(lookups.control_options(session, principal)),
        people=dict(lookups.people(session, principal)),
        units=lookups.unit_names(session, principal),
        can_edit=evidence.unit_id in principal.writable,
    )


def _version_page(
    request: Request,
    evidence: EvidenceRead,
    principal: Principal,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "evidence/version.html",
        principal,
        status_code=status_code,
        evidence=evidence,
        errors=errors,
        values={},
        limit=_limit(request.app.state.settings.max_upload_bytes),
    )


@router.get("/{evidence_id}/versions")
def new_version(
    evidence_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to upload a new version of an evidence file."""
    evidence = service.get_evidence(session=session, principal=principal, evidence_id=evidence_id)
    principal.require_write(evidence.unit_id)
    if evidence.kind != EvidenceKind.FILE:
        return RedirectResponse(f"/evidence/{evidence_id}", status_code=303)
    return _version_page(request, evidence, principal, {})


@router.post("/{evidence_id}/versions", dependencies=[CsrfChecked])
async def upload_version(
    evidence_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    store: BlobStoreDep,
    settings: SettingsDep,
) -> Response:
    """Store a new version of the file, or show the form again with the error."""
    evidence = service.get_evidence(session=session, principal=principal, evidence_id=evidence_id)
    principal.require_write(evidence.unit_id)
    file = (await request.form()).get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _version_page(request, evidence, principal, {"file": "Choose a file"}, 422)
    upload = partial(
        files.upload_version,
        session=session,
        principal=principal,
        store=store,
        evidence_id=evidence_id,
        upload=Upload(filename=file.filename or "", stream=file.file),
        max_bytes=settings.max_upload_bytes,
        quota=UploadQuota.of(settings),
    )
    try:
        save(session, upload)
    except Refused as refused:
        return _version_page(request, evidence, principal, refused.errors, refused.status)
    except PayloadTooLarge:
        return _version_page(
            request, evidence, principal, _too_large(settings.max_upload_bytes), 413
        )
    except ServiceUnavailable as exc:
        return _version_page(request, evidence, principal, {"file": exc.message}, 503)
    done = _go(request, f"/evidence/{evidence_id}")
    return with_message(request, done, "The new version was uploaded.")


@router.get("/{evidence_id}/download")
def download_latest(
    evidence_id: Id, session: SessionDep, principal: WebPrincipal, store: BlobStoreDep
) -> StreamingResponse:
    """The newest version of the file, as an attachment."""
    return attachment_response(
        files.download(session=session, principal=principal, store=store, evidence_id=evidence_id)
    )


@router.get("/{evidence_id}/versions/{number}/download")
def download_version(
    evidence_id: Id,
    number: Id,
    session: SessionDep,
    principal: WebPrincipal,
    store: BlobStoreDep,
) -> StreamingResponse:
    """One version of the file, as an attachment."""
    return attachment_response(
        files.download(
            session=session,
            principal=principal,
            store=store,
            evidence_id=evidence_id,
            number=number,
        )
    )


def _edit_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    evidence: EvidenceRead,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    warnings: list[str] | None = None,
    queries: dict[str, str] | None = None,
) -> Response:
    hidden = evidence.hidden_links.get("control_ids", 0)
    return render(
        request,
        "evidence/form.html",
        principal,
        status_code=status_code,
        evidence=evidence,
        values=values,
        errors=errors,
        owner=_owner(session, principal, values, queries),
        controls=_controls(session, principal, values, queries, hidden),
        warnings=warnings or [],
    )


@router.get("/{evidence_id}/edit")
def edit_evidence(
    evidence_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change an evidence item's title, description, expiry and controls."""
    evidence = service.get_evidence(session=session, principal=principal, evidence_id=evidence_id)
    principal.require_write(evidence.unit_id)
    values = evidence.model_dump(mode="json")
    return _edit_page(request, session, principal, evidence, values, {})


@router.post("/{evidence_id}/edit", dependencies=[CsrfChecked])
async def update_evidence(
    evidence_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed evidence, or show the form again with the errors."""
    evidence = service.get_evidence(session=session, principal=principal, evidence_id=evidence_id)
    principal.require_write(evidence.unit_id)
    sent = await request.form()
    form = form_values(sent, lists=("control_ids",), ints=INTS)
    blanks: dict[str, Any] = {
        name: None
        for name in ("title", "description", "expires_on", "owner_id")
        if name not in form
    }
    if evidence.kind == EvidenceKind.LINK and "url" not in form:
        blanks["url"] = None
    values = {**blanks, **form}
    if pickers.searching(sent):
        queries = pickers.queries(sent)
        return _edit_page(request, session, principal, evidence, values, {}, queries=queries)
    unseen = placement.unconfirmed(
        session, principal, sent, noun="evidence", values=values, before=evidence.model_dump()
    )
    if unseen:
        ask = placement.ASK
        return _edit_page(request, session, principal, evidence, values, ask, 409, unseen)
    try:
        save(
            session,
            lambda: service.update_evidence(
                session=session,
                principal=principal,
                evidence_id=evidence_id,
                data=EvidenceUpdate(**values),
            ),
            values=values,
        )
    except Refused as refused:
        return _edit_page(
            request, session, principal, evidence, values, refused.errors, refused.status
        )
    return redirect_with_message(request, f"/evidence/{evidence_id}", "The evidence was saved.")


@router.post("/{evidence_id}/delete", dependencies=[CsrfChecked])
def delete_evidence(
    evidence_id: Id, session: SessionDep, principal: WebPrincipal, store: BlobStoreDep
) -> Response:
    """Delete evidence with every version of its file (the page asks for confirmation first)."""
    service.delete_evidence(
        session=session, principal=principal, store=store, evidence_id=evidence_id
    )
    return RedirectResponse("/evidence", status_code=303)
