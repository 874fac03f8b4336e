"""Comments on risks and controls, files attached to risks, and files attached as evidence."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response, StreamingResponse

from aegis.core.authz import Principal
from aegis.core.errors import PayloadTooLarge, ServiceUnavailable
from aegis.domains.common.bounds import Id
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.controls import service as controls
from aegis.domains.discussion import attachments, service
from aegis.domains.discussion.attachments import readable_size
from aegis.domains.discussion.schemas import CommentCreate, Subject, SubjectKind
from aegis.domains.evidence import files as evidence_files
from aegis.domains.evidence.schemas import EvidenceFileCreate, EvidenceRead, Upload
from aegis.domains.risks import service as risks
from aegis.http.deps import BlobStoreDep, SessionDep, SettingsDep
from aegis.http.downloads import attachment_response
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.discussion import evidence_upload, files, subject_page, thread
from aegis.web.flash import redirect_with_message, with_message
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter()
AREAS = {SubjectKind.RISK: ("Risks", "/risks"), SubjectKind.CONTROL: ("Controls", "/controls")}
TITLE_MAX = 300


def _name(session: SessionDep, principal: Principal, subject: Subject) -> str:
    if subject.kind == SubjectKind.RISK:
        return risks.get_risk(session=session, principal=principal, risk_id=subject.id).title
    control = controls.get_control(session=session, principal=principal, control_id=subject.id)
    return f"{control.ref} {control.title}"


def _refused(
    request: Request,
    session: SessionDep,
    principal: Principal,
    subject: Subject,
    heading: str,
    status_code: int,
    **section: Any,
) -> Response:
    """A refused comment or upload, shown again with its messages on a page of its own."""
    area, area_url = AREAS[subject.kind]
    return render(
        request,
        "discussion/refused.html",
        principal,
        status_code=status_code,
        heading=heading,
        name=_name(session, principal, subject),
        back=subject_page(subject),
        area=area,
        area_url=area_url,
        **{"thread": None, "files": None, "upload": None, **section},
    )


def _go(request: Request, url: str, message: str) -> Response:
    """After an upload: the page again (for htmx a full navigation), with a message."""
    if request.headers.get("hx-request") == "true":
        navigate = Response(status_code=200, headers={"HX-Redirect": url})
        return with_message(request, navigate, message)
    return redirect_with_message(request, url, message)


def _writable_unit(session: SessionDep, principal: Principal, subject: Subject) -> int:
    """The subject's unit, after checking that the caller may change it."""
    unit_id = service.subject_unit(session=session, principal=principal, subject=subject)
    principal.require_write(unit_id)
    return unit_id


async def _add_comment(
    request: Request, session: SessionDep, principal: Principal, subject: Subject
) -> Response:
    unit_id = _writable_unit(session, principal, subject)
    body = (await request.form()).get("body")
    text = body if isinstance(body, str) else ""
    try:
        save(
            session,
            lambda: service.add_comment(
                session=session,
                principal=principal,
                subject=subject,
                data=CommentCreate(body=text),
            ),
        )
    except Refused as refused:
        comments = thread(request, session, principal, subject, unit_id, text, refused.errors)
        return _refused(
            request, session, principal, subject, "Comments", refused.status, thread=comments
        )
    return RedirectResponse(subject_page(subject) + "#comments", status_code=303)


def _delete_comment(
    request: Request, session: SessionDep, principal: Principal, subject: Subject, comment_id: int
) -> Response:
    service.delete_comment(
        session=session, principal=principal, subject=subject, comment_id=comment_id
    )
    return redirect_with_message(
        request, subject_page(subject) + "#comments", "The comment was deleted."
    )


@router.post("/risks/{risk_id}/comments", dependencies=[CsrfChecked])
async def add_risk_comment(
    risk_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Comment on the risk, or show the comment again with its error."""
    return await _add_comment(request, session, principal, Subject.risk(risk_id))


@router.post("/risks/{risk_id}/comments/{comment_id}/delete", dependencies=[CsrfChecked])
def delete_risk_comment(
    risk_id: Id, comment_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Delete a comment on the risk (the page asks for confirmation first)."""
    return _delete_comment(request, session, principal, Subject.risk(risk_id), comment_id)


@router.post("/controls/{control_id}/comments", dependencies=[CsrfChecked])
async def add_control_comment(
    control_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Comment on the control, or show the comment again with its error."""
    return await _add_comment(request, session, principal, Subject.control(control_id))


@router.post("/controls/{control_id}/comments/{comment_id}/delete", dependencies=[CsrfChecked])
def delete_control_comment(
    control_id: Id,
    comment_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Delete a comment on the control (the page asks for confirmation first)."""
    return _delete_comment(request, session, principal, Subject.control(control_id), comment_id)


def _chosen_file(form: Any) -> UploadFile | None:
    file = form.get("file")
    return file if isinstance(file, UploadFile) and file.filename else None


def _upload_errors(save_upload: Any, max_bytes: int) -> tuple[dict[str, str], int]:
    """Run an upload; the messages and status of its refusal (none when it was saved)."""
    try:
        save_upload()
    except Refused as refused:
        return refused.errors, refused.status
    except PayloadTooLarge:
        return {"file": f"The file is larger than the limit of {readable_size(max_bytes)}"}, 413
    except ServiceUnavailable as exc:
        return {"file": exc.message}, 503
    return {}, 201


@router.post("/risks/{risk_id}/attachments", dependencies=[CsrfChecked])
async def add_risk_attachment(
    risk_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    store: BlobStoreDep,
    settings: SettingsDep,
) -> Response:
    """Attach the uploaded file to the risk, or show the form again with the error."""
    subject = Subject.risk(risk_id)
    unit_id = _writable_unit(session, principal, subject)
    file = _chosen_file(await request.form())
    if file is None:
        errors, status = {"file": "Choose a file to attach"}, 422
    else:
        upload = Upload(filename=file.filename or "", stream=file.file)
        add = partial(
            attachments.add_attachment,
            session=session,
            principal=principal,
            store=store,
            risk_id=risk_id,
            upload=upload,
            max_bytes=settings.max_upload_bytes,
            quota=UploadQuota.of(settings),
        )
        errors, status = _upload_errors(lambda: save(session, add), settings.max_upload_bytes)
        if not errors:
            return _go(request, subject_page(subject) + "#attachments", "The file was attached.")
    form = files(request, session, principal, risk_id, unit_id, errors)
    return _refused(request, session, principal, subject, "Attach a file", status, files=form)


@router.get("/risks/{risk_id}/attachments/{attachment_id}/download")
def download_risk_attachment(
    risk_id: Id,
    attachment_id: Id,
    session: SessionDep,
    principal: WebPrincipal,
    store: BlobStoreDep,
) -> StreamingResponse:
    """A file attached to the risk, as a download."""
    download = attachments.download_attachment(
        session=session,
        principal=principal,
        store=store,
        risk_id=risk_id,
        attachment_id=attachment_id,
    )
    return attachment_response(download)


@router.post("/risks/{risk_id}/attachments/{attachment_id}/delete", dependencies=[CsrfChecked])
def delete_risk_attachment(
    risk_id: Id,
    attachment_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    store: BlobStoreDep,
) -> Response:
    """Remove a file from the risk (the page asks for confirmation first)."""
    attachments.delete_attachment(
        session=session,
        principal=principal,
        store=store,
        risk_id=risk_id,
        attachment_id=attachment_id,
    )
    return redirect_with_message(request, f"/risks/{risk_id}#attachments", "The file was removed.")


@router.post("/controls/{control_id}/evidence", dependencies=[CsrfChecked])
async def attach_evidence(
    control_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    store: BlobStoreDep,
    settings: SettingsDep,
) -> Response:
    """Store the uploaded file as evidence of the control, or show the form again."""
    subject = Subject.control(control_id)
    unit_id = _writable_unit(session, principal, subject)
    form = await request.form()
    sent = form.get("title")
    title = sent.strip() if isinstance(sent, str) else ""
    file = _chosen_file(form)
    if file is None:
        errors, status = {"file": "Choose a file to attach"}, 422
    else:
        upload = Upload(filename=file.filename or "", stream=file.file)

        def attach() -> EvidenceRead:
            data = EvidenceFileCreate(
                unit_id=unit_id,
                title=title or (file.filename or "")[:TITLE_MAX].strip() or "File",
                control_ids=[control_id],
            )
            return evidence_files.upload_evidence(
                session=session,
                principal=principal,
                store=store,
                data=data,
                upload=upload,
                max_bytes=settings.max_upload_bytes,
                quota=UploadQuota.of(settings),
            )

        errors, status = _upload_errors(lambda: save(session, attach), settings.max_upload_bytes)
        if not errors:
            message = "The file was attached as evidence."
            return _go(request, subject_page(subject) + "#evidence", message)
    upload_form = evidence_upload(request, control_id, title, errors)
    heading = "Attach a file as evidence"
    return _refused(request, session, principal, subject, heading, status, upload=upload_form)
