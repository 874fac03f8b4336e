"""Requirement-to-requirement mappings: one by one and from CSV."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import MappingExists, MappingNotFound
from aegis.domains.frameworks.schemas import RequirementMappingCreate, RequirementMappingQuery
from aegis.models import AuditEvent, RequirementMapping
from aegis.models.enums import MappingRelationship
from tests.factories.frameworks import make_framework

HEADER = "source_framework,source_id,relationship,target_framework,target_id\n"


def _map(db, principal, source: int, target: int, relationship: str = "equal"):
    data = RequirementMappingCreate(
        source_id=source, target_id=target, relationship=MappingRelationship(relationship)
    )
    return service.create_mapping(session=db, principal=principal, data=data)


def _listed(db, principal, **filters) -> list[tuple[str, str, str]]:
    page = service.list_mappings(
        session=db, principal=principal, query=RequirementMappingQuery(**filters)
    )
    return [(m.source.ref_id, m.relationship.value, m.target.ref_id) for m in page.items]


def _count(db) -> int:
    return int(db.scalar(select(func.count()).select_from(RequirementMapping)) or 0)


@pytest.fixture
def pair(db, world):
    """A root-owned framework (key 'csf') and a division-a one (key 'policy'), three refs each."""
    csf = make_framework(db, None, world.units["company"], ("GV-1", "GV-2", "GV-3"), key="csf")
    policy = make_framework(db, None, world.units["division-a"], ("P1", "P2", "P3"), key="policy")
    return csf, policy


def test_mappings_are_listed_per_requirement_on_either_side(db, world, principal_for, pair) -> None:
    (csf, c), (policy, p) = pair
    analyst = principal_for("analyst")
    created = _map(db, analyst, p["P1"], c["GV-1"], "subset")
    assert (created.source.framework_id, created.target.framework_id) == (policy.id, csf.id)
    assert created.target.title == "Requirement GV-1"
    _map(db, analyst, p["P2"], c["GV-1"], "intersect")
    _map(db, analyst, p["P2"], c["GV-2"])
    assert _listed(db, analyst, requirement_id=c["GV-1"]) == [
        ("P1", "subset", "GV-1"),
        ("P2", "intersect", "GV-1"),
    ]
    assert _listed(db, analyst, source_id=p["P2"], sort="-relationship") == [
        ("P2", "intersect", "GV-1"),
        ("P2", "equal", "GV-2"),
    ]
    assert _listed(db, analyst, target_id=c["GV-2"]) == [("P2", "equal", "GV-2")]
    assert _listed(db, analyst, framework_id=csf.id, relationship="subset") == [
        ("P1", "subset", "GV-1")
    ]
    assert _listed(db, principal_for("analyst_b")) == []


def test_a_mapping_needs_write_access_to_the_source_framework(
    db, world, principal_for, pair
) -> None:
    (_, c), (_, p) = pair
    with pytest.raises(PermissionDenied):
        _map(db, principal_for("analyst"), c["GV-1"], p["P1"])
    with pytest.raises(PermissionDenied):
        _map(db, principal_for("readonly_a"), p["P1"], c["GV-1"])
    assert _map(db, principal_for("admin"), c["GV-1"], p["P1"]).relationship == "equal"


def test_mapping_ends_must_be_visible_distinct_and_new(db, world, principal_for, pair) -> None:
    (_, c), (_, p) = pair
    sibling = principal_for("analyst_b")
    with pytest.raises(ValidationFailed) as caught:
        _map(db, sibling, p["P1"], c["GV-1"])
    assert caught.value.details == [{"field": "source_id", "message": "Requirement not found"}]
    with pytest.raises(ValidationFailed, match="to itself"):
        _map(db, None, p["P1"], p["P1"])
    _map(db, None, p["P1"], p["P2"])
    with pytest.raises(MappingExists):
        _map(db, None, p["P1"], p["P2"], "superset")
    assert _count(db) == 1


def test_deleting_a_mapping(db, world, principal_for, pair) -> None:
    (_, c), (_, p) = pair
    mapping = _map(db, principal_for("analyst"), p["P1"], c["GV-1"])
    with pytest.raises(MappingNotFound):
        service.delete_mapping(
            session=db, principal=principal_for("analyst_b"), mapping_id=mapping.id
        )
    with pytest.raises(PermissionDenied):
        service.delete_mapping(
            session=db, principal=principal_for("readonly"), mapping_id=mapping.id
        )
    service.delete_mapping(session=db, principal=principal_for("analyst"), mapping_id=mapping.id)
    assert _count(db) == 0
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "requirement_mapping")
    ).all()
    assert actions == ["create", "delete"]


def test_deleting_a_framework_deletes_its_mappings(db, world, pair) -> None:
    (csf, c), (_, p) = pair
    _map(db, None, p["P1"], c["GV-1"])
    service.delete_framework(session=db, principal=None, framework_id=csf.id)
    assert _count(db) == 0


def _import(db, principal, text: str):
    return service.import_mappings(session=db, principal=principal, content=text.encode())


def test_import_creates_then_updates_then_leaves_mappings(db, world, principal_for, pair) -> None:
    analyst = principal_for("analyst")
    rows = (
        "policy,P1,equal,csf,GV-1\n"
        "POLICY@1.0,P2,Subset,csf@1.0,GV-2\n"
        "policy,P3,intersect,policy,P1\n"
    )
    result = _import(db, analyst, HEADER + rows)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    again = _import(db, analyst, HEADER + rows.replace("Subset", "superset"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert ("P2", "superset", "GV-2") in _listed(db, analyst)
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "framework", AuditEvent.action == "update"
        )
    ).all()
    assert [e.changes for e in events] == [
        {"mappings_imported": [None, 3]},
        {"mappings_imported": [None, 1]},
    ]


def test_import_of_many_rows_takes_a_bounded_number_of_statements(db, world, count_queries) -> None:
    refs = [f"R{i}" for i in range(300)]
    source, _ = make_framework(db, None, world.units["company"], refs, key="src")
    target, _ = make_framework(db, None, world.units["company"], refs, key="dst")
    rows = "".join(f"src,{r},equal,dst,{r}\n" for r in refs)
    with count_queries() as counter:
        result = _import(db, None, HEADER + rows)
    assert result.created == 300
    assert counter.count <= 10, counter.statements
    assert len(_listed(db, None, framework_id=source.id, limit=200)) == 200
    assert target.id


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("nope,P1,equal,csf,GV-1\n", "file: framework 'nope' not found"),
        ("policy@9,P1,equal,csf,GV-1\n", "file: framework 'policy@9' not found"),
        ("policy,P9,equal,csf,GV-1\n", "row 2: 'P9' is not a requirement of policy"),
        ("policy,P1,equal,csf,gv-1\n", "row 2: 'gv-1' is not a requirement of csf"),
        ("policy,P1,same,csf,GV-1\n", "row 2: relationship must be one of equal, subset"),
        ("policy,P1,equal,,GV-1\n", "row 2: empty target_framework"),
        ("policy,P1,equal,policy,P1\n", "row 2: a requirement cannot be mapped to itself"),
        ("policy,P1,equal,csf,GV-1\npolicy,P1,subset,csf,GV-1\n", "row 3: repeats row 2"),
        ("", "file: there are no mappings"),
    ],
)
def test_bad_mapping_files_name_the_problem_and_write_nothing(
    db, world, principal_for, pair, rows: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _import(db, principal_for("analyst"), HEADER + rows)
    assert caught.value.message.startswith(f"Invalid mappings CSV: {message}")
    assert _count(db) == 0


def test_a_mapping_file_needs_its_header(db) -> None:
    with pytest.raises(ValidationFailed, match="missing column"):
        _import(db, None, "from,to\nA,B\n")


def test_a_key_with_several_versions_needs_the_version(db, world, pair) -> None:
    make_framework(db, None, world.units["company"], ("GV-1",), key="csf", version="2.0")
    with pytest.raises(ValidationFailed, match="'csf' has several versions; write key@version"):
        _import(db, None, HEADER + "policy,P1,equal,csf,GV-1\n")
    assert _import(db, None, HEADER + "policy,P1,equal,csf@2.0,GV-1\n").created == 1


def test_importing_needs_write_access_to_every_source_framework(
    db, world, principal_for, pair
) -> None:
    with pytest.raises(PermissionDenied, match="csf"):
        _import(db, principal_for("analyst"), HEADER + "csf,GV-1,equal,policy,P1\n")
    with pytest.raises(ValidationFailed, match="'policy' not found"):
        _import(db, principal_for("analyst_b"), HEADER + "policy,P1,equal,csf,GV-1\n")
    assert _count(db) == 0


def test_mapping_list_costs_the_same_whatever_the_page_size(
    db, world, principal_for, pair, count_queries
) -> None:
    (_, c), (_, p) = pair
    for source in p.values():
        for target in c.values():
            _map(db, None, source, target)
    analyst = principal_for("analyst")
    counts = []
    for limit in (1, 9):
        with count_queries() as counter:
            assert len(_listed(db, analyst, limit=limit)) == limit
        counts.append(counter.count)
    assert counts[0] == counts[1] == 2
