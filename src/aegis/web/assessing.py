"""What the assessment pages share: the framework's name, remarks, results for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aegis.core.authz import Principal
from aegis.core.errors import NotFound
from aegis.core.messages import choice_label, framework_title
from aegis.domains.assessments import comments, service
from aegis.domains.assessments.schemas import (
    AssessmentCommentCreate,
    AssessmentCommentQuery,
    AssessmentDetail,
    CommentKind,
    ResultBasis,
    ResultRead,
)
from aegis.domains.common.listing import MAX_LIMIT
from aegis.domains.frameworks import service as frameworks
from aegis.domains.names import service as names
from aegis.models.enums import ResultStatus
from aegis.web import lookups
from aegis.web.exports import OUTSIDE, SEPARATOR, Cell, plain
from aegis.web.flash import redirect_with_message
from aegis.web.saving import Refused, save

RESULTS = [(status.value, choice_label(status.value)) for status in ResultStatus]
RESULT_HEADER: list[Cell] = [
    "Reference",
    "Requirement",
    "Result",
    "Derived result",
    "Derived via",
    "Override",
    "Justification",
    "Decided by",
    "Decided at",
    "Owner",
    "Controls",
    "Evidence",
    "Comments",
]
Refusal = Callable[[str, dict[str, str], int], Response]


def framework_name(session: Session, principal: Principal, framework_id: int) -> str:
    """A framework's name and version, or its number when it cannot be read."""
    try:
        framework = frameworks.get_framework(
            session=session, principal=principal, framework_id=framework_id
        )
    except NotFound:
        return f"Framework {framework_id}"
    return framework_title(framework.name, framework.version)


def page_context(
    session: Session,
    principal: Principal,
    assessment: AssessmentDetail,
    requirement_id: int | None = None,
) -> dict[str, Any]:
    """What the assessment page and a requirement's page both show, with the latest remarks.

    The remarks are those on the requirement, or on the assessment as a whole.
    """
    remarks = comments.list_comments(
        session=session,
        principal=principal,
        assessment_id=assessment.id,
        requirement_id=requirement_id,
        query=AssessmentCommentQuery(limit=MAX_LIMIT, sort="-created_at"),
    )
    can_edit = assessment.unit_id in principal.writable
    return {
        "assessment": assessment,
        "framework": framework_name(session, principal, assessment.framework_id),
        "units": lookups.unit_names(session, principal),
        "results": RESULTS,
        "can_edit": can_edit,
        "note_only": not can_edit and service.may_annotate(principal, assessment.unit_id),
        "remarks": list(reversed(remarks.items)),
        "remarks_total": remarks.total,
    }


async def post_remark(
    request: Request,
    session: Session,
    principal: Principal,
    assessment_id: int,
    requirement_id: int | None,
    *,
    done: str,
    refused: Refusal,
) -> Response:
    """Save the comment (or a reader's auditor note) of the form, then go to `done`.

    A refusal shows the page again through `refused(text, errors, status)`.
    """
    body = (await request.form()).get("body")
    text = body if isinstance(body, str) else ""
    try:
        added = save(
            session,
            lambda: comments.add_comment(
                session=session,
                principal=principal,
                assessment_id=assessment_id,
                requirement_id=requirement_id,
                data=AssessmentCommentCreate(body=text),
            ),
            unit_field="body",
        )
    except Refused as refusal:
        return refused(text, refusal.errors, refusal.status)
    noun = "note" if added.kind == CommentKind.AUDITOR_NOTE else "comment"
    return redirect_with_message(request, done, f"Your {noun} was added.")


def _listed(ids: list[int], known: dict[int, str]) -> str | None:
    """The names of the objects the reader can see, then OUTSIDE for any other."""
    shown = sorted({known[i] for i in ids if i in known}, key=str.lower)
    if any(i not in known for i in ids):
        shown.append(OUTSIDE)
    return SEPARATOR.join(shown) or None


def result_cells(
    session: Session, principal: Principal, results: list[ResultRead]
) -> list[list[Cell]]:
    """An assessment's results as people read them, header first; names read once per kind."""
    found = names.names_of(
        session=session,
        principal=principal,
        wanted={
            "user": {r.decided_by_id for r in results if r.decided_by_id is not None},
            "control": {i for r in results for i in r.control_ids},
            "evidence": {i for r in results for i in r.evidence_ids},
        },
    )
    people = found["user"]
    rows: list[list[Cell]] = [RESULT_HEADER]
    for r in results:
        decider = r.decided_by_id
        rows.append(
            [
                r.ref_id,
                r.title,
                plain(r.status),
                plain(r.derived_status),
                r.derived_from if r.basis == ResultBasis.DERIVED else None,
                plain(r.override_status),
                r.justification,
                None if decider is None else people.get(decider, OUTSIDE),
                plain(r.decided_at),
                r.owner_name,
                _listed(r.control_ids, found["control"]),
                _listed(r.evidence_ids, found["evidence"]),
                r.comment_count,
            ]
        )
    return rows
