"""Use cases of evidence metadata and links; files are in `files`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.core.errors import ValidationFailed
from aegis.core.storage import LocalBlobStore
from aegis.domains.common import links, versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.controls import service as controls
from aegis.domains.evidence import blobs
from aegis.domains.evidence import repository as repo
from aegis.domains.evidence.errors import EvidenceNotFound
from aegis.domains.evidence.schemas import (
    EvidenceFields,
    EvidenceLinkCreate,
    EvidenceQuery,
    EvidenceRead,
    EvidenceUpdate,
    EvidenceVersionRead,
)
from aegis.domains.evidence.search import find_evidence as find_evidence
from aegis.domains.evidence.uploads import StoredFile as StoredFile
from aegis.domains.evidence.uploads import delete_files_after_commit as delete_files_after_commit
from aegis.domains.evidence.uploads import discard_upload as discard_upload
from aegis.domains.evidence.uploads import open_download as open_download
from aegis.domains.evidence.uploads import store_upload as store_upload
from aegis.domains.users import service as users
from aegis.models import Evidence
from aegis.models.enums import EvidenceKind

FIELDS = ("unit_id", "kind", "title", "description", "url", "expires_on", "owner_id")
REQUIRED = ("unit_id", "title")
SORTABLE = {
    "title": Evidence.title,
    "created_at": Evidence.created_at,
    "expires_on": Evidence.expires_on,
    "id": Evidence.id,
}


def today() -> date:
    """The current date in UTC, against which expiry dates are compared."""
    return utcnow().date()


def read_many(session: Session, principal: Principal, items: list[Evidence]) -> list[EvidenceRead]:
    """Evidence with its links and newest version, one query per relation."""
    ids, now = [e.id for e in items], today()
    controls_of = links.load(session, repo.CONTROL_LINKS, ids, principal.readable)
    requirements_of = links.load(session, repo.REQUIREMENT_LINKS, ids, principal.shared_with)
    latest = repo.latest_versions(session, ids)
    reads = []
    for e in items:
        version, count = latest.get(e.id, (None, 0))
        reads.append(
            EvidenceRead.model_validate(
                {
                    **{f: getattr(e, f) for f in (*FIELDS, *versions.META_FIELDS)},
                    "expired": e.expires_on is not None and e.expires_on < now,
                    "control_ids": controls_of.visible.get(e.id, []),
                    "requirement_ids": requirements_of.visible.get(e.id, []),
                    "hidden_links": links.hidden_counts(
                        e.id, control_ids=controls_of, requirement_ids=requirements_of
                    ),
                    "version_count": count,
                    "latest_version": (
                        EvidenceVersionRead.model_validate(version) if version else None
                    ),
                }
            )
        )
    return reads


def audit_view(session: Session, evidence: Evidence) -> dict[str, Any]:
    """The audited fields of an evidence item with all its links, hidden ones included."""
    ids, nobody = [evidence.id], frozenset[int]()
    return snapshot(
        evidence,
        FIELDS,
        control_ids=links.load(session, repo.CONTROL_LINKS, ids, nobody).everything[evidence.id],
        requirement_ids=links.load(session, repo.REQUIREMENT_LINKS, ids, nobody).everything[
            evidence.id
        ],
    )


def list_evidence(
    *, session: Session, principal: Principal, query: EvidenceQuery
) -> Page[EvidenceRead]:
    """List the evidence of the caller's units."""
    stmt = repo.filtered(principal.readable, query, today())
    stmt = apply_sort(stmt, query.sort, SORTABLE, (Evidence.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of(read_many(session, principal, rows), total, query)


def get_visible(
    session: Session, principal: Principal, evidence_id: int, *, lock: bool = False
) -> Evidence:
    """Return an evidence item of the caller's units or raise EvidenceNotFound."""
    evidence = repo.get(session, principal.readable, evidence_id, lock=lock)
    if evidence is None:
        raise EvidenceNotFound("Evidence not found")
    return evidence


def get_evidence(*, session: Session, principal: Principal, evidence_id: int) -> EvidenceRead:
    """Return one evidence item of the caller's units."""
    return read_many(session, principal, [get_visible(session, principal, evidence_id)])[0]


def replace_links(
    session: Session, principal: Principal, evidence_id: int, values: dict[str, Any]
) -> None:
    """Set the controls and requirements the caller sent; links they cannot see are kept."""
    for name, kind, units in (
        ("control_ids", repo.CONTROL_LINKS, principal.readable),
        ("requirement_ids", repo.REQUIREMENT_LINKS, principal.shared_with),
    ):
        if values.get(name) is not None:
            links.replace_visible(session, kind, evidence_id, values[name], units)


def check_references(
    session: Session,
    principal: Principal,
    data: EvidenceFields | EvidenceUpdate,
    current: Evidence | None = None,
) -> None:
    """Raise a field error for a new owner, control or requirement the caller cannot see."""
    owner_kept = current is not None and data.owner_id == current.owner_id
    if data.owner_id is not None and not owner_kept:
        users.require_visible_user(
            session=session, principal=principal, user_id=data.owner_id, field="owner_id"
        )
    if data.control_ids:
        controls.require_visible_controls(
            session=session, principal=principal, control_ids=data.control_ids, field="control_ids"
        )
    if data.requirement_ids:
        controls.require_visible_requirements(
            session=session,
            principal=principal,
            requirement_ids=data.requirement_ids,
            field="requirement_ids",
        )


def add_evidence(
    session: Session, principal: Principal, data: EvidenceFields, kind: EvidenceKind
) -> Evidence:
    """Insert an evidence item with its links (callers check permissions and references)."""
    fields = data.model_dump(exclude={"control_ids", "requirement_ids"})
    evidence = Evidence(kind=kind.value, **fields)
    session.add(evidence)
    session.flush()
    replace_links(session, principal, evidence.id, data.model_dump())
    return evidence


def create_link(
    *, session: Session, principal: Principal, data: EvidenceLinkCreate
) -> EvidenceRead:
    """Add evidence kept elsewhere, pointed to by a URL."""
    principal.require_write(data.unit_id)
    check_references(session, principal, data)
    evidence = add_evidence(session, principal, data, EvidenceKind.LINK)
    record(
        session,
        principal,
        "create",
        "evidence",
        evidence.id,
        evidence.unit_id,
        after=audit_view(session, evidence),
    )
    return get_evidence(session=session, principal=principal, evidence_id=evidence.id)


def update_evidence(
    *, session: Session, principal: Principal, evidence_id: int, data: EvidenceUpdate
) -> EvidenceRead:
    """Change evidence metadata or links; moving it needs write access to both units."""
    evidence = get_visible(session, principal, evidence_id, lock=True)
    principal.require_write(evidence.unit_id)
    changes = data.model_dump(exclude_unset=True)
    expected = versions.expected_version(changes)
    versions.require_current(
        session, evidence, expected, entity_type="evidence", what="evidence item"
    )
    for required in REQUIRED:
        if required in changes and changes[required] is None:
            raise ValidationFailed("This field cannot be empty", field=required)
    if "url" in changes:
        if evidence.kind != EvidenceKind.LINK:
            raise ValidationFailed("Only link evidence has a URL", field="url")
        if changes["url"] is None:
            raise ValidationFailed("This field cannot be empty", field="url")
    if changes.get("unit_id") is not None:
        principal.require_write(changes["unit_id"])
    check_references(session, principal, data, evidence)
    before = audit_view(session, evidence)
    for name, value in changes.items():
        if name not in ("control_ids", "requirement_ids"):
            setattr(evidence, name, "" if name == "description" and value is None else value)
    session.flush()
    replace_links(session, principal, evidence.id, changes)
    record(
        session,
        principal,
        "update",
        "evidence",
        evidence.id,
        evidence.unit_id,
        before,
        versions.saved(session, evidence, before, audit_view(session, evidence)),
    )
    return get_evidence(session=session, principal=principal, evidence_id=evidence.id)


def delete_evidence(
    *, session: Session, principal: Principal, store: LocalBlobStore, evidence_id: int
) -> None:
    """Delete evidence with its versions; its files go once the deletion is committed."""
    evidence = get_visible(session, principal, evidence_id)
    principal.require_write(evidence.unit_id)
    before = audit_view(session, evidence)
    keys = repo.storage_keys(session, evidence.id)
    session.delete(evidence)
    session.flush()
    record(session, principal, "delete", "evidence", evidence_id, evidence.unit_id, before=before)
    blobs.delete_after_commit(session, store, keys)


class ExpiryCounts(NamedTuple):
    """Evidence expiring soon (not yet expired) and evidence already expired."""

    expiring: int
    expired: int


def count_by_expiry(
    *, session: Session, principal: Principal, today: date, within_days: int = 30
) -> ExpiryCounts:
    """Evidence of the caller's units expiring within the next days, and already expired.

    Evidence expiring today is still current; it counts as expiring, not expired.
    """
    expiring, expired = repo.expiry_counts(
        session, principal.readable, today, today + timedelta(days=within_days)
    )
    return ExpiryCounts(expiring=expiring, expired=expired)


def get_many(
    *, session: Session, principal: Principal, evidence_ids: list[int]
) -> list[EvidenceRead]:
    """The evidence of the caller's units among these ids, by title (others are left out)."""
    return read_many(session, principal, repo.get_many(session, principal.readable, evidence_ids))
