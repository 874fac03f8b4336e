"""What each domain gives a text search: its first matches, named for people, and their count."""

from __future__ import annotations

import re
from typing import TypeVarTuple

from pydantic import BaseModel, Field
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

EXCERPT = 160  # characters of text shown around a match
ELLIPSIS = "…"
SPACES = re.compile(r"\s+")
Columns = TypeVarTuple("Columns")


class Match(BaseModel):
    """One object found by a text search: its name, where it lives and what it is."""

    id: int
    title: str
    unit_id: int | None = None
    framework_id: int | None = None
    labels: list[str] = Field(default_factory=list)
    excerpt: str = ""


class Matches(BaseModel):
    """The first matches of one kind of object and how many match in all."""

    total: int
    items: list[Match]


def first_rows(
    session: Session, stmt: Select[*Columns], limit: int, offset: int = 0
) -> tuple[list[Row[*Columns]], int]:
    """One page of rows and the total: counted only when the page does not tell it."""
    rows = list(session.execute(stmt.limit(limit).offset(offset)))
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return rows, int(total or 0)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def excerpt(text: str, found: str, limit: int = EXCERPT) -> str:
    """The part of a text around the first occurrence of `found`, on one line."""
    text = SPACES.sub(" ", text).strip()
    lowered = text.lower()
    at = lowered.find(found.strip().lower()) if len(lowered) == len(text) else -1
    if at <= limit // 3:
        return _cut(text, limit)
    start = text.find(" ", at - limit // 3, at)
    start = at - limit // 3 if start < 0 else start + 1
    return ELLIPSIS + _cut(text[start:], limit - 1)


def mentions(text: str | None, found: str) -> bool:
    """Whether a text contains the searched words, ignoring case."""
    return bool(text) and found.strip().lower() in str(text).lower()


def matched_text(found: str, title: str, *texts: str | None) -> str:
    """An excerpt of the first text mentioning the searched words, unless the title does."""
    if mentions(title, found):
        return ""
    for text in texts:
        if text and mentions(text, found):
            return excerpt(text, found)
    return ""
