"""The evidence: files and links that show controls work."""

from __future__ import annotations

from aegis.domains.evidence import service
from aegis.domains.evidence.schemas import EvidenceQuery, EvidenceRead
from aegis.web.listing import Action, Column, Export, Filter, ListSpec


def _latest_file(evidence: EvidenceRead) -> str | None:
    return evidence.latest_version.filename if evidence.latest_version else None


EVIDENCE = ListSpec(
    path="/evidence",
    title="Evidence",
    query=EvidenceQuery,
    fetch=service.list_evidence,
    default_sort="title",
    columns=(
        Column("title", sort="title", cell="link"),
        Column("kind", cell="choice"),
        Column("unit_id", cell="unit"),
        Column("latest_version", "Latest file", cell="file"),
        Column("expires_on", "Expires", sort="expires_on", cell="expiry"),
        Column("created_at", "Added", sort="created_at", cell="date"),
    ),
    filters=(
        Filter("q", "search", hint="Title or description"),
        Filter("kind"),
        Filter("expired", heading="Expiry", choices=(("false", "Current"), ("true", "Expired"))),
        Filter("expiring_within_days", "number", heading="Expiring within (days)"),
        Filter("control_id"),
    ),
    exports=(
        Export("title"),
        Export("unit_id", names="unit"),
        Export("kind"),
        Export("description"),
        Export("url"),
        Export("owner_id", names="user"),
        Export("expires_on"),
        Export("expired"),
        Export("control_ids", names="control"),
        Export("requirement_ids", names="requirement"),
        Export("latest_file", value=_latest_file),
        Export("version_count"),
        Export("created_at"),
        Export("updated_at"),
    ),
    empty="No evidence matches.",
    actions=(
        Action("Add a link", "/evidence/links/new"),
        Action("Upload evidence", "/evidence/new"),
    ),
    starts=(
        Action("Upload a document", "/evidence/new"),
        Action("add a link", "/evidence/links/new"),
    ),
)
