"""Working one requirement of an assessment: its verdict, owner, comments and auditor notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import NotFound
from aegis.domains.assessments import service, work
from aegis.domains.assessments.schemas import OverrideWrite, OwnerWrite
from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery
from aegis.domains.evidence import service as evidence
from aegis.domains.frameworks import service as frameworks
from aegis.http.deps import SessionDep
from aegis.web import lookups
from aegis.web.assessing import page_context, post_remark
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message, with_message
from aegis.web.forms import form_values
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/assessments")
THEN = {"next": False, "next_undecided": True}  # "save and next": only undecided ones?


@dataclass
class Forms:
    """What was typed into the page's forms and why a save was refused, by form."""

    override: dict[str, Any] | None = None
    override_errors: dict[str, str] = field(default_factory=dict)
    owner_errors: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    comment_errors: dict[str, str] = field(default_factory=dict)


def _url(assessment_id: int, requirement_id: int) -> str:
    return f"/assessments/{assessment_id}/requirements/{requirement_id}"


def _evidence_and_controls(
    session: SessionDep, principal: Principal, requirement_id: int, result: Any
) -> dict[str, Any]:
    mapped = controls.list_controls(
        session=session,
        principal=principal,
        query=ControlQuery(requirement_id=requirement_id, limit=MAX_LIMIT, sort="ref"),
    ).items
    counted = set(result.control_ids)
    shown = [control for control in mapped if control.id in counted]
    items = evidence.get_many(
        session=session, principal=principal, evidence_ids=result.evidence_ids
    )
    return {
        "controls": shown,
        "hidden_controls": len(counted) - len(shown),
        "hidden_evidence": len(result.evidence_ids) - len(items),
        "evidence_on_control": {
            control.id: [e for e in items if control.id in e.control_ids] for control in shown
        },
        "evidence_on_requirement": [e for e in items if requirement_id in e.requirement_ids],
    }


def _requirement_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    assessment_id: int,
    requirement_id: int,
    forms: Forms | None = None,
    status_code: int = 200,
) -> Response:
    forms = forms or Forms()
    found = service.get_result(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
    )
    assessment, result = found.assessment, found.result
    try:
        text = frameworks.get_requirement(
            session=session, principal=principal, requirement_id=requirement_id
        ).text
    except NotFound:
        text = ""
    common = page_context(session, principal, assessment, requirement_id)
    values = forms.override or {
        "status": (result.override_status or result.derived_status).value,
        "justification": result.justification or "",
    }
    owners = (
        work.owner_choices(session=session, principal=principal, assessment_id=assessment_id)
        if common["can_edit"]
        else []
    )
    return render(
        request,
        "assessments/requirement.html",
        principal,
        status_code=status_code,
        requirement_text=text,
        found=found,
        result=result,
        people=dict(lookups.people(session, principal)),
        values=values,
        errors=forms.override_errors,
        owners=owners,
        owner_errors=forms.owner_errors,
        comment=forms.comment,
        comment_errors=forms.comment_errors,
        **common,
        **_evidence_and_controls(session, principal, requirement_id, result),
    )


@router.get("/{assessment_id}/requirements/{requirement_id}")
def requirement_detail(
    assessment_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Work one requirement: controls, evidence, the verdict, its owner and the comments."""
    return _requirement_page(request, session, principal, assessment_id, requirement_id)


def _go(request: Request, url: str, message: str) -> Response:
    """To another page with a message (for htmx a full navigation)."""
    if request.headers.get("hx-request") == "true":
        return with_message(request, Response(headers={"HX-Redirect": url}), message)
    return redirect_with_message(request, url, message)


def _after_save(
    request: Request,
    session: SessionDep,
    principal: Principal,
    assessment_id: int,
    requirement_id: int,
    then: str,
) -> Response:
    """Save and next: the following requirement, or the assessment when none is left."""
    following = service.next_requirement(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
        undecided=THEN[then],
    )
    if following is None:
        left = "Every requirement now has a verdict." if THEN[then] else "That was the last one."
        return _go(request, f"/assessments/{assessment_id}", f"The result was saved. {left}")
    return _go(request, _url(assessment_id, following), "The result was saved.")


@router.post("/{assessment_id}/requirements/{requirement_id}", dependencies=[CsrfChecked])
async def set_override(
    assessment_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Override the result with a justification, then stay or go on to the next requirement."""
    values = form_values(await request.form())
    then = str(values.pop("then", ""))
    assessment = service.get_assessment(
        session=session, principal=principal, assessment_id=assessment_id
    )
    principal.require_write(assessment.unit_id)
    try:
        save(
            session,
            lambda: service.set_override(
                session=session,
                principal=principal,
                assessment_id=assessment_id,
                requirement_id=requirement_id,
                data=OverrideWrite(**values),
            ),
        )
    except Refused as refused:
        forms = Forms(override=values, override_errors=refused.errors)
        return _requirement_page(
            request, session, principal, assessment_id, requirement_id, forms, refused.status
        )
    if then in THEN:
        return _after_save(request, session, principal, assessment_id, requirement_id, then)
    return RedirectResponse(_url(assessment_id, requirement_id), status_code=303)


@router.post("/{assessment_id}/requirements/{requirement_id}/clear", dependencies=[CsrfChecked])
def clear_override(
    assessment_id: Id, requirement_id: Id, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Remove the override; the derived result counts again."""
    service.clear_override(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
    )
    return RedirectResponse(_url(assessment_id, requirement_id), status_code=303)


@router.post("/{assessment_id}/requirements/{requirement_id}/owner", dependencies=[CsrfChecked])
async def set_owner(
    assessment_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Name who answers the requirement (an empty choice removes the owner)."""
    values = form_values(await request.form(), ints=("owner_id",))
    try:
        save(
            session,
            lambda: work.set_owner(
                session=session,
                principal=principal,
                assessment_id=assessment_id,
                requirement_id=requirement_id,
                data=OwnerWrite(owner_id=values.get("owner_id")),
            ),
            unit_field="owner_id",
        )
    except Refused as refused:
        forms = Forms(owner_errors=refused.errors)
        return _requirement_page(
            request, session, principal, assessment_id, requirement_id, forms, refused.status
        )
    url = _url(assessment_id, requirement_id) + "#owner"
    return redirect_with_message(request, url, "The owner was saved.")


@router.post("/{assessment_id}/requirements/{requirement_id}/comments", dependencies=[CsrfChecked])
async def add_comment(
    assessment_id: Id,
    requirement_id: Id,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Comment on the requirement, or as a reader leave an auditor note on it."""

    def refused(text: str, errors: dict[str, str], status: int) -> Response:
        forms = Forms(comment=text, comment_errors=errors)
        return _requirement_page(
            request, session, principal, assessment_id, requirement_id, forms, status
        )

    done = _url(assessment_id, requirement_id) + "#comments"
    return await post_remark(
        request, session, principal, assessment_id, requirement_id, done=done, refused=refused
    )
