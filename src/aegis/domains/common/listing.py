"""Filtering, sorting and database pagination shared by every list use case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aegis.core.errors import ValidationFailed
from aegis.domains.common.bounds import MAX_INTEGER
from aegis.domains.common.text import SingleLine

T = TypeVar("T")
MAX_LIMIT = 200


class ListQuery(BaseModel):
    """Paging and sorting accepted by every list; subclasses add their filters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_INTEGER)
    sort: SingleLine | None = Field(None, max_length=64)


class Page(BaseModel, Generic[T]):
    """One page of a list with the total number of matching rows."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[T], total: int, query: ListQuery) -> Page[T]:
        """The page of a list query: its items, the total, and the query's paging."""
        return cls(items=items, total=total, limit=query.limit, offset=query.offset)


def apply_sort(
    stmt: Select[Any], sort: str | None, columns: Mapping[str, Any], default: Sequence[Any]
) -> Select[Any]:
    """Order by `field` or `-field` among the allowed columns, then by the default order."""
    if not sort:
        return stmt.order_by(*default)
    name = sort.removeprefix("-")
    column = columns.get(name)
    if column is None:
        allowed = ", ".join(sorted(columns))
        raise ValidationFailed(f"Cannot sort by '{name}'; use one of: {allowed}", field="sort")
    ordered = column.desc() if sort.startswith("-") else column.asc()
    return stmt.order_by(ordered, *default)


def fetch_page(session: Session, stmt: Select[Any], query: ListQuery) -> tuple[list[Any], int]:
    """Return the rows of one page and the total count, both computed in the database."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(query.limit).offset(query.offset)))
    return rows, int(total or 0)


def like_pattern(text: str) -> str:
    """Turn user text into a case-insensitive LIKE pattern with wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
