"""Creating frameworks from OSCAL catalogs, CSV files and the catalogs shipped with Aegis."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.common.changes import record
from aegis.domains.frameworks import repository as repo
from aegis.domains.frameworks.errors import CatalogLoaded, FrameworkExists
from aegis.domains.frameworks.formats import read_import
from aegis.domains.frameworks.oscal import parse_catalog
from aegis.domains.frameworks.reading import audit_view, checked_create, framework_reads
from aegis.domains.frameworks.schemas import FrameworkCreate, FrameworkRead, ImportFormat
from aegis.domains.frameworks.tabular import parse_requirements
from aegis.domains.frameworks.tree import Node
from aegis.domains.units import service as units
from aegis.models import Framework


@dataclass(frozen=True)
class ShippedCatalog:
    """An OSCAL catalog in the package and the framework it becomes."""

    filename: str
    key: str
    name: str
    version: str


SHIPPED = (
    ShippedCatalog(
        "NIST_CSF_v2.0_catalog.json", "nist-csf", "NIST Cybersecurity Framework 2.0", "2.0"
    ),
    ShippedCatalog(
        "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json",
        "nist-sp-800-53-high",
        "NIST SP 800-53 Rev. 5.1.1 HIGH baseline",
        "5.1.1",
    ),
    ShippedCatalog(
        "NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog-min.json",
        "nist-sp-800-53-privacy",
        "NIST SP 800-53 Rev. 5.1.1 PRIVACY baseline",
        "5.1.1",
    ),
)


def slug(text: str) -> str:
    """A framework key made from a title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100].strip("-") or "framework"


def _refuse_if_loaded(
    session: Session, principal: Principal | None, data: FrameworkCreate, catalog_uuid: str | None
) -> None:
    """Refuse a catalog already loaded where the caller sees it: same OSCAL uuid, or key+version.

    A framework in units the caller cannot see is not a conflict (nor ever mentioned).
    """
    found = repo.by_catalog_uuid(session, principal, catalog_uuid) if catalog_uuid else None
    found = found or repo.shared_key_version(session, principal, data.key, data.version)
    if found is None:
        return
    may_update = principal is None or found.unit_id in principal.writable
    how = (
        "update it in place instead of importing it again"
        if may_update
        else "only people who may change it can update it; give another key or version"
    )
    raise CatalogLoaded(
        f"'{found.name}' version '{found.version}' (key '{found.key}') is already loaded: {how}",
        framework_id=found.id,
        may_update=may_update,
    )


def _store(
    session: Session,
    principal: Principal | None,
    data: FrameworkCreate,
    nodes: list[Node],
    how: str,
    catalog_uuid: str | None = None,
) -> FrameworkRead:
    """Write a framework and its requirements in a savepoint, all or nothing."""
    if principal is not None:
        principal.require_write(data.unit_id)
    else:
        units.resolve_unit_ref(session=session, ref=str(data.unit_id))
    _refuse_if_loaded(session, principal, data, catalog_uuid)
    framework = Framework(**data.model_dump(), catalog_uuid=catalog_uuid)
    try:
        with session.begin_nested():
            session.add(framework)
            session.flush()
            repo.insert_tree(session, framework.id, nodes)
    except IntegrityError as exc:
        message = f"Framework '{data.key}' version '{data.version}' is already loaded"
        raise FrameworkExists(message, details=[{"field": "version", "message": message}]) from exc
    after = audit_view(framework, requirements=len(nodes), imported_from=how)
    record(session, principal, "create", "framework", framework.id, framework.unit_id, after=after)
    return framework_reads(session, [framework])[0]


def import_file(
    *,
    session: Session,
    principal: Principal | None,
    unit_id: int,
    content: bytes,
    filename: str,
    format: ImportFormat | None = None,
    key: str | None = None,
    name: str | None = None,
    version: str | None = None,
) -> FrameworkRead:
    """Create a framework from an OSCAL catalog or a requirements CSV, told apart by content.

    A CSV needs a name, key and version; an OSCAL catalog's default to its title and version.
    A catalog already loaded is refused with CatalogLoaded naming the framework to update.
    """
    read = read_import(content, filename, format)
    if read.format is ImportFormat.CSV:
        given = {"name": name, "key": key, "version": version}
        missing = [name for name, value in given.items() if not value]
        if missing:
            raise ValidationFailed(
                f"A CSV file needs {', '.join(missing)}",
                details=[{"field": name, "message": "Required for a CSV file"} for name in missing],
            )
    data = checked_create(
        unit_id=unit_id,
        key=key or slug(read.title),
        name=(name or read.title)[:300],
        version=version or read.version,
        description=read.remarks[:20000],
        source=filename[:500],
    )
    return _store(session, principal, data, read.nodes, read.format.value, read.uuid)


def import_oscal_catalog(
    *,
    session: Session,
    principal: Principal | None,
    unit_id: int,
    content: bytes,
    source: str,
    key: str | None = None,
    name: str | None = None,
    version: str | None = None,
) -> FrameworkRead:
    """Create a framework from an OSCAL catalog; key, name and version default to its metadata."""
    catalog = parse_catalog(content)
    data = checked_create(
        unit_id=unit_id,
        key=key or slug(catalog.title),
        name=(name or catalog.title)[:300],
        version=version or catalog.version,
        description=catalog.remarks[:20000],
        source=source[:500],
    )
    return _store(session, principal, data, catalog.nodes, "oscal", catalog.uuid)


def import_csv(
    *,
    session: Session,
    principal: Principal | None,
    unit_id: int,
    content: bytes,
    name: str,
    key: str,
    version: str,
    source: str = "",
    description: str = "",
) -> FrameworkRead:
    """Create a framework from a requirements CSV (see `tabular` for the format)."""
    data = checked_create(
        unit_id=unit_id,
        key=key,
        name=name,
        version=version,
        description=description,
        source=source[:500],
    )
    return _store(session, principal, data, parse_requirements(content), "csv")


def load_shipped_frameworks(*, session: Session, unit_id: int) -> list[FrameworkRead]:
    """Load the shipped catalogs not loaded yet into a unit; return every shipped framework."""
    loaded: list[FrameworkRead] = []
    folder = resources.files("aegis") / "data" / "oscal"
    for item in SHIPPED:
        existing = repo.by_key_version(session, item.key, item.version)
        if existing is not None:
            loaded.extend(framework_reads(session, [existing]))
            continue
        loaded.append(
            import_oscal_catalog(
                session=session,
                principal=None,
                unit_id=unit_id,
                content=(folder / item.filename).read_bytes(),
                source=f"NIST OSCAL content (public domain): {item.filename}",
                key=item.key,
                name=item.name,
                version=item.version,
            )
        )
    return loaded
