"""Asset schemas."""

from __future__ import annotations

import re
from datetime import datetime
from ipaddress import ip_address
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from aegis.domains.common.bounds import Id
from aegis.domains.common.links import hidden_links_field
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.refs import REF_HELP, Ref
from aegis.domains.common.text import MultiLine, SingleLine
from aegis.models.enums import AssetType, Criticality, DataClassification, Environment

_TAG = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,63}")


def _normal_tag(value: str) -> str:
    tag = value.strip().lower()
    if not _TAG.fullmatch(tag):
        raise ValueError("a tag is 1-64 letters, digits, '_', '.', ':' or '-'")
    return tag


Tag = Annotated[str, AfterValidator(_normal_tag)]
Hostname = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=253,
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
    ),
]


def _normal_ip(value: str) -> str:
    return str(ip_address(value.strip()))


IPAddress = Annotated[str, AfterValidator(_normal_ip)]


class AssetFields(BaseModel):
    """Fields shared by creation and update."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AssetCreate(AssetFields):
    """A new asset."""

    unit_id: Id
    ref: Ref | None = Field(None, description=REF_HELP)
    name: SingleLine = Field(min_length=1, max_length=200)
    type: AssetType
    criticality: Criticality = Criticality.MEDIUM
    owner_id: Id | None = None
    environment: Environment = Environment.PRODUCTION
    data_classification: DataClassification = DataClassification.INTERNAL
    hostname: Hostname | None = None
    ip_address: IPAddress | None = None
    description: MultiLine = Field("", max_length=20000)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    depends_on_ids: list[Id] = Field(default_factory=list, max_length=200)


class AssetUpdate(AssetFields):
    """Changes to an asset; omitted fields stay as they are."""

    unit_id: Id | None = None
    ref: Ref | None = None
    name: SingleLine | None = Field(None, min_length=1, max_length=200)
    type: AssetType | None = None
    criticality: Criticality | None = None
    owner_id: Id | None = None
    environment: Environment | None = None
    data_classification: DataClassification | None = None
    hostname: Hostname | None = None
    ip_address: IPAddress | None = None
    description: MultiLine | None = Field(None, max_length=20000)
    tags: list[Tag] | None = Field(None, max_length=50)
    depends_on_ids: list[Id] | None = Field(None, max_length=200)
    version: Id | None = Field(
        None, ge=1, description="The version you read; a save over a newer one is refused (409)"
    )


class AssetRead(BaseModel):
    """An asset as shown to its readers."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    ref: str
    name: str
    type: AssetType
    criticality: Criticality
    owner_id: int | None
    environment: Environment
    data_classification: DataClassification
    hostname: str | None
    ip_address: str | None
    description: str
    tags: list[str]
    depends_on_ids: list[int]
    hidden_links: dict[str, int] = hidden_links_field()
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Raised by every saved change; send it back to save")


class AssetDependencies(BaseModel):
    """The visible assets an asset depends on, and those that depend on it."""

    depends_on: list[AssetRead]
    dependents: list[AssetRead]


class AssetQuery(ListQuery):
    """Filters of the asset list."""

    q: SingleLine | None = Field(None, max_length=200)
    unit_id: Id | None = None
    type: AssetType | None = None
    criticality: Criticality | None = None
    environment: Environment | None = None
    data_classification: DataClassification | None = None
    owner_id: Id | None = None
    tag: SingleLine | None = Field(None, max_length=64)
