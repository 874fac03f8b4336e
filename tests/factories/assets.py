"""Asset builders."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.assets import service
from aegis.domains.assets.schemas import AssetCreate, AssetRead


def make_asset(db: Session, principal: Principal, unit_id: int, **fields: Any) -> AssetRead:
    """Create an asset in a unit (defaults: a production server)."""
    data = {"name": "web-01", "type": "server", "unit_id": unit_id, **fields}
    return service.create_asset(session=db, principal=principal, data=AssetCreate(**data))
