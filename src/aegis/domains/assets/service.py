"""Use cases of the asset inventory."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.errors import ValidationFailed
from aegis.domains.assets import repository as repo
from aegis.domains.assets.errors import AssetNotFound
from aegis.domains.assets.schemas import (
    AssetCreate,
    AssetDependencies,
    AssetQuery,
    AssetRead,
    AssetUpdate,
)
from aegis.domains.assets.search import find_assets as find_assets
from aegis.domains.common import links, versions
from aegis.domains.common.changes import record, snapshot
from aegis.domains.common.listing import Page, apply_sort, fetch_page
from aegis.domains.common.ranks import ranked
from aegis.domains.common.refs import require_free_ref
from aegis.domains.users import service as users
from aegis.models import Asset
from aegis.models.enums import Criticality

FIELDS = (
    "unit_id",
    "ref",
    "name",
    "type",
    "criticality",
    "owner_id",
    "environment",
    "data_classification",
    "hostname",
    "ip_address",
    "description",
)
SORTABLE = {
    "name": Asset.name,
    "type": Asset.type,
    "criticality": ranked(Asset.criticality, Criticality),
    "environment": Asset.environment,
    "created_at": Asset.created_at,
    "updated_at": Asset.updated_at,
    "id": Asset.id,
}


def _read_many(session: Session, principal: Principal, assets: list[Asset]) -> list[AssetRead]:
    ids = [a.id for a in assets]
    tags = repo.tags_of(session, ids)
    deps = links.load(session, repo.DEPENDENCY_LINKS, ids, principal.readable)
    return [
        AssetRead.model_validate(
            {
                **{f: getattr(a, f) for f in (*FIELDS, *versions.META_FIELDS)},
                "tags": tags.get(a.id, []),
                "depends_on_ids": deps.visible.get(a.id, []),
                "hidden_links": links.hidden_counts(a.id, depends_on_ids=deps),
            }
        )
        for a in assets
    ]


def _audit_view(session: Session, asset: Asset) -> dict[str, Any]:
    """Every field and link of the asset, including links its editor cannot see."""
    deps = links.load(session, repo.DEPENDENCY_LINKS, [asset.id], frozenset()).everything
    tags = repo.tags_of(session, [asset.id])
    return snapshot(
        asset, FIELDS, tags=tags.get(asset.id, []), depends_on_ids=deps.get(asset.id, [])
    )


def list_assets(*, session: Session, principal: Principal, query: AssetQuery) -> Page[AssetRead]:
    """List the assets of the caller's units."""
    stmt = apply_sort(repo.filtered(principal.readable, query), query.sort, SORTABLE, (Asset.id,))
    rows, total = fetch_page(session, stmt, query)
    return Page.of(_read_many(session, principal, rows), total, query)


def _get(session: Session, principal: Principal, asset_id: int, *, lock: bool = False) -> Asset:
    asset = repo.get(session, principal.readable, asset_id, lock=lock)
    if asset is None:
        raise AssetNotFound("Asset not found")
    return asset


def get_asset(*, session: Session, principal: Principal, asset_id: int) -> AssetRead:
    """Return one asset of the caller's units."""
    return _read_many(session, principal, [_get(session, principal, asset_id)])[0]


def get_dependencies(*, session: Session, principal: Principal, asset_id: int) -> AssetDependencies:
    """What an asset depends on and what depends on it, within the caller's units."""
    _get(session, principal, asset_id)
    linked = repo.dependency_links(session, principal.readable, asset_id)
    reads = _read_many(session, principal, [asset for asset, _ in linked])
    flags = [dependent for _, dependent in linked]
    return AssetDependencies(
        depends_on=[read for read, dependent in zip(reads, flags, strict=True) if not dependent],
        dependents=[read for read, dependent in zip(reads, flags, strict=True) if dependent],
    )


def require_visible_assets(
    *, session: Session, principal: Principal, asset_ids: list[int], field: str
) -> None:
    """Raise a field error unless every asset id is visible to the caller."""
    missing = set(asset_ids) - repo.visible_ids(session, principal.readable, asset_ids)
    if missing:
        raise ValidationFailed(f"Unknown asset ids: {sorted(missing)}", field=field)


def get_assets(*, session: Session, principal: Principal, asset_ids: list[int]) -> list[AssetRead]:
    """The assets among these ids that the caller can see, by name."""
    return _read_many(session, principal, repo.get_many(session, principal.readable, asset_ids))


def _check_references(
    session: Session, principal: Principal, data: AssetCreate | AssetUpdate, asset: Asset | None
) -> None:
    owner_kept = asset is not None and data.owner_id == asset.owner_id
    if data.owner_id is not None and not owner_kept:
        users.require_visible_user(
            session=session, principal=principal, user_id=data.owner_id, field="owner_id"
        )
    if data.depends_on_ids:
        if asset is not None and asset.id in data.depends_on_ids:
            raise ValidationFailed("An asset cannot depend on itself", field="depends_on_ids")
        require_visible_assets(
            session=session,
            principal=principal,
            asset_ids=data.depends_on_ids,
            field="depends_on_ids",
        )


def create_asset(*, session: Session, principal: Principal, data: AssetCreate) -> AssetRead:
    """Add an asset to a unit the caller may change."""
    principal.require_write(data.unit_id)
    _check_references(session, principal, data, None)
    require_free_ref(
        session, Asset, unit_id=data.unit_id, ref=data.ref, except_id=None, what="asset"
    )
    asset = Asset(**data.model_dump(exclude={"tags", "depends_on_ids"}))
    session.add(asset)
    session.flush()
    repo.replace_tags(session, asset.id, data.tags)
    links.replace_visible(
        session, repo.DEPENDENCY_LINKS, asset.id, data.depends_on_ids, principal.readable
    )
    record(
        session,
        principal,
        "create",
        "asset",
        asset.id,
        asset.unit_id,
        after=_audit_view(session, asset),
    )
    return get_asset(session=session, principal=principal, asset_id=asset.id)


def update_asset(
    *, session: Session, principal: Principal, asset_id: int, data: AssetUpdate
) -> AssetRead:
    """Change an asset; moving it needs write access to both units."""
    asset = _get(session, principal, asset_id, lock=True)
    principal.require_write(asset.unit_id)
    changes = data.model_dump(exclude_unset=True)
    expected = versions.expected_version(changes)
    versions.require_current(session, asset, expected, entity_type="asset", what="asset")
    for required in (
        "unit_id",
        "ref",
        "name",
        "type",
        "criticality",
        "environment",
        "data_classification",
    ):
        if required in changes and changes[required] is None:
            raise ValidationFailed("This field cannot be empty", field=required)
    if changes.get("unit_id") is not None:
        principal.require_write(changes["unit_id"])
    _check_references(session, principal, data, asset)
    if "unit_id" in changes or "ref" in changes:
        unit_id, ref = changes.get("unit_id", asset.unit_id), changes.get("ref", asset.ref)
        require_free_ref(session, Asset, unit_id=unit_id, ref=ref, except_id=asset.id, what="asset")
    before = _audit_view(session, asset)
    for name, value in changes.items():
        if name not in ("tags", "depends_on_ids"):
            setattr(asset, name, "" if name == "description" and value is None else value)
    if changes.get("tags") is not None:
        repo.replace_tags(session, asset.id, changes["tags"])
    if changes.get("depends_on_ids") is not None:
        links.replace_visible(
            session, repo.DEPENDENCY_LINKS, asset.id, changes["depends_on_ids"], principal.readable
        )
    session.flush()
    record(
        session,
        principal,
        "update",
        "asset",
        asset.id,
        asset.unit_id,
        before,
        versions.saved(session, asset, before, _audit_view(session, asset)),
    )
    return get_asset(session=session, principal=principal, asset_id=asset.id)


def delete_asset(*, session: Session, principal: Principal, asset_id: int) -> None:
    """Delete an asset with its tags, dependencies and risk links."""
    asset = _get(session, principal, asset_id, lock=True)
    principal.require_write(asset.unit_id)
    before = _audit_view(session, asset)
    session.delete(asset)
    session.flush()
    record(session, principal, "delete", "asset", asset_id, asset.unit_id, before=before)
