"""Requirements added, changed and removed one by one; frameworks deleted only when unused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from aegis.core.errors import NotFound, PermissionDenied, ValidationFailed
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import FrameworkInUse, RequirementExists, RequirementInUse
from aegis.domains.frameworks.schemas import (
    RequirementCreate,
    RequirementMappingCreate,
    RequirementUpdate,
)
from aegis.models import AuditEvent, Framework, Requirement
from aegis.models.enums import MappingRelationship
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.frameworks import make_framework


def _count(db, model) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _add(db, principal, framework_id: int, **fields):
    return service.create_requirement(
        session=db,
        principal=principal,
        framework_id=framework_id,
        data=RequirementCreate(**{"title": "A requirement", **fields}),
    )


def _change(db, principal, requirement_id: int, **fields):
    return service.update_requirement(
        session=db,
        principal=principal,
        requirement_id=requirement_id,
        data=RequirementUpdate(**fields),
    )


def test_requirements_are_added_below_others_and_changed(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    framework, ids = make_framework(db, analyst, world.units["division-a"], ("A", "B"))
    child = _add(db, analyst, framework.id, ref_id="A.1", parent_id=ids["A"], text="Do it")
    assert (child.parent_id, child.position, child.assessable) == (ids["A"], 2, True)
    moved = _change(db, analyst, child.id, parent_id=ids["B"], title="Renamed", assessable=False)
    assert (moved.parent_id, moved.title, moved.assessable) == (ids["B"], "Renamed", False)
    top = _change(db, analyst, child.id, parent_id=None, text=None)
    assert (top.parent_id, top.text) == (None, "")
    kinds = db.execute(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "requirement", AuditEvent.entity_id == child.id
        )
    ).scalars()
    assert sorted(kinds) == ["create", "update", "update"]


def test_bad_requirements_are_refused_naming_the_field(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    framework, ids = make_framework(db, analyst, world.units["division-a"], ("A", "B"))
    _, other_ids = make_framework(db, analyst, world.units["division-a"], ("X",))
    before = _count(db, Requirement)
    with pytest.raises(RequirementExists) as taken:
        _add(db, analyst, framework.id, ref_id="a")
    assert taken.value.details[0]["field"] == "ref_id"
    with pytest.raises(ValidationFailed) as elsewhere:
        _add(db, analyst, framework.id, ref_id="C", parent_id=other_ids["X"])
    assert elsewhere.value.details[0]["field"] == "parent_id"
    child = _add(db, analyst, framework.id, ref_id="A.1", parent_id=ids["A"])
    with pytest.raises(ValidationFailed, match="below itself") as cycle:
        _change(db, analyst, ids["A"], parent_id=child.id)
    assert cycle.value.details[0]["field"] == "parent_id"
    with pytest.raises(RequirementExists):
        _change(db, analyst, child.id, ref_id="B")
    with pytest.raises(ValidationFailed) as empty:
        _change(db, analyst, child.id, title=None)
    assert empty.value.details[0]["field"] == "title"
    with pytest.raises(ValidationError):
        RequirementCreate(ref_id="has space", title="x")
    assert _count(db, Requirement) == before + 1


def test_requirements_in_use_are_not_removed(db, world, principal_for) -> None:
    admin = principal_for("admin")
    unit = world.units["division-a"]
    framework, ids = make_framework(db, admin, unit, ("A", "B", "C", "D"))
    _add(db, admin, framework.id, ref_id="A.1", parent_id=ids["A"])
    make_control(db, admin, unit, requirement_ids=[ids["B"]])
    _, other_ids = make_framework(db, admin, unit, ("X",))
    service.create_mapping(
        session=db,
        principal=admin,
        data=RequirementMappingCreate(
            source_id=other_ids["X"], target_id=ids["C"], relationship=MappingRelationship.SUBSET
        ),
    )
    refusals = {}
    for ref in ("A", "B", "C"):
        with pytest.raises(RequirementInUse) as refused:
            service.delete_requirement(session=db, principal=admin, requirement_id=ids[ref])
        refusals[ref] = refused.value.message
    assert refusals == {
        "A": "A cannot be removed while it has 1 sub-requirement; remove those first",
        "B": "B cannot be removed while it has 1 control; remove those first",
        "C": "C cannot be removed while it has 1 mapping to another requirement; "
        "remove those first",
    }
    service.delete_requirement(session=db, principal=admin, requirement_id=ids["D"])
    remaining = service.requirement_ids(session=db, principal=None, framework_id=framework.id)
    assert set(remaining) == {"A", "A.1", "B", "C"}


def test_only_writers_of_the_framework_unit_edit_its_requirements(db, world, principal_for) -> None:
    framework, ids = make_framework(db, None, world.units["division-a"], ("A",))
    _, shared_ids = make_framework(db, None, world.units["company"], ("S",))
    before = _count(db, Requirement)
    with pytest.raises(NotFound):
        _add(db, principal_for("analyst_b"), framework.id, ref_id="B")
    with pytest.raises(NotFound):
        _change(db, principal_for("analyst_b"), ids["A"], title="Mine")
    with pytest.raises(NotFound):
        service.delete_requirement(
            session=db, principal=principal_for("analyst_b"), requirement_id=ids["A"]
        )
    with pytest.raises(PermissionDenied):
        _add(db, principal_for("readonly"), framework.id, ref_id="B")
    with pytest.raises(PermissionDenied):
        _change(db, principal_for("analyst"), shared_ids["S"], title="Ours")
    assert _count(db, Requirement) == before


def test_a_framework_in_use_is_not_deleted_and_says_how_much_uses_it(
    db, world, principal_for
) -> None:
    admin = principal_for("admin")
    unit = world.units["division-a"]
    framework, ids = make_framework(db, admin, unit, ("A", "B"))
    make_assessment(db, admin, unit, framework.id)
    make_assessment(db, admin, world.units["team-a1"], framework.id)
    make_control(db, admin, unit, requirement_ids=[ids["A"], ids["B"]])
    before = (_count(db, Framework), _count(db, Requirement))
    with pytest.raises(FrameworkInUse) as refused:
        service.delete_framework(session=db, principal=admin, framework_id=framework.id)
    assert refused.value.message == (
        "This framework cannot be deleted: it is used by 2 assessments and 2 control mappings"
    )
    assert (_count(db, Framework), _count(db, Requirement)) == before
    usage = service.framework_usage(session=db, principal=admin, framework_id=framework.id)
    assert (usage.assessments, usage.control_mappings, usage.evidence_links) == (2, 2, 0)
    unused, _ = make_framework(db, admin, unit, ("Z",))
    service.delete_framework(session=db, principal=admin, framework_id=unused.id)
    assert _count(db, Framework) == before[0]
