"""Control schemas and the id-list type shared by the compliance domains."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from aegis.domains.common.bounds import Id
from aegis.domains.common.links import hidden_links_field
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import MultiLine, SingleLine
from aegis.models.enums import ControlStatus

MAX_IDS = 500


def split_ids(value: Any) -> Any:
    """Accept ids as a list, a comma-separated string or repeated comma-separated strings."""
    if value is None:
        return value
    items = value if isinstance(value, list | tuple) else [value]
    found: list[Any] = []
    for item in items:
        if isinstance(item, str):
            found.extend(part.strip() for part in item.split(",") if part.strip())
        else:
            found.append(item)
    return found


IdList = Annotated[list[Id], BeforeValidator(split_ids)]
Ref = Annotated[SingleLine, Field(min_length=1, max_length=64)]


class ControlCreate(BaseModel):
    """A new control."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id
    ref: Ref
    title: SingleLine = Field(min_length=1, max_length=300)
    description: MultiLine = Field("", max_length=20000)
    owner_id: Id | None = None
    status: ControlStatus = ControlStatus.PLANNED
    requirement_ids: IdList = Field(default_factory=list, max_length=MAX_IDS)


class ControlUpdate(BaseModel):
    """Changes to a control; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id | None = None
    ref: Ref | None = None
    title: SingleLine | None = Field(None, min_length=1, max_length=300)
    description: MultiLine | None = Field(None, max_length=20000)
    owner_id: Id | None = None
    status: ControlStatus | None = None
    requirement_ids: IdList | None = Field(None, max_length=MAX_IDS)
    version: Id | None = Field(
        None, ge=1, description="The version you read; a save over a newer one is refused (409)"
    )


class ControlRead(BaseModel):
    """A control as shown to its readers."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    ref: str
    title: str
    description: str
    owner_id: int | None
    status: ControlStatus
    requirement_ids: list[int]
    hidden_links: dict[str, int] = hidden_links_field()
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Raised by every saved change; send it back to save")


class ControlQuery(ListQuery):
    """Filters of the control list."""

    q: SingleLine | None = Field(None, max_length=200)
    unit_id: Id | None = None
    status: ControlStatus | None = None
    owner_id: Id | None = None
    framework_id: Id | None = None
    requirement_id: Id | None = None
