"""Framework use cases: sharing down the unit tree, changes, deletion and query costs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import (
    FrameworkExists,
    FrameworkInUse,
    FrameworkNotFound,
    RequirementNotFound,
)
from aegis.domains.frameworks.schemas import (
    FrameworkCreate,
    FrameworkQuery,
    FrameworkUpdate,
    RequirementQuery,
)
from aegis.models import Assessment, AuditEvent, Requirement
from tests.factories.frameworks import make_framework


def _keys(db, principal, **filters) -> list[str]:
    page = service.list_frameworks(session=db, principal=principal, query=FrameworkQuery(**filters))
    return [f.key for f in page.items]


def test_division_users_see_frameworks_of_the_units_above(db, world, principal_for) -> None:
    make_framework(db, None, world.units["company"], key="root-owned")
    make_framework(db, None, world.units["division-a"], key="a-owned")
    make_framework(db, None, world.units["team-a1"], key="team-owned")
    assert _keys(db, principal_for("analyst"), sort="key") == [
        "a-owned",
        "root-owned",
        "team-owned",
    ]
    assert _keys(db, principal_for("analyst_b"), sort="key") == ["root-owned"]
    assert _keys(db, principal_for("readonly"), sort="key") == [
        "a-owned",
        "root-owned",
        "team-owned",
    ]


def test_a_sibling_division_cannot_see_a_framework_or_its_requirements(
    db, world, principal_for
) -> None:
    framework, refs = make_framework(db, principal_for("analyst"), world.units["division-a"])
    sibling = principal_for("analyst_b")
    with pytest.raises(FrameworkNotFound):
        service.get_framework(session=db, principal=sibling, framework_id=framework.id)
    with pytest.raises(FrameworkNotFound):
        service.list_requirements(
            session=db, principal=sibling, framework_id=framework.id, query=RequirementQuery()
        )
    with pytest.raises(RequirementNotFound):
        service.get_requirement(session=db, principal=sibling, requirement_id=refs["R1"])
    ids = list(refs.values())
    assert (
        service.visible_requirement_ids(session=db, principal=sibling, requirement_ids=ids) == set()
    )
    assert service.visible_requirement_ids(
        session=db, principal=principal_for("readonly_a"), requirement_ids=[*ids, 10**9]
    ) == set(ids)
    assert set(service.get_requirements(session=db, principal=None, requirement_ids=ids)) == set(
        ids
    )


def test_shared_frameworks_are_read_only_below_their_unit(db, world, principal_for) -> None:
    framework, _ = make_framework(db, None, world.units["company"])
    analyst = principal_for("analyst")
    assert service.get_framework(session=db, principal=analyst, framework_id=framework.id)
    with pytest.raises(PermissionDenied):
        service.update_framework(
            session=db,
            principal=analyst,
            framework_id=framework.id,
            data=FrameworkUpdate(name="Mine now"),
        )
    with pytest.raises(PermissionDenied):
        service.delete_framework(session=db, principal=analyst, framework_id=framework.id)


def test_create_update_and_delete_are_audited(db, world, principal_for) -> None:
    analyst = principal_for("analyst")
    data = FrameworkCreate(
        unit_id=world.units["division-a"], key=" Internal-Policy ", name="Policy", version="2024"
    )
    framework = service.create_framework(session=db, principal=analyst, data=data)
    assert (framework.key, framework.requirement_count) == ("internal-policy", 0)
    changed = service.update_framework(
        session=db,
        principal=analyst,
        framework_id=framework.id,
        data=FrameworkUpdate(
            name="Internal policy", description=None, unit_id=world.units["team-a1"]
        ),
    )
    assert (changed.name, changed.description, changed.unit_id) == (
        "Internal policy",
        "",
        world.units["team-a1"],
    )
    service.delete_framework(session=db, principal=analyst, framework_id=framework.id)
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == framework.id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.entity_type) for e in events] == [
        ("create", "framework"),
        ("update", "framework"),
        ("delete", "framework"),
    ]
    assert events[1].changes["name"] == ["Policy", "Internal policy"]


def test_moving_a_framework_needs_write_access_to_the_new_unit(db, world, principal_for) -> None:
    framework, _ = make_framework(db, None, world.units["division-a"])
    with pytest.raises(PermissionDenied):
        service.update_framework(
            session=db,
            principal=principal_for("analyst"),
            framework_id=framework.id,
            data=FrameworkUpdate(unit_id=world.units["company"]),
        )


def test_key_and_version_stay_unique(db, world, principal_for) -> None:
    make_framework(db, None, world.units["company"], key="taken", version="1")
    other, _ = make_framework(db, None, world.units["division-a"], key="other", version="1")
    with pytest.raises(FrameworkExists):
        service.update_framework(
            session=db,
            principal=principal_for("admin"),
            framework_id=other.id,
            data=FrameworkUpdate(key="taken"),
        )
    data = FrameworkCreate(unit_id=world.units["company"], key="taken", name="Again", version="1")
    with pytest.raises(FrameworkExists):
        service.create_framework(session=db, principal=principal_for("admin"), data=data)


def test_required_fields_cannot_be_emptied(db, world) -> None:
    framework, _ = make_framework(db, None, world.units["division-a"])
    with pytest.raises(ValidationFailed):
        service.update_framework(
            session=db, principal=None, framework_id=framework.id, data=FrameworkUpdate(name=None)
        )


def test_a_framework_used_by_an_assessment_cannot_be_deleted(db, world) -> None:
    framework, _ = make_framework(db, None, world.units["division-a"])
    db.add(
        Assessment(
            unit_id=world.units["division-a"],
            framework_id=framework.id,
            name="Yearly",
            status="planned",
            due_date=date(2030, 1, 1),
        )
    )
    db.flush()
    with pytest.raises(FrameworkInUse):
        service.delete_framework(session=db, principal=None, framework_id=framework.id)
    assert service.get_framework(session=db, principal=None, framework_id=framework.id)


def test_deleting_a_framework_removes_its_requirement_tree(db, world) -> None:
    ref_ids = tuple(f"L{i}" for i in range(12))
    rows = "\n".join(f"L{i},{f'L{i - 1}' if i else ''},Level {i}," for i in range(12))
    framework = service.import_csv(
        session=db,
        principal=None,
        unit_id=world.units["division-a"],
        content=f"id,parent,title,text\n{rows}\n".encode(),
        name="Deep",
        key="deep",
        version="1",
    )
    assert framework.requirement_count == len(ref_ids)
    service.delete_framework(session=db, principal=None, framework_id=framework.id)
    left = db.scalars(select(Requirement.id).where(Requirement.framework_id == framework.id))
    assert list(left) == []


def test_list_filters_and_sorts(db, world) -> None:
    make_framework(db, None, world.units["company"], key="alpha", version="2", name="Zulu")
    make_framework(db, None, world.units["company"], key="alpha", version="10", name="Yankee")
    make_framework(db, None, world.units["company"], key="beta", name="X_ray 100%")
    assert _keys(db, None, q="ALPHA", sort="-name") == ["alpha", "alpha"]
    assert _keys(db, None, q="y 100%") == ["beta"]
    assert _keys(db, None, q="a%1") == []
    assert _keys(db, None, q="x_") == ["beta"]
    assert _keys(db, None, key="Alpha", sort="name") == ["alpha", "alpha"]
    page = service.list_frameworks(
        session=db, principal=None, query=FrameworkQuery(key="alpha", sort="version")
    )
    assert [f.version for f in page.items] == ["10", "2"]
    with pytest.raises(ValidationFailed, match="Cannot sort by 'unit_id'"):
        _keys(db, None, sort="unit_id")


def test_requirements_filter_by_parent_assessable_and_text(db, world) -> None:
    content = (
        "id,parent,title,text\nA,,Area,\nA.2,A,Backups,Keep copies\n"
        "A.1,A,Access,Grant least privilege\nB,,Other,Access reviews\n"
    )
    framework = service.import_csv(
        session=db,
        principal=None,
        unit_id=world.units["company"],
        content=content.encode(),
        name="F",
        key="f",
        version="1",
    )
    refs = service.requirement_ids(session=db, principal=None, framework_id=framework.id)

    def refs_of(**filters) -> list[str]:
        page = service.list_requirements(
            session=db,
            principal=None,
            framework_id=framework.id,
            query=RequirementQuery(**filters),
        )
        return [r.ref_id for r in page.items]

    assert refs_of() == ["A", "A.2", "A.1", "B"]
    assert refs_of(sort="ref_id") == ["A", "A.1", "A.2", "B"]
    assert refs_of(sort="-ref_id", parent_id=refs["A"]) == ["A.2", "A.1"]
    assert refs_of(assessable=True) == ["A.2", "A.1", "B"]
    assert refs_of(top_level=True) == ["A", "B"]
    assert refs_of(top_level=False, assessable=True) == ["A.2", "A.1"]
    assert refs_of(q="access") == ["A.1", "B"]


def test_requirement_list_costs_the_same_whatever_the_page_size(
    db, world, principal_for, count_queries
) -> None:
    framework, _ = make_framework(
        db, None, world.units["company"], ref_ids=[f"R{i}" for i in range(60)]
    )
    analyst = principal_for("analyst")
    counts = []
    for limit in (2, 60):
        with count_queries() as counter:
            page = service.list_requirements(
                session=db,
                principal=analyst,
                framework_id=framework.id,
                query=RequirementQuery(limit=limit),
            )
        assert len(page.items) == limit
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 3


def test_framework_list_costs_the_same_whatever_the_page_size(
    db, world, principal_for, count_queries
) -> None:
    for _ in range(6):
        make_framework(db, None, world.units["company"])
    analyst = principal_for("analyst")
    counts = []
    for limit in (1, 6):
        with count_queries() as counter:
            page = service.list_frameworks(
                session=db, principal=analyst, query=FrameworkQuery(limit=limit)
            )
        assert len(page.items) == limit and all(f.requirement_count == 3 for f in page.items)
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 3
