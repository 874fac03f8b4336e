"""The kinds of objects whose names can be read by id, and a name as read."""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

RefKind = Literal[
    "user",
    "unit",
    "asset",
    "control",
    "risk",
    "task",
    "evidence",
    "assessment",
    "requirement",
    "framework",
]
KINDS: frozenset[str] = frozenset(get_args(RefKind))


class Named(NamedTuple):
    """How people call an object: its name, a detail (a title, a version) and its framework."""

    name: str
    detail: str | None = None
    framework: str | None = None
