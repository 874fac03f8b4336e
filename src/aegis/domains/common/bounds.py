"""Whole numbers bounded to what the database stores: a larger one is refused naming its field."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

# the largest INTEGER of MariaDB and PostgreSQL (SQLite stores more, but the schema is shared)
MAX_INTEGER = 2_147_483_647

Id = Annotated[int, Interval(ge=1, le=MAX_INTEGER)]
"""The id of a stored object (also a version or position number counted from 1)."""

Count = Annotated[int, Interval(ge=0, le=MAX_INTEGER)]
"""A number of things, or an offset into a list."""
