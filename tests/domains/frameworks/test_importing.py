"""Importing OSCAL catalogs and the shipped frameworks into the database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from aegis.core.errors import PermissionDenied, ValidationFailed
from aegis.domains.frameworks import service
from aegis.domains.frameworks.errors import FrameworkExists
from aegis.domains.frameworks.schemas import RequirementQuery
from aegis.models import AuditEvent, Framework, Requirement
from tests.domains.frameworks.data import CSF, HIGH, oscal


def _count(db, model) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _total(db, framework_id: int, **filters) -> int:
    query = RequirementQuery(limit=1, **filters)
    return service.list_requirements(
        session=db, principal=None, framework_id=framework_id, query=query
    ).total


def _import(db, principal, unit_id: int, name: str = HIGH, **fields):
    return service.import_oscal_catalog(
        session=db, principal=principal, unit_id=unit_id, content=oscal(name), source=name, **fields
    )


def test_csf_imports_with_6_functions_22_categories_106_subcategories(db, world) -> None:
    framework = _import(db, None, world.units["company"], CSF)
    assert framework.key == "electronic-version-of-nist-cybersecurity-framework-2-0"
    assert (framework.version, framework.requirement_count) == ("1.2.0", 134)
    assert _total(db, framework.id, top_level=True) == 6
    assert _total(db, framework.id, assessable=True) == 106
    assert _total(db, framework.id, assessable=False, top_level=False) == 22


def test_sp800_53_high_imports_370_controls_in_18_families(db, world, principal_for) -> None:
    framework = _import(db, principal_for("admin"), world.units["company"])
    assert framework.name == "NIST Special Publication 800-53 Revision 5.1.1 HIGH IMPACT BASELINE"
    assert _total(db, framework.id, assessable=True) == 370
    assert _total(db, framework.id, top_level=True) == 18
    refs = service.requirement_ids(session=db, principal=None, framework_id=framework.id)
    enhancement = service.get_requirement(
        session=db, principal=None, requirement_id=refs["AC-2(1)"]
    )
    assert enhancement.parent_id == refs["AC-2"]
    base = service.get_requirement(session=db, principal=None, requirement_id=refs["AC-2"])
    assert base.parent_id == refs["ac"] and base.assessable
    assert "[Assignment: prerequisites and criteria]" in base.text


def test_importing_370_controls_takes_a_bounded_number_of_statements(
    db, world, count_queries
) -> None:
    content = oscal(HIGH)
    with count_queries() as counter:
        service.import_oscal_catalog(
            session=db, principal=None, unit_id=world.units["company"], content=content, source="x"
        )
    assert counter.count <= 15, counter.statements


def test_the_same_key_and_version_cannot_be_imported_twice(db, world) -> None:
    _import(db, None, world.units["company"])
    before = (_count(db, Framework), _count(db, Requirement), _count(db, AuditEvent))
    with pytest.raises(FrameworkExists):
        _import(db, None, world.units["division-a"])
    assert (_count(db, Framework), _count(db, Requirement), _count(db, AuditEvent)) == before


def test_another_edition_of_a_catalog_with_another_version_is_a_new_framework(db, world) -> None:
    first = _import(db, None, world.units["company"])
    assert first.catalog_uuid is not None
    edition = oscal(HIGH).replace(first.catalog_uuid.encode(), str(uuid.uuid4()).encode(), 1)
    second = service.import_oscal_catalog(
        session=db,
        principal=None,
        unit_id=world.units["company"],
        content=edition,
        source=HIGH,
        version="5.1.2",
    )
    assert first.key == second.key and first.id != second.id
    with pytest.raises(FrameworkExists):
        _import(db, None, world.units["company"], version="5.1.3")


def test_a_broken_file_writes_nothing(db, world) -> None:
    before = (_count(db, Framework), _count(db, Requirement), _count(db, AuditEvent))
    broken = oscal(HIGH).replace(b'"id":"ac-2.1"', b'"idx":"ac-2.1"', 1)
    assert broken != oscal(HIGH)
    with pytest.raises(ValidationFailed, match="'id' is missing"):
        service.import_oscal_catalog(
            session=db, principal=None, unit_id=world.units["company"], content=broken, source="x"
        )
    assert (_count(db, Framework), _count(db, Requirement), _count(db, AuditEvent)) == before


def test_importing_needs_write_access_to_the_unit(db, world, principal_for) -> None:
    with pytest.raises(PermissionDenied):
        _import(db, principal_for("analyst"), world.units["company"])
    with pytest.raises(PermissionDenied):
        _import(db, principal_for("readonly"), world.units["company"])


def test_an_import_is_one_audit_event(db, world, principal_for) -> None:
    framework = _import(db, principal_for("analyst"), world.units["division-a"], CSF)
    events = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "framework")).all()
    assert [(e.action, e.entity_id, e.unit_id) for e in events] == [
        ("create", framework.id, world.units["division-a"])
    ]
    assert events[0].changes["requirements"] == [None, 134]
    assert events[0].changes["imported_from"] == [None, "oscal"]


def test_metadata_values_that_do_not_fit_are_reported(db, world) -> None:
    content = oscal(CSF).replace(b'"version": "1.2.0"', b'"version": "' + b"9" * 60 + b'"', 1)
    with pytest.raises(ValidationFailed) as caught:
        service.import_oscal_catalog(
            session=db, principal=None, unit_id=world.units["company"], content=content, source="x"
        )
    assert caught.value.details[0]["field"] == "version"


def test_shipped_frameworks_load_once_into_the_root_unit(db, world, count_queries) -> None:
    loaded = service.load_shipped_frameworks(session=db, unit_id=world.units["company"])
    assert [(f.key, f.version, f.requirement_count) for f in loaded] == [
        ("nist-csf", "2.0", 134),
        ("nist-sp-800-53-high", "5.1.1", 388),
        ("nist-sp-800-53-privacy", "5.1.1", 118),
    ]
    assert all(f.unit_id == world.units["company"] for f in loaded)
    with count_queries() as counter:
        again = service.load_shipped_frameworks(session=db, unit_id=world.units["company"])
    assert [f.id for f in again] == [f.id for f in loaded]
    assert not any(s.lstrip().upper().startswith("INSERT") for s in counter.statements)


def test_shipped_csf_has_106_assessable_subcategories(db, world) -> None:
    loaded = service.load_shipped_frameworks(session=db, unit_id=world.units["company"])
    csf = next(f for f in loaded if f.key == "nist-csf")
    assert csf.name == "NIST Cybersecurity Framework 2.0"
    assert _total(db, csf.id, assessable=True) == 106
    assert "public domain" in csf.source
