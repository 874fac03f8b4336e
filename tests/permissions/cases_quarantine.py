"""Permissions of the quarantine: administrators list it; nobody can fetch a file from it."""

from __future__ import annotations

from aegis.models import QuarantinedFile
from tests.permissions import Case, Request, statuses


def _quarantined(db, world, principal_for) -> Request:
    db.add(
        QuarantinedFile(
            filename="x.pdf",
            upload_kind="evidence",
            signature="Eicar-Test-Signature",
            size=68,
            sha256="0" * 64,
            storage_key="0" * 32,
            unit_id=world.units["division-a"],
            uploaded_by_id=world.users["analyst"],
        )
    )
    db.flush()
    return Request()


CASES = [
    Case("GET", "/api/v1/quarantine", statuses(401, 403, 403, 200, 403), _quarantined),
]
