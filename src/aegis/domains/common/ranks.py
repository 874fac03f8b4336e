"""Ordinal values (criticality, priority, stages) sort by their rank, never by their spelling.

A value's rank is its place in its enum's declared order, lowest first: sorting ascending
puts low before medium before high before critical, and `-field` reverses that; statuses
sort in the order of their stages, as their choices are listed. In SQL the rank is a CASE
expression over the stored text, the same on every engine.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, case


@cache
def ranks(values: type[StrEnum]) -> dict[str, int]:
    """Each value's rank: its place in the enum's declared order, the first is 0."""
    return {member.value: rank for rank, member in enumerate(values)}


def rank_of(value: str, values: type[StrEnum]) -> int:
    """The rank of one value; a value outside the enum ranks after all of them."""
    return ranks(values).get(value, len(values))


def ranked(column: Any, values: type[StrEnum]) -> ColumnElement[int]:
    """SQL rank of a column holding these values; anything else ranks after all of them."""
    return case(ranks(values), value=column, else_=len(values))
