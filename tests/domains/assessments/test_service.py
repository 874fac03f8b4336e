"""Assessment use cases: scope over the unit tree, derived results, overrides, score, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.assessments import service
from aegis.domains.assessments.errors import (
    AssessmentNotFound,
    OverrideNotFound,
    RequirementNotAssessed,
)
from aegis.domains.assessments.schemas import AssessmentUpdate, OverrideWrite, ResultQuery
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlUpdate
from aegis.models import AuditEvent
from tests.domains.assessments.scenario import EXPECTED, build
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework


def _results(db, principal, assessment_id, **query):
    page = service.list_results(
        session=db,
        principal=principal,
        assessment_id=assessment_id,
        query=ResultQuery(limit=200, **query),
    )
    return page.items


def test_each_rule_over_the_unit_tree(db, world, principal_for):
    built = build(db, world, principal_for)
    analyst = principal_for("analyst")
    assessment = make_assessment(db, analyst, world.units["division-a"], built.framework_id)
    results = _results(db, analyst, assessment.id)
    by_ref = {r.ref_id: r for r in results}
    assert [r.ref_id for r in results] == list(EXPECTED)  # tree order, the group left out
    assert {ref: r.derived_status for ref, r in by_ref.items()} == EXPECTED
    assert all(r.status == r.derived_status and r.override_status is None for r in results)
    assert by_ref["R3"].control_ids == [built.controls["company"]]
    assert by_ref["R3"].evidence_ids == [built.evidence["company"]]
    assert by_ref["R4"].evidence_ids == [built.evidence["requirement"]]
    assert by_ref["R5"].evidence_ids == []
    assert by_ref["R7"].control_ids == sorted(
        [built.controls["mixed_yes"], built.controls["mixed_no"]]
    )
    assert by_ref["R9"].control_ids == []


def test_score_and_counts(db, world, principal_for):
    built = build(db, world, principal_for)
    analyst = principal_for("analyst")
    assessment = make_assessment(db, analyst, world.units["division-a"], built.framework_id)
    assert assessment.requirement_count == 9
    assert assessment.counts == {
        "compliant": 2,
        "partially_compliant": 3,
        "non_compliant": 1,
        "not_applicable": 1,
        "not_assessed": 2,
    }
    assert assessment.score == 43.8  # 100 × (2 + 1.5) / 8


def test_scope_of_a_team_and_of_the_sibling_division(db, world, principal_for):
    built = build(db, world, principal_for)
    admin = principal_for("admin")
    # a team inherits the controls and evidence of division-a and company above it
    team = make_assessment(db, admin, world.units["team-a1"], built.framework_id)
    assert {r.ref_id: r.derived_status for r in _results(db, admin, team.id)} == EXPECTED
    # division-b shares only the company's controls and evidence with division-a
    sibling = make_assessment(db, admin, world.units["division-b"], built.framework_id)
    derived = {r.ref_id: r.derived_status for r in _results(db, admin, sibling.id)}
    assert derived == {
        "R1": "not_assessed",
        "R2": "not_assessed",
        "R3": "compliant",
        "R4": "not_assessed",
        "R5": "not_assessed",
        "R6": "not_assessed",
        "R7": "not_assessed",
        "R8": "not_assessed",
        "R9": "compliant",
    }
    # the whole company sees every control; the sibling's evidence now counts for R5
    company = make_assessment(db, admin, world.units["company"], built.framework_id)
    derived = {r.ref_id: r.derived_status for r in _results(db, admin, company.id)}
    assert derived["R5"] == "compliant"
    assert derived["R9"] == "compliant"


def test_evidence_expiring_today_is_current_and_control_changes_show_at_once(
    db, world, principal_for
):
    built = build(db, world, principal_for)
    admin = principal_for("admin")
    assessment = make_assessment(db, admin, world.units["division-a"], built.framework_id)
    controls.update_control(
        session=db,
        principal=admin,
        control_id=built.controls["planned"],
        data=ControlUpdate(status="not_applicable"),
    )
    derived = {r.ref_id: r.derived_status for r in _results(db, admin, assessment.id)}
    assert derived["R3"] == "compliant"
    assert derived["R8"] == "not_applicable"


def test_overrides_replace_the_derived_result_until_cleared(db, world, principal_for):
    built = build(db, world, principal_for)
    analyst = principal_for("analyst")
    assessment = make_assessment(db, analyst, world.units["division-a"], built.framework_id)
    r8 = built.requirements["R8"]
    verdict = OverrideWrite(status="compliant", justification="Compensating control verified")
    result = service.set_override(
        session=db, principal=analyst, assessment_id=assessment.id, requirement_id=r8, data=verdict
    )
    assert (result.derived_status, result.override_status, result.status) == (
        "non_compliant",
        "compliant",
        "compliant",
    )
    assert result.justification == "Compensating control verified"
    assert result.decided_by_id == world.users["analyst"]
    assert result.decided_at is not None
    detail = service.get_assessment(session=db, principal=analyst, assessment_id=assessment.id)
    assert detail.score == 56.3  # 100 × (3 + 1.5) / 8
    assert detail.counts["non_compliant"] == 0
    changed = OverrideWrite(status="not_applicable", justification="Out of scope this year")
    service.set_override(
        session=db, principal=analyst, assessment_id=assessment.id, requirement_id=r8, data=changed
    )
    assert (
        service.get_assessment(session=db, principal=analyst, assessment_id=assessment.id).score
        == 50.0
    )
    filtered = _results(db, analyst, assessment.id, status="not_applicable")
    assert [r.ref_id for r in filtered] == ["R2", "R8"]
    service.clear_override(
        session=db, principal=analyst, assessment_id=assessment.id, requirement_id=r8
    )
    assert (
        service.get_assessment(session=db, principal=analyst, assessment_id=assessment.id).score
        == 43.8
    )
    with pytest.raises(OverrideNotFound):
        service.clear_override(
            session=db, principal=analyst, assessment_id=assessment.id, requirement_id=r8
        )
    events = db.execute(
        select(AuditEvent.action, AuditEvent.changes)
        .where(AuditEvent.entity_type == "assessment_result")
        .order_by(AuditEvent.id)
    ).all()
    assert [a for a, _ in events] == ["create", "update", "delete"]
    assert events[1][1]["status"] == ["compliant", "not_applicable"]


def test_overrides_need_an_assessable_requirement_of_the_framework_and_write_access(
    db, world, principal_for
):
    built = build(db, world, principal_for)
    _, other = insert_framework(db, world.units["company"], ("X1",))
    analyst = principal_for("analyst")
    assessment = make_assessment(db, analyst, world.units["division-a"], built.framework_id)
    verdict = OverrideWrite(status="compliant", justification="Because we say so, really")
    for requirement_id in (built.requirements["G"], other["X1"], 987654):
        with pytest.raises(RequirementNotAssessed):
            service.set_override(
                session=db,
                principal=analyst,
                assessment_id=assessment.id,
                requirement_id=requirement_id,
                data=verdict,
            )
    for name, error in (("readonly", PermissionDenied), ("analyst_b", AssessmentNotFound)):
        with pytest.raises(error):
            service.set_override(
                session=db,
                principal=principal_for(name),
                assessment_id=assessment.id,
                requirement_id=built.requirements["R1"],
                data=verdict,
            )


def test_framework_must_be_shared_with_the_caller(db, world, principal_for):
    analyst = principal_for("analyst")
    foreign, _ = insert_framework(db, world.units["division-b"], ("B1",))
    inherited, _ = insert_framework(db, world.units["company"], ("C1",))
    with pytest.raises(ValidationFailed) as caught:
        make_assessment(db, analyst, world.units["division-a"], foreign.id)
    assert caught.value.details[0]["field"] == "framework_id"
    with pytest.raises(ValidationFailed):
        make_assessment(db, analyst, world.units["division-a"], 987654)
    with pytest.raises(PermissionDenied):
        make_assessment(db, principal_for("readonly"), world.units["division-a"], inherited.id)
    made = make_assessment(db, analyst, world.units["division-a"], inherited.id)
    assert made.score == 0.0 and made.counts["not_assessed"] == 1


def test_crud_is_audited(db, world, principal_for):
    analyst = principal_for("analyst")
    framework, _ = insert_framework(db, world.units["company"], ("C1",))
    made = make_assessment(db, analyst, world.units["division-a"], framework.id)
    with pytest.raises(ValidationFailed) as caught:
        service.update_assessment(
            session=db,
            principal=analyst,
            assessment_id=made.id,
            data=AssessmentUpdate.model_validate({"name": None}),
        )
    assert caught.value.details[0]["field"] == "name"
    service.update_assessment(
        session=db,
        principal=analyst,
        assessment_id=made.id,
        data=AssessmentUpdate(status="in_progress"),
    )
    service.delete_assessment(session=db, principal=analyst, assessment_id=made.id)
    events = db.execute(
        select(AuditEvent.action, AuditEvent.changes)
        .where(AuditEvent.entity_type == "assessment", AuditEvent.entity_id == made.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [a for a, _ in events] == ["create", "update", "delete"]
    assert events[1][1] == {"status": ["planned", "in_progress"], "version": [1, 2]}
    with pytest.raises(AssessmentNotFound):
        service.get_assessment(session=db, principal=analyst, assessment_id=made.id)
