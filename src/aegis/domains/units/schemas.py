"""Unit schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.listing import ListQuery


class UnitCreate(BaseModel):
    """A new unit under a parent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    parent_id: int


class UnitUpdate(BaseModel):
    """Changes to a unit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    parent_id: int | None = None


class UnitRead(BaseModel):
    """A unit as shown to its readers."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    parent_id: int | None
    created_at: datetime
    updated_at: datetime


class UnitQuery(ListQuery):
    """Filters of the unit list."""

    parent_id: int | None = None
    q: str | None = Field(None, max_length=200)
