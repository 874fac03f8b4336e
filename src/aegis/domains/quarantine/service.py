"""Listing the quarantine: the infected uploads of the units the caller administers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, in_units
from aegis.core.errors import PermissionDenied
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.quarantine.schemas import QuarantinedFileRead, QuarantineQuery
from aegis.domains.units import service as units
from aegis.domains.users import service as users
from aegis.models import QuarantinedFile

SORTABLE = {
    "uploaded_at": QuarantinedFile.uploaded_at,
    "filename": QuarantinedFile.filename,
    "signature": QuarantinedFile.signature,
}
FIELDS = (
    "id",
    "filename",
    "upload_kind",
    "signature",
    "size",
    "sha256",
    "unit_id",
    "uploaded_by_id",
    "uploaded_at",
)
KIND_LABELS = {
    "evidence": "Evidence",
    "attachment": "Attachment to a risk",
    "import": "Bulk import",
    "catalog": "Framework catalog",
    "mappings": "Requirement mappings",
}


def list_quarantined(
    *, session: Session, principal: Principal, query: QuarantineQuery
) -> Page[QuarantinedFileRead]:
    """Infected uploads meant for units the caller administers, newest first."""
    if not principal.is_admin:
        raise PermissionDenied("Only administrators may list the quarantined files")
    stmt = select(QuarantinedFile).where(in_units(QuarantinedFile.unit_id, principal.administrable))
    default = (QuarantinedFile.uploaded_at.desc(), QuarantinedFile.id.desc())
    rows, total = fetch_page(session, apply_sort(stmt, query.sort, SORTABLE, default), query)
    people = users.names_by_id(
        session=session, user_ids={r.uploaded_by_id for r in rows if r.uploaded_by_id}
    )
    unit_names = units.unit_names(
        session=session, principal=principal, unit_ids={r.unit_id for r in rows if r.unit_id}
    )
    items = [
        QuarantinedFileRead.model_validate(
            {
                **{name: getattr(row, name) for name in FIELDS},
                "upload_kind_label": KIND_LABELS.get(row.upload_kind, row.upload_kind),
                "unit_name": unit_names.get(row.unit_id) if row.unit_id else None,
                "uploaded_by_name": people.get(row.uploaded_by_id) if row.uploaded_by_id else None,
            }
        )
        for row in rows
    ]
    return Page.of(items, total, query)
