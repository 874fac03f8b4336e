"""Assets found by a text search."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import choice_label
from aegis.domains.assets import repository as repo
from aegis.domains.assets.schemas import AssetQuery
from aegis.domains.common.matches import Match, Matches, first_rows, matched_text
from aegis.models import Asset


def find_assets(
    *, session: Session, principal: Principal, text: str, limit: int, offset: int = 0
) -> Matches:
    """Assets of the caller's units whose name, host, address or description matches, by name."""
    stmt = repo.filtered(principal.readable, AssetQuery(q=text)).order_by(Asset.name, Asset.id)
    rows, total = first_rows(session, stmt, limit, offset)
    items = [
        Match(
            id=asset.id,
            title=asset.name,
            unit_id=asset.unit_id,
            labels=[
                choice_label(asset.type),
                f"Criticality: {choice_label(asset.criticality)}",
                *([asset.hostname] if asset.hostname else []),
            ],
            excerpt=matched_text(text, asset.name, asset.description),
        )
        for (asset,) in rows
    ]
    return Matches(total=total, items=items)
