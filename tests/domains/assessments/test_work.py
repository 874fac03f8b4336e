"""Working an assessment: one verdict for many requirements, owners, and the next requirement."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.assessments import service, work
from aegis.domains.assessments.errors import AssessmentNotFound, RequirementNotAssessed
from aegis.domains.assessments.schemas import (
    BulkOverrideWrite,
    OverrideWrite,
    OwnerWrite,
    ResultQuery,
)
from aegis.models import AssessmentResult, AuditEvent, User
from aegis.models.assessment import AssessmentOwner
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework

REASON = "Checked against the policy register"


def _setup(db, world, principal_for, refs=("G", "R1", "R2", "R3", "R4")):
    """A framework whose group G is not assessable, assessed for division-a."""
    framework, ids = insert_framework(
        db,
        world.units["company"],
        refs,
        parents={r: "G" for r in refs[1:]},
        not_assessable=("G",),
    )
    assessment = make_assessment(
        db, principal_for("admin"), world.units["division-a"], framework.id
    )
    return assessment, ids


def _bulk(db, principal, assessment_id, requirement_ids, status="compliant"):
    data = BulkOverrideWrite(requirement_ids=requirement_ids, status=status, justification=REASON)
    return work.set_overrides(
        session=db, principal=principal, assessment_id=assessment_id, data=data
    )


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def _events(db, entity_type):
    stmt = (
        select(AuditEvent.action, AuditEvent.changes)
        .where(AuditEvent.entity_type == entity_type)
        .order_by(AuditEvent.id)
    )
    return db.execute(stmt).all()


def test_one_verdict_for_several_requirements_in_one_go(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    analyst = principal_for("analyst")
    service.set_override(
        session=db,
        principal=analyst,
        assessment_id=assessment.id,
        requirement_id=ids["R2"],
        data=OverrideWrite(status="non_compliant", justification="Not reviewed this year"),
    )
    changed = _bulk(db, analyst, assessment.id, [ids["R1"], ids["R2"], ids["R1"]])
    assert [r.requirement_id for r in changed] == [ids["R1"], ids["R2"]]
    assert all(r.status == "compliant" and r.justification == REASON for r in changed)
    assert all(r.decided_by_id == analyst.user_id for r in changed)
    assert [a for a, _ in _events(db, "assessment_result")] == ["create", "create", "update"]
    assert _events(db, "assessment_result")[2][1]["status"] == ["non_compliant", "compliant"]
    detail = service.get_assessment(session=db, principal=analyst, assessment_id=assessment.id)
    assert detail.counts["compliant"] == 2 and detail.version == 1


@pytest.mark.parametrize("which", ["unknown", "other_framework", "group"])
def test_bulk_is_refused_whole_when_one_requirement_is_not_allowed(db, world, principal_for, which):
    assessment, ids = _setup(db, world, principal_for)
    _, other = insert_framework(db, world.units["company"], ("X1",))
    bad = {"unknown": 999999, "other_framework": other["X1"], "group": ids["G"]}[which]
    analyst = principal_for("analyst")
    with pytest.raises(ValidationFailed) as refused:
        _bulk(db, analyst, assessment.id, [ids["R1"], bad, ids["R3"]])
    assert refused.value.details[0]["field"] == "requirement_ids"
    assert str(bad) in refused.value.message and "nothing was saved" in refused.value.message
    assert _count(db, AssessmentResult) == 0
    assert _events(db, "assessment_result") == []


def test_bulk_needs_the_right_to_change_the_unit(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    with pytest.raises(PermissionDenied):
        _bulk(db, principal_for("readonly"), assessment.id, [ids["R1"]])
    with pytest.raises(AssessmentNotFound):
        _bulk(db, principal_for("analyst_b"), assessment.id, [ids["R1"]])
    assert _count(db, AssessmentResult) == 0


def test_bulk_schema_bounds():
    with pytest.raises(ValueError, match="requirement_ids"):
        BulkOverrideWrite(requirement_ids=[], status="compliant", justification=REASON)
    with pytest.raises(ValueError, match="justification"):
        BulkOverrideWrite(requirement_ids=[1], status="compliant", justification="short")


def test_next_requirement_in_the_framework_order(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    analyst = principal_for("analyst")

    def following(ref, undecided=False):
        return service.next_requirement(
            session=db,
            principal=analyst,
            assessment_id=assessment.id,
            requirement_id=ids[ref],
            undecided=undecided,
        )

    assert following("R1") == ids["R2"]
    assert following("R4") is None
    _bulk(db, analyst, assessment.id, [ids["R2"], ids["R3"]])
    assert following("R1", undecided=True) == ids["R4"]
    assert following("R4", undecided=True) == ids["R1"]  # continues from the start
    _bulk(db, analyst, assessment.id, [ids["R1"], ids["R4"]])
    assert following("R4", undecided=True) is None
    with pytest.raises(RequirementNotAssessed):
        following("G")
    found = service.get_result(
        session=db, principal=analyst, assessment_id=assessment.id, requirement_id=ids["R1"]
    )
    assert found.next_id == ids["R2"] and found.next_undecided_id is None


def test_owner_is_set_changed_and_removed_with_an_audit_trail(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    analyst = principal_for("analyst")

    def own(owner_id, by=analyst):
        return work.set_owner(
            session=db,
            principal=by,
            assessment_id=assessment.id,
            requirement_id=ids["R1"],
            data=OwnerWrite(owner_id=owner_id),
        )

    owned = own(world.users["analyst"])
    assert owned.owner_id == world.users["analyst"] and owned.owner_name
    assert own(world.users["readonly_a"]).owner_id == world.users["readonly_a"]
    own(world.users["readonly_a"])  # unchanged: nothing recorded
    assert own(None).owner_id is None
    own(None)
    events = _events(db, "assessment_owner")
    assert [a for a, _ in events] == ["create", "update", "delete"]
    assert events[1][1]["owner_id"] == [world.users["analyst"], world.users["readonly_a"]]
    detail = service.get_assessment(session=db, principal=analyst, assessment_id=assessment.id)
    assert detail.version == 1


@pytest.mark.parametrize("who", ["analyst_b", "unknown", "inactive"])
def test_owner_must_be_someone_who_can_see_the_assessment(db, world, principal_for, who):
    assessment, ids = _setup(db, world, principal_for)
    if who == "inactive":
        db.get(User, world.users["readonly_a"]).is_active = False
        db.flush()
    owner_id = {"analyst_b": world.users["analyst_b"], "unknown": 999999}.get(
        who, world.users["readonly_a"]
    )
    with pytest.raises(ValidationFailed) as refused:
        work.set_owner(
            session=db,
            principal=principal_for("admin"),
            assessment_id=assessment.id,
            requirement_id=ids["R1"],
            data=OwnerWrite(owner_id=owner_id),
        )
    assert refused.value.details[0]["field"] == "owner_id"
    assert _count(db, AssessmentOwner) == 0 and _events(db, "assessment_owner") == []


def test_owner_choices_are_people_who_see_the_unit_and_whom_the_caller_sees(
    db, world, principal_for
):
    assessment, _ = _setup(db, world, principal_for)
    as_admin = work.owner_choices(
        session=db, principal=principal_for("admin"), assessment_id=assessment.id
    )
    chosen = {uid for uid, _ in as_admin}
    assert {world.users[n] for n in ("admin", "readonly", "analyst", "admin_a")} <= chosen
    assert world.users["analyst_b"] not in chosen
    as_analyst = work.owner_choices(
        session=db, principal=principal_for("analyst"), assessment_id=assessment.id
    )
    assert world.users["admin"] not in {uid for uid, _ in as_analyst}  # not visible to them


def test_owners_and_read_only_users_are_refused_changes(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    with pytest.raises(PermissionDenied):
        work.set_owner(
            session=db,
            principal=principal_for("readonly"),
            assessment_id=assessment.id,
            requirement_id=ids["R1"],
            data=OwnerWrite(owner_id=world.users["analyst"]),
        )
    with pytest.raises(RequirementNotAssessed):
        work.set_owner(
            session=db,
            principal=principal_for("analyst"),
            assessment_id=assessment.id,
            requirement_id=ids["G"],
            data=OwnerWrite(owner_id=world.users["analyst"]),
        )
    assert _count(db, AssessmentOwner) == 0


def test_results_filtered_by_owner_mine_and_verdict(db, world, principal_for):
    assessment, ids = _setup(db, world, principal_for)
    analyst = principal_for("analyst")
    for ref, owner in (("R1", "analyst"), ("R2", "readonly_a"), ("R3", "analyst")):
        work.set_owner(
            session=db,
            principal=analyst,
            assessment_id=assessment.id,
            requirement_id=ids[ref],
            data=OwnerWrite(owner_id=world.users[owner]),
        )
    _bulk(db, analyst, assessment.id, [ids["R3"]])

    def refs(**query):
        page = service.list_results(
            session=db,
            principal=analyst,
            assessment_id=assessment.id,
            query=ResultQuery(**query),
        )
        return [r.ref_id for r in page.items]

    assert refs(mine=True) == ["R1", "R3"]
    assert refs(owner_id=world.users["readonly_a"]) == ["R2"]
    assert refs(decided=False) == ["R1", "R2", "R4"]
    assert refs(decided=True, mine=True) == ["R3"]
    assert refs(mine=False) == ["R1", "R2", "R3", "R4"]
