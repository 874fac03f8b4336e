"""Permissions of the assessment routes."""

from __future__ import annotations

from aegis.domains.assessments import service
from aegis.domains.assessments.schemas import AssessmentUpdate, OverrideWrite
from tests.factories.assessments import make_assessment
from tests.factories.controls import insert_framework
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

VERDICT = {"status": "compliant", "justification": "Verified during the site visit"}
# readers may annotate: a read-only user's remark is kept as an auditor note
ANNOTATE = statuses(401, 201, 201, 201, 404)


def _assessment(db, world, principal_for) -> Request:
    framework, ids = insert_framework(db, world.units["company"], ("R1",))
    admin = principal_for("admin")
    assessment = make_assessment(db, admin, world.units["division-a"], framework.id)
    service.set_override(
        session=db,
        principal=admin,
        assessment_id=assessment.id,
        requirement_id=ids["R1"],
        data=OverrideWrite(**VERDICT),
    )
    path = {"assessment_id": assessment.id, "requirement_id": ids["R1"]}
    return Request(path=path, json={"status": "in_progress"})


def _listed_assessment(db, world, principal_for) -> Request:
    framework, _ = insert_framework(db, world.units["company"], ("R1",))
    make_assessment(
        db, principal_for("admin"), world.units["division-a"], framework.id, name=SECRET
    )
    return Request(secret=SECRET)


def _judged(db, world, principal_for) -> Request:
    """An assessment named with the secret, whose result carries it in its justification."""
    request = _assessment(db, world, principal_for)
    service.update_assessment(
        session=db,
        principal=principal_for("admin"),
        assessment_id=request.path["assessment_id"],
        data=AssessmentUpdate(name=SECRET),
    )
    service.set_override(
        session=db,
        principal=principal_for("admin"),
        assessment_id=request.path["assessment_id"],
        requirement_id=request.path["requirement_id"],
        data=OverrideWrite(status="compliant", justification=SECRET),
    )
    return Request(path=request.path, secret=SECRET)


def _override(db, world, principal_for) -> Request:
    return Request(path=_assessment(db, world, principal_for).path, json=VERDICT)


def _bulk(db, world, principal_for) -> Request:
    path = _assessment(db, world, principal_for).path
    return Request(path=path, json={**VERDICT, "requirement_ids": [path["requirement_id"]]})


def _owner(db, world, principal_for) -> Request:
    path = _assessment(db, world, principal_for).path
    return Request(path=path, json={"owner_id": world.users["analyst"]})


def _comment(db, world, principal_for) -> Request:
    path = _assessment(db, world, principal_for).path
    return Request(path=path, json={"body": "Sampled three tickets; all reviewed"})


def _new_assessment(db, world, principal_for) -> Request:
    framework, _ = insert_framework(db, world.units["company"], ("R1",))
    body = {"unit_id": world.units["division-a"], "framework_id": framework.id, "name": "Q1"}
    return Request(json=body)


CASES = [
    Case("GET", "/api/v1/assessments", LIST, _listed_assessment),
    Case("POST", "/api/v1/assessments", CREATE, _new_assessment),
    Case("GET", "/api/v1/assessments/{assessment_id}", READ, _assessment),
    Case("PATCH", "/api/v1/assessments/{assessment_id}", UPDATE, _assessment),
    Case("DELETE", "/api/v1/assessments/{assessment_id}", DELETE, _assessment),
    Case("GET", "/api/v1/assessments/{assessment_id}/results", READ, _assessment),
    Case("PUT", "/api/v1/assessments/{assessment_id}/results/{requirement_id}", UPDATE, _override),
    Case(
        "DELETE",
        "/api/v1/assessments/{assessment_id}/results/{requirement_id}",
        DELETE,
        _assessment,
    ),
    Case("PATCH", "/api/v1/assessments/{assessment_id}/results", UPDATE, _bulk),
    Case(
        "PUT", "/api/v1/assessments/{assessment_id}/results/{requirement_id}/owner", UPDATE, _owner
    ),
    Case("GET", "/api/v1/assessments/{assessment_id}/comments", READ, _assessment),
    Case("POST", "/api/v1/assessments/{assessment_id}/comments", ANNOTATE, _comment),
    Case(
        "GET",
        "/api/v1/assessments/{assessment_id}/results/{requirement_id}/comments",
        READ,
        _assessment,
    ),
    Case(
        "POST",
        "/api/v1/assessments/{assessment_id}/results/{requirement_id}/comments",
        ANNOTATE,
        _comment,
    ),
]

PAGES = [
    Case("GET", "/assessments", LIST_PAGE, _listed_assessment),
    Case("GET", "/assessments", LIST_PAGE, exported(_listed_assessment, "csv"), " as CSV"),
    Case("GET", "/assessments/new", FORM),
    Case("GET", "/assessments/{assessment_id}", PAGE, _judged),
    Case("GET", "/assessments/{assessment_id}", PAGE, exported(_judged, "csv"), " as CSV"),
    Case("GET", "/assessments/{assessment_id}/edit", EDIT_FORM, _assessment),
    Case("GET", "/assessments/{assessment_id}/requirements/{requirement_id}", PAGE, _judged),
]
