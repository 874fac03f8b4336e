"""Removing a requirement with assessment work: said beforehand, refused unasked, recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aegis.domains.assessments import comments, service, work
from aegis.domains.assessments.schemas import AssessmentCommentCreate, OverrideWrite, OwnerWrite
from aegis.domains.audit import service as audit
from aegis.domains.audit.schemas import AuditEventQuery
from aegis.domains.auth import service as auth
from aegis.domains.frameworks import service as frameworks
from aegis.domains.frameworks.errors import RequirementInUse
from aegis.models import AssessmentResult, Requirement, RoleAssignment, User
from aegis.models.assessment import AssessmentComment, AssessmentOwner
from tests.factories.assessments import make_assessment
from tests.factories.frameworks import make_framework

WORK = "3 assessment results, 2 comments and 1 owner in 3 assessments"


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def worked(db, world, principal_for, units=("division-a",) * 3) -> int:
    """R1 of a company framework: a result in each of three assessments, an owner, comments."""
    admin = principal_for("admin")
    framework, ids = make_framework(db, admin, world.units["company"], ("R1", "R2"))
    assessments = [
        make_assessment(db, admin, world.units[unit], framework.id, name=f"Review {n}").id
        for n, unit in enumerate(units, start=1)
    ]
    for assessment_id in assessments:
        service.set_override(
            session=db,
            principal=admin,
            assessment_id=assessment_id,
            requirement_id=ids["R1"],
            data=OverrideWrite(status="compliant", justification="Checked at the annual review"),
        )
    work.set_owner(
        session=db,
        principal=admin,
        assessment_id=assessments[0],
        requirement_id=ids["R1"],
        data=OwnerWrite(owner_id=world.users["readonly"]),
    )
    for body in ("Ask the board", "Board agreed"):
        comments.add_comment(
            session=db,
            principal=admin,
            assessment_id=assessments[1],
            requirement_id=ids["R1"],
            data=AssessmentCommentCreate(body=body),
        )
    comments.add_comment(  # on the assessment, not the requirement: it stays
        session=db,
        principal=admin,
        assessment_id=assessments[1],
        data=AssessmentCommentCreate(body="Started late"),
    )
    return ids["R1"]


def test_the_usage_says_what_would_go_with_it(db, world, principal_for) -> None:
    requirement = worked(db, world, principal_for)
    usage = frameworks.requirement_usage(
        session=db, principal=principal_for("admin"), requirement_id=requirement
    )
    assert usage.work_summary == WORK
    assert usage.has_work and not usage.blocking
    assert usage.summary == "3 assessment results, 2 comments, 1 owner"


def test_unasked_removal_is_refused_and_changes_nothing(db, world, principal_for) -> None:
    requirement = worked(db, world, principal_for)
    before = [_count(db, m) for m in (AssessmentResult, AssessmentComment, AssessmentOwner)]
    with pytest.raises(RequirementInUse) as refused:
        frameworks.delete_requirement(
            session=db, principal=principal_for("admin"), requirement_id=requirement
        )
    message = f"Removing R1 also removes its {WORK}; confirm that to remove it"
    assert refused.value.message == message
    assert refused.value.details[0]["field"] == "with_assessment_work"
    assert [_count(db, m) for m in (AssessmentResult, AssessmentComment, AssessmentOwner)] == before
    assert db.get(Requirement, requirement) is not None


def test_confirmed_removal_records_every_part(db, world, principal_for) -> None:
    requirement = worked(db, world, principal_for)
    admin = principal_for("admin")
    removed = frameworks.delete_requirement(
        session=db, principal=admin, requirement_id=requirement, with_assessment_work=True
    )
    assert removed.work_summary == WORK
    assert db.get(Requirement, requirement) is None
    assert _count(db, AssessmentResult) == _count(db, AssessmentOwner) == 0
    assert [c.body for c in db.scalars(select(AssessmentComment))] == ["Started late"]
    trail = audit.list_events(
        session=db, principal=admin, query=AuditEventQuery(action="delete", limit=50)
    ).items
    summaries = sorted(e.summary for e in trail)
    assert summaries == sorted(
        [
            *(f"Deleted assessment result for R1 in assessment 'Review {n}'" for n in (1, 2, 3)),
            "Deleted assessment owner for R1 in assessment 'Review 1'",
            *["Deleted assessment comment for R1 in assessment 'Review 2'"] * 2,
            "Deleted requirement 'Requirement R1'",
        ]
    )
    owner = next(e for e in trail if e.entity_type == "assessment_owner")
    assert {d.label: d.before for d in owner.details} == {
        "Assessment": "Review 1",
        "Requirement": "R1",
        "Owner": "Readonly",
    }
    kept = next(e for e in trail if e.entity_type == "assessment_result")
    assert {d.label: d.before for d in kept.details}["Justification"] == (
        "Checked at the annual review"
    )


def test_work_in_units_the_remover_may_not_change_keeps_it(db, world, principal_for) -> None:
    requirement = worked(db, world, principal_for, units=("company", "division-a", "company"))
    user = User(email="framework-keeper@example.com", name="Keeper", password_hash="x")
    db.add(user)
    db.flush()
    db.add(
        RoleAssignment(
            user_id=user.id, role="analyst", unit_id=world.units["company"], include_children=False
        )
    )
    db.flush()
    keeper = auth.principal_for_user(session=db, user=user)
    with pytest.raises(RequirementInUse) as refused:
        frameworks.delete_requirement(
            session=db, principal=keeper, requirement_id=requirement, with_assessment_work=True
        )
    assert "some of them in units you may not change" in refused.value.message
    assert db.get(Requirement, requirement) is not None and _count(db, AssessmentResult) == 3


def test_a_new_edition_without_it_keeps_a_requirement_with_owners_or_comments(
    db, world, principal_for
) -> None:
    admin = principal_for("admin")
    framework, ids = make_framework(db, admin, world.units["company"], ("R1", "R2", "R3"))
    assessment = make_assessment(db, admin, world.units["division-a"], framework.id)
    work.set_owner(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        requirement_id=ids["R1"],
        data=OwnerWrite(owner_id=world.users["readonly"]),
    )
    comments.add_comment(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        requirement_id=ids["R2"],
        data=AssessmentCommentCreate(body="Keep this"),
    )
    diff = frameworks.update_from_file(
        session=db,
        principal=admin,
        framework_id=framework.id,
        content=b"id,parent,title,text\nR4,,Requirement R4,\n",
        filename="edition-2.csv",
    )
    assert {e.ref_id: e.usage.summary for e in diff.kept if e.usage} == {
        "R1": "1 owner",
        "R2": "1 comment",
    }
    assert [e.ref_id for e in diff.removed] == ["R3"]
    assert _count(db, AssessmentOwner) == 1 and _count(db, AssessmentComment) == 1
