"""Assets of the inventory, their tags and the dependencies between them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from aegis.core.db import Base, TimestampMixin, VersionMixin
from aegis.models.refs import REF_LENGTH, number_automatically


class Asset(VersionMixin, TimestampMixin, Base):
    """Something of value to protect: a system, application, data store, vendor."""

    __tablename__ = "assets"
    __table_args__ = (Index("uq_assets_unit_id_ref", "unit_id", "ref", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH))
    name: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(32))
    criticality: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    environment: Mapped[str] = mapped_column(String(16))
    data_classification: Mapped[str] = mapped_column(String(16))
    hostname: Mapped[str | None] = mapped_column(String(253))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    description: Mapped[str] = mapped_column(Text, default="")


number_automatically(Asset, "A")


asset_tags = Table(
    "asset_tags",
    Base.metadata,
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(64), primary_key=True, index=True),
)

asset_dependencies = Table(
    "asset_dependencies",
    Base.metadata,
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("depends_on_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
)
