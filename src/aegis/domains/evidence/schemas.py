"""Evidence schemas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, BinaryIO
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from aegis.domains.common.bounds import Id
from aegis.domains.common.links import hidden_links_field
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import MultiLine, SingleLine
from aegis.domains.controls.schemas import MAX_IDS, IdList
from aegis.models.enums import EvidenceKind


def _http_url(value: str) -> str:
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("The URL must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("Only http and https URLs with a host are accepted")
    return value


HttpUrl = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_http_url)]


class EvidenceFields(BaseModel):
    """Fields every new evidence item has, whether a file or a link."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id
    title: SingleLine = Field(min_length=1, max_length=300)
    description: MultiLine = Field("", max_length=20000)
    expires_on: date | None = None
    owner_id: Id | None = None
    control_ids: IdList = Field(default_factory=list, max_length=MAX_IDS)
    requirement_ids: IdList = Field(default_factory=list, max_length=MAX_IDS)


class EvidenceFileCreate(EvidenceFields):
    """New file evidence; the file itself travels beside these fields."""


class EvidenceLinkCreate(EvidenceFields):
    """New evidence kept elsewhere, pointed to by an http(s) URL."""

    url: HttpUrl


class EvidenceUpdate(BaseModel):
    """Changes to evidence; omitted fields stay as they are (url only for links)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id | None = None
    title: SingleLine | None = Field(None, min_length=1, max_length=300)
    description: MultiLine | None = Field(None, max_length=20000)
    expires_on: date | None = None
    owner_id: Id | None = None
    url: HttpUrl | None = None
    control_ids: IdList | None = Field(None, max_length=MAX_IDS)
    requirement_ids: IdList | None = Field(None, max_length=MAX_IDS)
    version: Id | None = Field(
        None, ge=1, description="The version you read; a save over a newer one is refused (409)"
    )


class EvidenceVersionRead(BaseModel):
    """One stored file of an evidence item."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_at: datetime


class EvidenceRead(BaseModel):
    """Evidence as shown to its readers; `expired` is true once the expiry date has passed."""

    id: int
    unit_id: int
    kind: EvidenceKind
    title: str
    description: str
    url: str | None
    expires_on: date | None
    expired: bool
    owner_id: int | None
    control_ids: list[int]
    requirement_ids: list[int]
    hidden_links: dict[str, int] = hidden_links_field()
    version_count: int
    latest_version: EvidenceVersionRead | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Raised by every saved change; send it back to save")


class EvidenceQuery(ListQuery):
    """Filters of the evidence list."""

    q: SingleLine | None = Field(None, max_length=200)
    unit_id: Id | None = None
    control_id: Id | None = None
    requirement_id: Id | None = None
    expired: bool | None = None
    expiring_within_days: int | None = Field(
        None, ge=0, le=3650, description="Expiring from today to this many days ahead, inclusive"
    )
    within_unit_id: Id | None = Field(None, description="This unit and the units below it")
    kind: EvidenceKind | None = None


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the client gave and a stream of its content."""

    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class Download:
    """A stored file ready to be sent: headers and a stream of chunks."""

    filename: str
    content_type: str
    content_disposition: str
    size: int
    sha256: str
    chunks: Iterator[bytes]
