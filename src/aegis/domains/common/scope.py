"""Narrowing a list to one unit and the units below it, inside the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from aegis.models import Unit


def within_unit(column: Any, unit_id: int) -> ColumnElement[bool]:
    """SQL condition: the column holds this unit or a unit below it (a recursive query)."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("unit_tree", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    condition: ColumnElement[bool] = column.in_(select(tree.c.id))
    return condition
