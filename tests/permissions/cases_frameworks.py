"""Permissions of frameworks, requirements, imports and requirement mappings."""

from __future__ import annotations

from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import RequirementMappingCreate
from aegis.models.enums import MappingRelationship
from tests.factories.frameworks import make_framework
from tests.permissions import (
    CREATE,
    DELETE,
    EDIT_FORM,
    FORM,
    LIST,
    LIST_PAGE,
    PAGE,
    READ,
    SECRET,
    UPDATE,
    Case,
    Request,
    exported,
    statuses,
)

CSV = b"id,parent,title,text\nA,,Area,\nA.1,A,Item,Do it\n"


def _framework(db, world, principal_for) -> Request:
    framework, _ = make_framework(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"framework_id": framework.id}, json={"name": "Renamed"})


def _requirement(db, world, principal_for) -> Request:
    _, refs = make_framework(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"requirement_id": refs["R1"]})


def _listed_framework(db, world, principal_for) -> Request:
    make_framework(db, principal_for("admin"), world.units["division-a"], name=SECRET)
    return Request(secret=SECRET)


def _secret_requirement(db, world, principal_for) -> Request:
    """A division-a framework whose requirement R1 is titled with the secret."""
    framework = service.import_csv(
        session=db,
        principal=principal_for("admin"),
        unit_id=world.units["division-a"],
        content=f"id,parent,title,text\nP,,Area,\nR1,P,{SECRET},Kept in division A\n".encode(),
        name="Division A policy",
        key="division-a-policy",
        version="1",
    )
    refs = service.requirement_ids(
        session=db, principal=principal_for("admin"), framework_id=framework.id
    )
    return Request(
        path={"framework_id": framework.id, "requirement_id": refs["R1"]},
        params={"parent_id": refs["P"]},  # for the tree, whose branch under P shows R1
        secret=SECRET,
    )


def _listed_mapping(db, world, principal_for) -> Request:
    request = _secret_requirement(db, world, principal_for)
    _, refs = make_framework(db, principal_for("admin"), world.units["division-a"])
    data = RequirementMappingCreate(
        source_id=request.path["requirement_id"],
        target_id=refs["R1"],
        relationship=MappingRelationship.EQUAL,
    )
    service.create_mapping(session=db, principal=principal_for("admin"), data=data)
    return Request(secret=SECRET)


def _new_framework(db, world, principal_for) -> Request:
    body = {"unit_id": world.units["division-a"], "key": "custom", "name": "Custom", "version": "1"}
    return Request(json=body)


def _import(db, world, principal_for) -> Request:
    form = {
        "unit_id": str(world.units["division-a"]),
        "format": "csv",
        "name": "Imported",
        "key": "imported",
        "version": "1",
    }
    return Request(files={"file": ("framework.csv", CSV, "text/csv")}, data=form)


def _reimport(db, world, principal_for) -> Request:
    framework, _ = make_framework(db, principal_for("admin"), world.units["division-a"])
    edition = b"id,parent,title,text\nR1,,Requirement R1,Text of R1\nR4,,New,\n"
    return Request(
        path={"framework_id": framework.id},
        files={"file": ("framework.csv", edition, "text/csv")},
        data={"dry_run": "false"},
    )


def _new_requirement(db, world, principal_for) -> Request:
    framework, _ = make_framework(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"framework_id": framework.id}, json={"ref_id": "R9", "title": "Added"})


def _requirement_change(db, world, principal_for) -> Request:
    _, refs = make_framework(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"requirement_id": refs["R1"]}, json={"title": "Renamed"})


def _mapping_ends(db, world, principal_for) -> dict[str, int]:
    _, refs = make_framework(db, principal_for("admin"), world.units["division-a"])
    return {"source_id": refs["R1"], "target_id": refs["R2"]}


def _new_mapping(db, world, principal_for) -> Request:
    return Request(json={**_mapping_ends(db, world, principal_for), "relationship": "equal"})


def _mapping(db, world, principal_for) -> Request:
    data = RequirementMappingCreate(
        **_mapping_ends(db, world, principal_for), relationship=MappingRelationship.SUBSET
    )
    mapping = service.create_mapping(session=db, principal=principal_for("admin"), data=data)
    return Request(path={"mapping_id": mapping.id})


def _mapping_import(db, world, principal_for) -> Request:
    framework, _ = make_framework(db, principal_for("admin"), world.units["division-a"])
    rows = (
        "source_framework,source_id,relationship,target_framework,target_id\n"
        f"{framework.key},R1,intersect,{framework.key},R3\n"
    )
    return Request(files={"file": ("mappings.csv", rows.encode(), "text/csv")})


# the sibling cannot see division-a's requirements: they are unknown references (422)
MAPPING_CREATE = statuses(401, 403, 201, 201, 422)
MAPPING_IMPORT = statuses(401, 403, 200, 200, 422)
# the sibling cannot see division-a's framework: adding to it is not found
REQUIREMENT_CREATE = statuses(401, 403, 201, 201, 404)

CASES = [
    Case("GET", "/api/v1/frameworks", LIST, _listed_framework),
    Case("POST", "/api/v1/frameworks", CREATE, _new_framework),
    Case("POST", "/api/v1/frameworks/import", CREATE, _import),
    Case("GET", "/api/v1/frameworks/{framework_id}", READ, _framework),
    Case("PATCH", "/api/v1/frameworks/{framework_id}", UPDATE, _framework),
    Case("DELETE", "/api/v1/frameworks/{framework_id}", DELETE, _framework),
    Case("POST", "/api/v1/frameworks/{framework_id}/reimport", UPDATE, _reimport),
    Case("GET", "/api/v1/frameworks/{framework_id}/requirements", READ, _framework),
    Case(
        "POST",
        "/api/v1/frameworks/{framework_id}/requirements",
        REQUIREMENT_CREATE,
        _new_requirement,
    ),
    Case("GET", "/api/v1/requirements/{requirement_id}", READ, _requirement),
    Case("PATCH", "/api/v1/requirements/{requirement_id}", UPDATE, _requirement_change),
    Case("DELETE", "/api/v1/requirements/{requirement_id}", DELETE, _requirement),
    Case("GET", "/api/v1/requirement-mappings", LIST, _listed_mapping),
    Case("POST", "/api/v1/requirement-mappings", MAPPING_CREATE, _new_mapping),
    Case("POST", "/api/v1/requirement-mappings/import", MAPPING_IMPORT, _mapping_import),
    Case("DELETE", "/api/v1/requirement-mappings/{mapping_id}", DELETE, _mapping),
]

PAGES = [
    Case("GET", "/frameworks", LIST_PAGE, _listed_framework),
    Case("GET", "/frameworks", LIST_PAGE, exported(_listed_framework, "csv"), " as CSV"),
    Case("GET", "/frameworks/import", FORM),
    Case("GET", "/frameworks/mappings/import", FORM),
    Case("GET", "/frameworks/{framework_id}", PAGE, _secret_requirement),
    Case(
        "GET",
        "/frameworks/{framework_id}",
        PAGE,
        exported(_secret_requirement, "csv"),
        " as CSV",
    ),
    Case("GET", "/frameworks/{framework_id}/tree", PAGE, _secret_requirement),
    Case("GET", "/frameworks/{framework_id}/edit", EDIT_FORM, _framework),
    Case("GET", "/frameworks/{framework_id}/requirements/new", EDIT_FORM, _framework),
    Case(
        "GET",
        "/frameworks/{framework_id}/requirements/{requirement_id}",
        PAGE,
        _secret_requirement,
    ),
    Case(
        "GET",
        "/frameworks/{framework_id}/requirements/{requirement_id}/edit",
        EDIT_FORM,
        _secret_requirement,
    ),
]
