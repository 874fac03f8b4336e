"""Comments and auditor notes: who may write which, where they show, what they leave alone."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from aegis.core.errors import PermissionDenied
from aegis.domains.assessments import comments, service
from aegis.domains.assessments.errors import AssessmentNotFound, RequirementNotAssessed
from aegis.domains.assessments.schemas import (
    AssessmentCommentCreate,
    AssessmentCommentQuery,
    ResultQuery,
)
from aegis.models import AuditEvent
from aegis.models.assessment import AssessmentComment
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework


def _setup(db, world, principal_for):
    framework, ids = insert_framework(db, world.units["company"], ("R1", "R2"))
    assessment = make_assessment(
        db, principal_for("admin"), world.units["division-a"], framework.id
    )
    return assessment, ids


def _add(db, principal, assessment_id, body, requirement_id=None, kind=None):
    return comments.add_comment(
        session=db,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
        data=AssessmentCommentCreate(body=body, kind=kind),
    )


def _listed(db, principal, assessment_id, requirement_id=None, **query):
    return comments.list_comments(
        session=db,
        principal=principal,
        assessment_id=assessment_id,
        requirement_id=requirement_id,
        query=AssessmentCommentQuery(**query),
    ).items


def test_writers_comment_and_readers_leave_auditor_notes(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    analyst, readonly = principal_for("analyst"), principal_for("readonly")
    said = _add(db, analyst, assessment.id, "  Evidence requested from IT  ", ids["R1"])
    noted = _add(db, readonly, assessment.id, "Sample of 3 looks right", ids["R1"])
    overall = _add(db, principal_for("readonly_a"), assessment.id, "Scope agreed")
    assert (said.kind, said.body, said.author_id) == (
        "comment",
        "Evidence requested from IT",
        analyst.user_id,
    )
    assert noted.kind == "auditor_note" and noted.author_name
    assert overall.requirement_id is None
    thread = _listed(db, analyst, assessment.id, ids["R1"])
    assert [c.id for c in thread] == [said.id, noted.id]
    assert [c.id for c in _listed(db, analyst, assessment.id)] == [overall.id]
    assert [c.id for c in _listed(db, analyst, assessment.id, ids["R1"], kind="auditor_note")] == [
        noted.id
    ]
    # everyone who can read the assessment sees them, on the results too
    assert len(_listed(db, principal_for("readonly_a"), assessment.id, ids["R1"])) == 2
    page = service.list_results(
        session=db, principal=readonly, assessment_id=assessment.id, query=ResultQuery()
    )
    assert [r.comment_count for r in page.items] == [2, 0]


def test_notes_change_nothing_else_but_are_recorded(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    readonly = principal_for("readonly")
    noted = _add(db, readonly, assessment.id, "Asked for the access review", ids["R2"])
    detail = service.get_assessment(session=db, principal=readonly, assessment_id=assessment.id)
    assert detail.version == assessment.version == 1
    assert detail.updated_at == assessment.updated_at
    events = db.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.changes).where(
            AuditEvent.entity_type == "assessment_comment", AuditEvent.entity_id == noted.id
        )
    ).all()
    assert len(events) == 1 and events[0][0] == "create" and events[0][1] == readonly.user_id
    assert events[0][2]["kind"] == [None, "auditor_note"]


def test_read_only_users_may_not_write_comments_as_such(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    with pytest.raises(PermissionDenied):
        _add(db, principal_for("readonly"), assessment.id, "Looks fine", ids["R1"], "comment")
    assert db.scalar(select(func.count()).select_from(AssessmentComment)) == 0


def test_writers_may_also_leave_auditor_notes(db, world, principal_for):
    assessment, _ = _setup(db, world, principal_for)
    noted = _add(db, principal_for("admin"), assessment.id, "Internal audit", kind="auditor_note")
    assert noted.kind == "auditor_note"


def test_outside_the_units_or_the_framework_nothing_is_found(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    _, other = insert_framework(db, world.units["company"], ("X1",))
    with pytest.raises(AssessmentNotFound):
        _add(db, principal_for("analyst_b"), assessment.id, "Hello", ids["R1"])
    with pytest.raises(AssessmentNotFound):
        _listed(db, principal_for("analyst_b"), assessment.id)
    with pytest.raises(RequirementNotAssessed):
        _add(db, principal_for("analyst"), assessment.id, "Hello", other["X1"])
    assert db.scalar(select(func.count()).select_from(AssessmentComment)) == 0


def test_may_annotate_is_reading_the_unit(world, principal_for):
    division_a, division_b = world.units["division-a"], world.units["division-b"]
    assert service.may_annotate(principal_for("readonly"), division_a)
    assert service.may_annotate(principal_for("readonly_a"), division_a)
    assert not service.may_annotate(principal_for("readonly_a"), division_b)
    assert not service.may_annotate(principal_for("analyst_b"), division_a)


@pytest.mark.parametrize("body", ["", "   ", "x" * 10001])
def test_comment_text_must_be_present_and_not_too_long(body):
    with pytest.raises(ValidationError) as refused:
        AssessmentCommentCreate(body=body)
    assert refused.value.errors()[0]["loc"] == ("body",)
