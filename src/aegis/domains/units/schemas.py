"""Unit schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import MultiLine, SingleLine


class UnitCreate(BaseModel):
    """A new unit under a parent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine = Field(min_length=1, max_length=200)
    description: MultiLine = Field("", max_length=5000)
    parent_id: Id


class UnitUpdate(BaseModel):
    """Changes to a unit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: SingleLine | None = Field(None, min_length=1, max_length=200)
    description: MultiLine | None = Field(None, max_length=5000)
    parent_id: Id | None = None


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

    parent_id: Id | None = None
    q: SingleLine | None = Field(None, max_length=200)
