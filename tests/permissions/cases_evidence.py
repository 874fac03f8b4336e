"""Permissions of the evidence routes; auditors (readonly) may download."""

from __future__ import annotations

from aegis.core.storage import LocalBlobStore
from tests.factories.evidence import PDF, make_file, make_link
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
    current_app,
    exported,
    statuses,
)


def _app_store() -> LocalBlobStore:
    """The blob store of the application under test."""
    store: LocalBlobStore = current_app().state.blob_store
    return store


def _file(db, world, principal_for) -> Request:
    evidence = make_file(db, principal_for("admin"), _app_store(), world.units["division-a"])
    return Request(
        path={"evidence_id": evidence.id, "number": 1},
        files={"file": ("v2.pdf", PDF + b"v2", "application/pdf")},
    )


def _link(db, world, principal_for) -> Request:
    link = make_link(db, principal_for("admin"), world.units["division-a"])
    return Request(path={"evidence_id": link.id}, json={"title": "Renamed"})


def _listed_link(db, world, principal_for) -> Request:
    make_link(db, principal_for("admin"), world.units["division-a"], title=SECRET)
    return Request(secret=SECRET)


def _new_upload(db, world, principal_for) -> Request:
    return Request(
        files={"file": ("policy.pdf", PDF, "application/pdf")},
        data={"title": "Policy", "unit_id": str(world.units["division-a"])},
    )


def _new_link(db, world, principal_for) -> Request:
    body = {"title": "Wiki", "unit_id": world.units["division-a"], "url": "https://wiki.example"}
    return Request(json=body)


UPLOAD_VERSION = statuses(401, 403, 201, 201, 404)

CASES = [
    Case("GET", "/api/v1/evidence", LIST, _listed_link),
    Case("POST", "/api/v1/evidence", CREATE, _new_upload),
    Case("POST", "/api/v1/evidence/links", CREATE, _new_link),
    Case("GET", "/api/v1/evidence/{evidence_id}", READ, _link),
    Case("PATCH", "/api/v1/evidence/{evidence_id}", UPDATE, _link),
    Case("DELETE", "/api/v1/evidence/{evidence_id}", DELETE, _file),
    Case("GET", "/api/v1/evidence/{evidence_id}/versions", READ, _file),
    Case("POST", "/api/v1/evidence/{evidence_id}/versions", UPLOAD_VERSION, _file),
    Case("GET", "/api/v1/evidence/{evidence_id}/download", READ, _file),
    Case("GET", "/api/v1/evidence/{evidence_id}/versions/{number}/download", READ, _file),
]

PAGES = [
    Case("GET", "/evidence", LIST_PAGE, _listed_link),
    Case("GET", "/evidence", LIST_PAGE, exported(_listed_link, "csv"), " as CSV"),
    Case("GET", "/evidence/new", FORM),
    Case("GET", "/evidence/links/new", FORM),
    Case("GET", "/evidence/{evidence_id}", PAGE, _file),
    Case("GET", "/evidence/{evidence_id}/edit", EDIT_FORM, _link),
    Case("GET", "/evidence/{evidence_id}/versions", EDIT_FORM, _file),
    Case("GET", "/evidence/{evidence_id}/download", PAGE, _file),
    Case("GET", "/evidence/{evidence_id}/versions/{number}/download", PAGE, _file),
]
