"""Search schemas: what may be searched for and what is found."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aegis.domains.common.bounds import MAX_INTEGER
from aegis.domains.common.text import SingleLine

MIN_TEXT = 2
MAX_TEXT = 200
MAX_LIMIT = 50


class SearchKind(StrEnum):
    """Kinds of objects a search looks through, in the order results are shown."""

    RISK = "risk"
    ASSET = "asset"
    CONTROL = "control"
    REQUIREMENT = "requirement"
    EVIDENCE = "evidence"
    TASK = "task"


class SearchQuery(BaseModel):
    """Text to find, the kinds to look through and how many of each to return."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: SingleLine = Field(min_length=MIN_TEXT, max_length=MAX_TEXT, pattern=r"^[^\x00-\x1f\x7f]+$")
    kinds: list[SearchKind] = Field(
        default_factory=lambda: list(SearchKind),
        description="Kinds to search, comma-separated (default: all)",
    )
    limit: int = Field(5, ge=1, le=MAX_LIMIT, description="Objects returned per kind")
    offset: int = Field(0, ge=0, le=MAX_INTEGER, description="Objects of each kind to skip")

    @field_validator("kinds", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """Accept `risk,asset` as well as repeated parameters; nothing named means all."""
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            return value
        names = [name.strip().lower() for v in values for name in v.split(",") if name.strip()]
        return list(dict.fromkeys(names)) or list(SearchKind)


class SearchHit(BaseModel):
    """One object found, with a few words on where it lives and what it is."""

    kind: SearchKind
    id: int
    title: str
    context: str = Field(description="Unit or framework, then labels such as the status")
    excerpt: str = Field("", description="The matching part of its text, if not in the title")
    url: str = Field(description="The object's page in the web interface")


class KindResults(BaseModel):
    """The objects of one kind found, and how many match in all."""

    total: int
    items: list[SearchHit]


class SearchResults(BaseModel):
    """What a search found, by kind, in the order of the kinds asked for."""

    q: str
    results: dict[SearchKind, KindResults]
