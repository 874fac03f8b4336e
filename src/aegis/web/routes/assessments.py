"""Assessment pages: list with filters and CSV, results with scores, working a requirement."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from aegis.core.authz import Principal
from aegis.core.errors import NotFound
from aegis.domains.assessments import service
from aegis.domains.assessments.schemas import (
    AssessmentCreate,
    AssessmentDetail,
    AssessmentQuery,
    AssessmentUpdate,
    OverrideWrite,
    ResultQuery,
)
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlQuery
from aegis.domains.evidence import service as evidence
from aegis.domains.frameworks import service as frameworks
from aegis.http.deps import SessionDep
from aegis.models.enums import AssessmentStatus, ResultStatus
from aegis.web import lookups
from aegis.web.deps import CsrfChecked, WebPrincipal
from aegis.web.flash import redirect_with_message
from aegis.web.forms import form_values
from aegis.web.lists import all_rows, csv_export, list_query
from aegis.web.saving import Refused, save
from aegis.web.templating import render

router = APIRouter(prefix="/assessments")
CSV_COLUMNS = (
    "id",
    "unit_id",
    "framework_id",
    "name",
    "status",
    "due_date",
    "created_at",
    "updated_at",
)
RESULT_CSV_COLUMNS = (
    "requirement_id",
    "ref_id",
    "title",
    "derived_status",
    "basis",
    "derived_from_id",
    "derived_from",
    "override_status",
    "status",
    "justification",
    "decided_by_id",
    "decided_at",
    "control_ids",
    "evidence_ids",
)
INTS = ("unit_id", "framework_id")


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


def _form_context(session: SessionDep, principal: Principal) -> dict[str, Any]:
    return {
        "units": lookups.writable_units(session, principal),
        "framework_choices": lookups.framework_options(session, principal),
        "statuses": _choices(AssessmentStatus),
    }


@router.get("")
def assessment_list(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The assessments, filtered by the URL; `format=csv` downloads every matching row."""
    query = list_query(request, AssessmentQuery, sort="-created_at")
    if request.query_params.get("format") == "csv":
        rows = all_rows(
            lambda q: service.list_assessments(session=session, principal=principal, query=q),
            query,
        )
        return csv_export("assessments.csv", CSV_COLUMNS, rows)
    page = service.list_assessments(session=session, principal=principal, query=query)
    return render(
        request,
        "assessments/list.html",
        principal,
        page=page,
        query=query,
        units=lookups.unit_names(session, principal),
        frameworks=lookups.framework_options(session, principal),
        statuses=_choices(AssessmentStatus),
    )


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


def _framework_name(session: SessionDep, principal: Principal, framework_id: int) -> str:
    try:
        framework = frameworks.get_framework(
            session=session, principal=principal, framework_id=framework_id
        )
    except NotFound:
        return f"Framework {framework_id}"
    return f"{framework.name} {framework.version}"


@router.get("/{assessment_id}")
def assessment_detail(
    assessment_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The score, the count per result and the requirements' results, filtered by status."""
    query = list_query(request, ResultQuery)
    if request.query_params.get("format") == "csv":
        rows = all_rows(
            lambda q: service.list_results(
                session=session, principal=principal, assessment_id=assessment_id, query=q
            ),
            query,
        )
        return csv_export(f"assessment-{assessment_id}-results.csv", RESULT_CSV_COLUMNS, rows)
    assessment, results = service.get_assessment_with_results(
        session=session, principal=principal, assessment_id=assessment_id, query=query
    )
    return render(
        request,
        "assessments/detail.html",
        principal,
        assessment=assessment,
        framework=_framework_name(session, principal, assessment.framework_id),
        page=results,
        query=query,
        results=_choices(ResultStatus),
        units=lookups.unit_names(session, principal),
        can_edit=assessment.unit_id in principal.writable,
    )


def _requirement_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    assessment_id: int,
    requirement_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
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
    on_control = {
        control.id: [e for e in items if control.id in e.control_ids] for control in shown
    }
    on_requirement = [e for e in items if requirement_id in e.requirement_ids]
    if values is None:
        values = {
            "status": (result.override_status or result.derived_status).value,
            "justification": result.justification or "",
        }
    return render(
        request,
        "assessments/requirement.html",
        principal,
        status_code=status_code,
        assessment=assessment,
        framework=_framework_name(session, principal, assessment.framework_id),
        requirement_text=text,
        found=found,
        result=result,
        controls=shown,
        hidden_controls=len(counted) - len(shown),
        hidden_evidence=len(result.evidence_ids) - len(items),
        evidence_on_control=on_control,
        evidence_on_requirement=on_requirement,
        people=dict(lookups.people(session, principal)),
        units=lookups.unit_names(session, principal),
        results=_choices(ResultStatus),
        values=values,
        errors=errors or {},
        can_edit=assessment.unit_id in principal.writable,
    )


@router.get("/{assessment_id}/requirements/{requirement_id}")
def requirement_detail(
    assessment_id: int,
    requirement_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Work one requirement: its controls and evidence, and the override of its result."""
    return _requirement_page(request, session, principal, assessment_id, requirement_id)


@router.post("/{assessment_id}/requirements/{requirement_id}", dependencies=[CsrfChecked])
async def set_override(
    assessment_id: int,
    requirement_id: int,
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
) -> Response:
    """Override the requirement's result with a justification, or show the errors."""
    values = form_values(await request.form())
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
        return _requirement_page(
            request,
            session,
            principal,
            assessment_id,
            requirement_id,
            values=values,
            errors=refused.errors,
            status_code=refused.status,
        )
    url = f"/assessments/{assessment_id}/requirements/{requirement_id}"
    return RedirectResponse(url, status_code=303)


@router.post("/{assessment_id}/requirements/{requirement_id}/clear", dependencies=[CsrfChecked])
def clear_override(
    assessment_id: int, requirement_id: int, session: SessionDep, principal: WebPrincipal
) -> Response:
    """Remove the override; the derived result counts again."""
    service.clear_override(
        session=session,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
    )
    url = f"/assessments/{assessment_id}/requirements/{requirement_id}"
    return RedirectResponse(url, status_code=303)


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
    assessment_id: int, request: Request, session: SessionDep, principal: WebPrincipal
) -> Response:
    """The form to change an assessment's name, description, status and due date."""
    assessment = service.get_assessment(
        session=session, principal=principal, assessment_id=assessment_id
    )
    principal.require_write(assessment.unit_id)
    framework = _framework_name(session, principal, assessment.framework_id)
    values = assessment.model_dump(mode="json")
    return _edit_page(request, principal, assessment, values, {}, framework)


@router.post("/{assessment_id}/edit", dependencies=[CsrfChecked])
async def update_assessment(
    assessment_id: int, request: Request, session: SessionDep, principal: WebPrincipal
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
        framework = _framework_name(session, principal, assessment.framework_id)
        return _edit_page(
            request, principal, assessment, values, refused.errors, framework, refused.status
        )
    url = f"/assessments/{assessment_id}"
    return redirect_with_message(request, url, "The assessment was saved.")


@router.post("/{assessment_id}/delete", dependencies=[CsrfChecked])
def delete_assessment(assessment_id: int, session: SessionDep, principal: WebPrincipal) -> Response:
    """Delete an assessment with its overrides (the page asks for confirmation first)."""
    service.delete_assessment(session=session, principal=principal, assessment_id=assessment_id)
    return RedirectResponse("/assessments", status_code=303)
