"""Assessment pages: list with filters and CSV, results with scores, bulk results, notes.

Working one requirement is in `assessment_requirements`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.assessments import service, work
from aegis.domains.assessments.schemas import (
    AssessmentCreate,
    AssessmentDetail,
    AssessmentQuery,
    AssessmentUpdate,
    BulkOverrideWrite,
    ResultQuery,
)
from aegis.domains.common.bounds import Id
from aegis.http.deps import SessionDep
from aegis.models.enums import AssessmentStatus, ResultStatus
from aegis.web import lookups
from aegis.web.assessing import framework_name, page_context, post_remark, result_cells
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.list_pages import by_name, show_list
from aegis.web.list_specs import ASSESSMENTS
from aegis.web.lists import all_rows, list_query
from aegis.web.saving import Refused, save
from aegis.web.sheets import send, wanted_format
from aegis.web.templating import render

router = APIRouter(prefix="/assessments")
INTS = ("unit_id", "framework_id")


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, choice_label(member.value)) for member in enum]


def _form_context(session: SessionDep, principal: Principal) -> dict[str, Any]:
    return {
        "units": lookups.writable_units(session, principal),
        "framework_choices": lookups.framework_options(session, principal),
        "statuses": _choices(AssessmentStatus),
    }


@router.get("")
def assessment_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The assessments, filtered by the URL; `format=csv` or `format=xlsx` downloads them."""

    def context(query: AssessmentQuery, page: object) -> dict[str, Any]:
        units = lookups.unit_names(session, principal)
        frameworks = lookups.framework_options(session, principal)
        return {
            "units": units,
            "frameworks": dict(frameworks),
            "options": {"framework_id": frameworks, "unit_id": by_name(units)},
        }

    return show_list(request, session, principal, ASSESSMENTS, context)


@router.get("/new")
def new_assessment(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The form for a new assessment (?framework_id= preselects the framework)."""
    principal.require_any_write()
    values: dict[str, Any] = {"status": AssessmentStatus.PLANNED.value}
    framework_id = request.query_params.get("framework_id", "")
    if framework_id.isdigit():
        values["framework_id"] = int(framework_id)
    return render(
        request,
        "assessments/form.html",
        principal,
        assessment=None,
        values=values,
        errors={},
        **_form_context(session, principal),
    )


@router.post("/new", dependencies=[CsrfChecked])
async def create_assessment(
    request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Start an assessment from the form, or show the form again with the errors."""
    principal.require_any_write()
    values = form_values(await request.form(), ints=INTS)
    try:
        assessment = save(
            session,
            lambda: service.create_assessment(
                session=session, principal=principal, data=AssessmentCreate(**values)
            ),
        )
    except Refused as refused:
        return render(
            request,
            "assessments/form.html",
            principal,
            status_code=refused.status,
            assessment=None,
            values=values,
            errors=refused.errors,
            **_form_context(session, principal),
        )
    url = f"/assessments/{assessment.id}"
    return redirect_with_message(request, url, "The assessment was created.")


def _detail_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    assessment_id: int,
    bulk: dict[str, Any] | None = None,
    note: tuple[str, dict[str, str]] = ("", {}),
    status_code: int = 200,
) -> Response:
    """The assessment page; `bulk` and `note` bring back a refused form with its messages."""
    query = list_query(request, ResultQuery)
    assessment, results = service.get_assessment_with_results(
        session=session, principal=principal, assessment_id=assessment_id, query=query
    )
    return render(
        request,
        "assessments/detail.html",
        principal,
        status_code=status_code,
        page=results,
        query=query,
        bulk=bulk or {"requirement_ids": [], "errors": {}},
        note_text=note[0],
        note_errors=note[1],
        **page_context(session, principal, assessment),
    )


@router.get("/{assessment_id}")
def assessment_detail(
    assessment_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The score, the count per result and the requirements' results, filtered by the URL.

    `format=csv` or `format=xlsx` downloads every matching result, in words.
    """
    kind = wanted_format(request)
    if kind:
        rows = all_rows(
            lambda q: service.list_results(
                session=session, principal=principal, assessment_id=assessment_id, query=q
            ),
            list_query(request, ResultQuery),
        )
        cells = result_cells(session, principal, rows)
        return send(cells, kind, f"assessment-{assessment_id}-results", "Results")
    return _detail_page(request, session, principal, assessment_id)


def _back(request: Request, assessment_id: int, anchor: str = "") -> str:
    """The assessment page with the filters the form was sent from."""
    query = f"?{request.url.query}" if request.url.query else ""
    return f"/assessments/{assessment_id}{query}{anchor}"


@router.post("/{assessment_id}/results", dependencies=[CsrfChecked])
async def set_results(
    assessment_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Give the selected requirements one result and reason, or show why nothing was saved."""
    values = form_values(await request.form(), lists=("requirement_ids",))
    try:
        changed = save(
            session,
            lambda: work.set_overrides(
                session=session,
                principal=principal,
                assessment_id=assessment_id,
                data=BulkOverrideWrite(**values),
            ),
            unit_field=None,
        )
    except Refused as refused:
        bulk = {**values, "errors": refused.errors}
        return _detail_page(
            request, session, principal, assessment_id, bulk=bulk, status_code=refused.status
        )
    label = choice_label(ResultStatus(values["status"]).value).lower()
    count = f"{len(changed)} requirement" + ("" if len(changed) == 1 else "s")
    message = f"The result of {count} was set to {label}."
    return redirect_with_message(request, _back(request, assessment_id, "#requirements"), message)


@router.post("/{assessment_id}/comments", dependencies=[CsrfChecked])
async def add_note(
    assessment_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Comment on the assessment, or as a reader leave an auditor note on it."""

    def refused(text: str, errors: dict[str, str], status: int) -> Response:
        return _detail_page(
            request, session, principal, assessment_id, note=(text, errors), status_code=status
        )

    done = _back(request, assessment_id, "#notes")
    return await post_remark(
        request, session, principal, assessment_id, None, done=done, refused=refused
    )


def _edit_page(
    request: Request,
    principal: Principal,
    assessment: AssessmentDetail,
    values: dict[str, Any],
    errors: dict[str, str],
    framework: str,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "assessments/form.html",
        principal,
        status_code=status_code,
        assessment=assessment,
        framework=framework,
        values=values,
        errors=errors,
        statuses=_choices(AssessmentStatus),
    )


@router.get("/{assessment_id}/edit")
def edit_assessment(
    assessment_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change an assessment's name, description, status and due date."""
    assessment = service.get_assessment(
        session=session, principal=principal, assessment_id=assessment_id
    )
    principal.require_write(assessment.unit_id)
    framework = framework_name(session, principal, assessment.framework_id)
    values = assessment.model_dump(mode="json")
    return _edit_page(request, principal, assessment, values, {}, framework)


@router.post("/{assessment_id}/edit", dependencies=[CsrfChecked])
async def update_assessment(
    assessment_id: Id, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Save the changed assessment, or show the form again with the errors."""
    assessment = service.get_assessment(
        session=session, principal=principal, assessment_id=assessment_id
    )
    principal.require_write(assessment.unit_id)
    form = form_values(await request.form())
    blanks = {
        name: None for name in ("name", "description", "status", "due_date") if name not in form
    }
    values = {**blanks, **form}
    try:
        save(
            session,
            lambda: service.update_assessment(
                session=session,
                principal=principal,
                assessment_id=assessment_id,
                data=AssessmentUpdate(**values),
            ),
            values=values,
        )
    except Refused as refused:
        framework = framework_name(session, principal, assessment.framework_id)
        return _edit_page(
            request, principal, assessment, values, refused.errors, framework, refused.status
        )
    url = f"/assessments/{assessment_id}"
    return redirect_with_message(request, url, "The assessment was saved.")


@router.post("/{assessment_id}/delete", dependencies=[CsrfChecked])
def delete_assessment(assessment_id: Id, session: SessionDep, principal: WebPrincipal) -> Response:
    """Delete an assessment with its overrides (the page asks for confirmation first)."""
    service.delete_assessment(session=session, principal=principal, assessment_id=assessment_id)
    return RedirectResponse("/assessments", status_code=303)
