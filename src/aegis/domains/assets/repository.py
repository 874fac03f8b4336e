"""Queries of the assets domain, always scoped to the caller's units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, and_, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from aegis.core.authz import in_units
from aegis.domains.assets.schemas import AssetQuery
from aegis.domains.common.links import LinkKind
from aegis.domains.common.listing import like_pattern
from aegis.models import Asset, asset_dependencies, asset_tags


def visible(units: frozenset[int]) -> Select[Asset]:
    """Assets of these units."""
    return select(Asset).where(in_units(Asset.unit_id, units))


def filtered(units: frozenset[int], query: AssetQuery) -> Select[Asset]:
    """Assets of these units matching the filters."""
    stmt = visible(units)
    if query.q:
        pattern = like_pattern(query.q)
        stmt = stmt.where(
            or_(
                func.lower(Asset.name).like(pattern, escape="\\"),
                func.lower(Asset.ref).like(pattern, escape="\\"),
                func.lower(Asset.hostname).like(pattern, escape="\\"),
                func.lower(Asset.description).like(pattern, escape="\\"),
                Asset.ip_address == query.q.strip(),
            )
        )
    for name in (
        "unit_id",
        "type",
        "criticality",
        "environment",
        "data_classification",
        "owner_id",
    ):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Asset, name) == value)
    if query.tag:
        tagged = exists().where(
            asset_tags.c.asset_id == Asset.id, asset_tags.c.tag == query.tag.strip().lower()
        )
        stmt = stmt.where(tagged)
    return stmt


def get(
    session: Session, units: frozenset[int], asset_id: int, *, lock: bool = False
) -> Asset | None:
    """One asset of these units, optionally locked (and re-read) for an update."""
    stmt = visible(units).where(Asset.id == asset_id)
    return session.scalar(
        stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt
    )


def visible_ids(session: Session, units: frozenset[int], ids: Iterable[int]) -> set[int]:
    """Which of these asset ids belong to these units."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    stmt = select(Asset.id).where(Asset.id.in_(wanted), in_units(Asset.unit_id, units))
    return set(session.scalars(stmt))


def get_many(session: Session, units: frozenset[int], ids: Iterable[int]) -> list[Asset]:
    """The assets of these units among these ids, by name."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = visible(units).where(Asset.id.in_(wanted)).order_by(Asset.name, Asset.id)
    return list(session.scalars(stmt))


def tags_of(session: Session, asset_ids: list[int]) -> dict[int, list[str]]:
    """Tags of several assets in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    if asset_ids:
        stmt = select(asset_tags.c.asset_id, asset_tags.c.tag).where(
            asset_tags.c.asset_id.in_(asset_ids)
        )
        for asset_id, tag in session.execute(stmt.order_by(asset_tags.c.tag)):
            found[asset_id].append(tag)
    return found


def replace_tags(session: Session, asset_id: int, tags: Iterable[str]) -> None:
    """Set an asset's tags."""
    session.execute(delete(asset_tags).where(asset_tags.c.asset_id == asset_id))
    rows = [{"asset_id": asset_id, "tag": tag} for tag in sorted(set(tags))]
    if rows:
        session.execute(insert(asset_tags), rows)


DEPENDENCY_LINKS = LinkKind(
    asset_dependencies, "asset_id", "depends_on_id", lambda: select(Asset.id, Asset.unit_id)
)


def dependency_links(
    session: Session, units: frozenset[int], asset_id: int
) -> list[tuple[Asset, bool]]:
    """Assets of these units linked to an asset, in one query: (asset, is it a dependent)."""
    link = asset_dependencies.c
    stmt = (
        visible(units)
        .add_columns(link.depends_on_id == asset_id)
        .join(
            asset_dependencies,
            or_(
                and_(link.asset_id == asset_id, link.depends_on_id == Asset.id),
                and_(link.depends_on_id == asset_id, link.asset_id == Asset.id),
            ),
        )
        .order_by(Asset.name, Asset.id)
    )
    return [(asset, bool(dependent)) for asset, dependent in session.execute(stmt)]
