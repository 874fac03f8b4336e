"""Importing a catalog already loaded offers an update in place, with what it changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aegis.core.errors import NotFound, PermissionDenied
from aegis.domains.assessments import service as assessments
from aegis.domains.assessments.schemas import OverrideWrite
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import CatalogLoaded
from aegis.domains.frameworks.schemas import RequirementMappingCreate
from aegis.models import AuditEvent, Framework, Requirement, RequirementMapping
from aegis.models.enums import MappingRelationship
from tests.domains.frameworks.test_formats import UUID, catalog
from tests.factories.assessments import make_assessment
from tests.factories.controls import make_control
from tests.factories.evidence import make_link
from tests.factories.frameworks import make_framework

FIRST = (
    "id,parent,title,text\n"
    "G,,Governance,\n"
    "G.1,G,Policy,Have a policy\n"
    "G.2,G,Roles,Name the roles\n"
    "O,,Operations,\n"
    "O.1,O,Backups,Back up daily\n"
    "O.2,O,Logs,Keep logs\n"
    "O.3,O,Spare,Unused\n"
)
SECOND = (
    "id,parent,title,text\n"
    "G,,Governance,\n"
    "G.1,G,Policy,Have an approved policy\n"
    "G.3,G,Training,Train people\n"
    "O,,Operations,\n"
    "O.1,G,Backups,Back up daily\n"
    "O.4,O,Monitoring,Watch the logs\n"
)


def _count(db, model) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _import(db, principal, unit_id: int, content: bytes, **fields):
    return service.import_file(
        session=db,
        principal=principal,
        unit_id=unit_id,
        content=content,
        filename=fields.pop("filename", "rules.csv"),
        **fields,
    )


def _rules(db, principal, unit_id: int):
    framework = _import(
        db, principal, unit_id, FIRST.encode(), name="House rules", key="rules", version="1"
    )
    return framework, service.requirement_ids(session=db, principal=None, framework_id=framework.id)


def test_the_same_catalog_is_refused_naming_the_framework_to_update(
    db, world, principal_for
) -> None:
    analyst = principal_for("analyst")
    first = _import(db, analyst, world.units["division-a"], catalog(), filename="tiny.json")
    json_name = {"filename": "tiny.json"}
    assert first.catalog_uuid == UUID and first.key == "tiny-catalog"
    before = (_count(db, Framework), _count(db, Requirement))
    with pytest.raises(CatalogLoaded) as same_uuid:
        _import(db, analyst, world.units["division-a"], catalog(), key="copy", version="9",
                **json_name)  # fmt: skip
    assert (same_uuid.value.framework_id, same_uuid.value.may_update) == (first.id, True)
    assert same_uuid.value.details[0]["field"] == "version"
    with pytest.raises(CatalogLoaded) as same_version:
        _import(db, analyst, world.units["division-a"], FIRST.encode(), key="tiny-catalog",
                name="Again", version="3.1")  # fmt: skip
    assert same_version.value.framework_id == first.id
    assert (_count(db, Framework), _count(db, Requirement)) == before
    admin_a = principal_for("admin_a")
    with pytest.raises(CatalogLoaded) as seen:
        _import(db, admin_a, world.units["team-a1"], catalog(), key="other", **json_name)
    assert seen.value.may_update is True
    sibling = principal_for("analyst_b")
    own = _import(db, sibling, world.units["division-b"], catalog(), key="tiny-b", **json_name)
    assert own.id != first.id and own.catalog_uuid == UUID


def test_a_catalog_the_caller_sees_but_may_not_change_cannot_be_updated(
    db, world, principal_for
) -> None:
    shipped = _import(db, None, world.units["company"], catalog(), filename="tiny.json")
    with pytest.raises(CatalogLoaded) as refused:
        _import(db, principal_for("analyst"), world.units["division-a"], catalog(), key="mine",
                filename="tiny.json")  # fmt: skip
    assert refused.value.may_update is False and "only people who may change it" in str(
        refused.value
    )
    with pytest.raises(PermissionDenied):
        service.preview_update(
            session=db,
            principal=principal_for("analyst"),
            framework_id=shipped.id,
            content=catalog(),
            filename="tiny.json",
        )


def test_the_preview_lists_what_changes_and_writes_nothing(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    framework, _ = _rules(db, analyst, world.units["division-a"])
    before = (_count(db, Requirement), _count(db, AuditEvent))
    diff = service.preview_update(
        session=db,
        principal=analyst,
        framework_id=framework.id,
        content=SECOND.encode(),
        filename="rules-2.csv",
    )
    assert diff.applied is False
    assert [e.ref_id for e in diff.added] == ["G.3", "O.4"]
    assert [(e.ref_id, e.changes) for e in diff.changed] == [
        ("G.1", ["text"]),
        ("O.1", ["parent"]),
    ]
    assert [e.ref_id for e in diff.removed] == ["G.2", "O.2", "O.3"]
    assert diff.kept == []
    assert (_count(db, Requirement), _count(db, AuditEvent)) == before


def test_the_update_keeps_requirements_still_in_use_and_reports_them(
    db, world, principal_for
) -> None:
    analyst, admin = principal_for("analyst"), principal_for("admin")
    unit = world.units["division-a"]
    framework, ids = _rules(db, analyst, unit)
    control = make_control(db, admin, unit, requirement_ids=[ids["G.2"]])
    make_link(db, admin, unit, requirement_ids=[ids["O.2"]])
    _, other_ids = make_framework(db, admin, unit, ("X",))
    service.create_mapping(
        session=db,
        principal=admin,
        data=RequirementMappingCreate(
            source_id=other_ids["X"], target_id=ids["O.2"], relationship=MappingRelationship.EQUAL
        ),
    )
    assessment = make_assessment(db, admin, unit, framework.id)
    assessments.set_override(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        requirement_id=ids["G.2"],
        data=OverrideWrite(status="compliant", justification="Checked by the auditor"),
    )
    diff = service.update_from_file(
        session=db,
        principal=analyst,
        framework_id=framework.id,
        content=SECOND.encode(),
        filename="rules-2.csv",
    )
    assert diff.applied is True
    assert [e.ref_id for e in diff.removed] == ["O.3"]
    kept = {e.ref_id: e.usage.summary for e in diff.kept if e.usage}
    assert kept == {
        "G.2": "1 control, 1 assessment result",
        "O.2": "1 piece of evidence, 1 mapping to another requirement",
    }
    now = service.requirement_ids(session=db, principal=None, framework_id=framework.id)
    assert set(now) == {"G", "G.1", "G.2", "G.3", "O", "O.1", "O.2", "O.4"}
    assert now["G.1"] == ids["G.1"] and now["G.2"] == ids["G.2"]
    moved = service.get_requirement(session=db, principal=None, requirement_id=now["O.1"])
    assert moved.parent_id == now["G"]
    changed = service.get_requirement(session=db, principal=None, requirement_id=now["G.1"])
    assert changed.text == "Have an approved policy"
    added = service.get_requirement(session=db, principal=None, requirement_id=now["G.3"])
    assert added.parent_id == now["G"] and added.assessable
    assert _count(db, RequirementMapping) == 1
    controls_of_g2 = service.requirement_usage(
        session=db, principal=admin, requirement_id=ids["G.2"]
    )
    assert controls_of_g2.controls == 1 and control.requirement_ids == [ids["G.2"]]
    event = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "framework", AuditEvent.entity_id == framework.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.changes["requirements_added"] == [None, 2]
    assert event.changes["requirements_kept"] == [None, 2]
    again = service.update_from_file(
        session=db,
        principal=analyst,
        framework_id=framework.id,
        content=SECOND.encode(),
        filename="rules-2.csv",
    )
    assert again.empty and [e.ref_id for e in again.kept] == ["G.2", "O.2"]


def test_a_removed_group_holding_a_requirement_in_use_is_kept_too(db, world, principal_for) -> None:
    admin = principal_for("admin")
    unit = world.units["division-a"]
    framework, ids = _rules(db, admin, unit)
    make_control(db, admin, unit, requirement_ids=[ids["O.2"]])
    only_governance = "id,parent,title,text\nG,,Governance,\nG.1,G,Policy,Have a policy\n"
    diff = service.update_from_file(
        session=db,
        principal=admin,
        framework_id=framework.id,
        content=only_governance.encode(),
        filename="rules-3.csv",
    )
    assert [e.ref_id for e in diff.removed] == ["G.2", "O.1", "O.3"]
    assert {e.ref_id: e.usage.summary for e in diff.kept if e.usage} == {
        "O": "1 sub-requirement",
        "O.2": "1 control",
    }
    remaining = service.requirement_ids(session=db, principal=None, framework_id=framework.id)
    assert set(remaining) == {"G", "G.1", "O", "O.2"}


def test_updates_need_the_right_to_change_the_framework(db, world, principal_for) -> None:
    framework, ids = _rules(db, principal_for("analyst"), world.units["division-a"])
    for name, error in (("readonly", PermissionDenied), ("analyst_b", NotFound)):
        with pytest.raises(error):
            service.update_from_file(
                session=db,
                principal=principal_for(name),
                framework_id=framework.id,
                content=SECOND.encode(),
                filename="rules-2.csv",
            )
    assert service.requirement_ids(session=db, principal=None, framework_id=framework.id) == ids


def test_the_preview_costs_the_same_queries_for_any_size(
    db, world, principal_for, count_queries
) -> None:
    admin = principal_for("admin")
    small, _ = make_framework(db, admin, world.units["division-a"], ("A", "B"))
    large, _ = make_framework(db, admin, world.units["division-a"], [f"R{n}" for n in range(300)])
    edition = b"id,parent,title,text\nA,,Changed,\nZ,,New,\n"
    counts = []
    for framework in (small, large):
        with count_queries() as counter:
            service.preview_update(
                session=db,
                principal=admin,
                framework_id=framework.id,
                content=edition,
                filename="edition.csv",
            )
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 4, counts
