"""The analyst's scope and the same pages in plain SQL: the counts to check, the floor to time.

Table and column names in the SQL below are constants of this module, never input.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, bindparam, text

PAGE = 50
RANK_OF_CRITICALITY = (
    "CASE criticality WHEN 'low' THEN 1 WHEN 'medium' THEN 2 "
    "WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END"
)
LISTED = ("risks", "assets", "tasks", "controls", "evidence")


@dataclass(frozen=True)
class Scope:
    """The units a user reads (every role) and whose audit trail they read (admin, readonly)."""

    user_id: int
    readable: list[int]
    auditable: list[int]


def _in_units(sql: str, **values: Any) -> Any:
    return text(sql).bindparams(bindparam("units", expanding=True), **values)


def scope_of(engine: Engine, email: str) -> Scope:
    """Expand the user's role assignments over the unit tree, in plain SQL and Python."""
    with engine.connect() as connection:
        user_id = connection.execute(
            text("SELECT id FROM users WHERE email = :email"), {"email": email}
        ).scalar_one()
        children: dict[int, list[int]] = {}
        for unit_id, parent_id in connection.execute(text("SELECT id, parent_id FROM units")):
            children.setdefault(parent_id, []).append(unit_id)
        reach: dict[str, set[int]] = {}
        assignments = connection.execute(
            text("SELECT role, unit_id, include_children FROM role_assignments WHERE user_id = :u"),
            {"u": user_id},
        )
        for role, unit_id, include_children in assignments:
            found, stack = reach.setdefault(role, set()), [unit_id]
            while stack:
                current = stack.pop()
                found.add(current)
                stack.extend(children.get(current, []) if include_children else [])
    readable = set().union(*reach.values()) if reach else set()
    auditable = reach.get("admin", set()) | reach.get("readonly", set())
    return Scope(user_id, sorted(readable), sorted(auditable))


def counts(engine: Engine, scope: Scope, today: date) -> dict[str, int]:
    """Rows of each list in the scope, and the dashboard's open risks and overdue tasks."""
    queries = {name: _count(name) for name in LISTED}
    queries["open_risks"] = queries["risks"] + " AND status <> 'closed'"
    queries["overdue_tasks"] = (
        queries["tasks"] + " AND due_date < :today AND status NOT IN ('done', 'cancelled')"
    )
    found = {}
    with engine.connect() as connection:
        for name, sql in queries.items():
            values = {"today": today} if ":today" in sql else {}
            found[name] = int(
                connection.execute(_in_units(sql, **values), {"units": scope.readable}).scalar_one()
            )
        found["audit_events"] = int(
            connection.execute(
                _in_units(_count("audit_events")),
                {"units": scope.auditable},
            ).scalar_one()
        )
    return found


def risk_ids(engine: Engine, units: list[int], *, offset: int = 0, limit: int = PAGE) -> list[int]:
    """Ids of the scope's risks in the list's default order (by id), one page."""
    with engine.connect() as connection:
        sql = "SELECT id FROM risks WHERE unit_id IN :units ORDER BY id LIMIT :limit OFFSET :offset"
        rows = connection.execute(
            _in_units(sql), {"units": units, "limit": limit, "offset": offset}
        )
        return [int(row[0]) for row in rows]


def top_criticality_ranks(engine: Engine, units: list[int]) -> list[int]:
    """The criticality ranks of the first page of the scope's assets, most critical first."""
    sql = (
        f"SELECT {RANK_OF_CRITICALITY} FROM assets WHERE unit_id IN :units "  # noqa: S608
        f"ORDER BY {RANK_OF_CRITICALITY} DESC LIMIT :limit"
    )
    with engine.connect() as connection:
        rows = connection.execute(_in_units(sql), {"units": units, "limit": PAGE})
        return [int(row[0]) for row in rows]


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows of the main tables, whoever may see them."""
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(_count(table, scoped=False))).scalar_one())
            for table in (*LISTED, "audit_events", "units", "users")
        }


def outside_risk(engine: Engine, units: list[int]) -> int | None:
    """A risk of a unit outside the scope, if there is one."""
    with engine.connect() as connection:
        sql = "SELECT min(id) FROM risks WHERE unit_id NOT IN :units"
        found = connection.execute(_in_units(sql), {"units": units}).scalar()
        return None if found is None else int(found)


def _count(table: str, *, scoped: bool = True) -> str:
    where = " WHERE unit_id IN :units" if scoped else ""
    return f"SELECT count(*) FROM {table}{where}"  # noqa: S608


def _page(table: str, order: str) -> str:
    where = "WHERE unit_id IN :units"
    return f"SELECT * FROM {table} {where} ORDER BY {order} LIMIT :limit OFFSET :offset"  # noqa: S608


def page_queries(scope: Scope, deep_offset: int) -> dict[str, Callable[[Any, int], None]]:
    """For each timed read, the plain SQL of the same page: its count and its rows."""

    def listed(table: str, order: str, units: list[int], offset: int) -> Callable[[Any, int], None]:
        count = _in_units(_count(table))
        rows = _in_units(_page(table, order))

        def run(connection: Any, _: int) -> None:
            connection.execute(count, {"units": units}).scalar_one()
            connection.execute(rows, {"units": units, "limit": PAGE, "offset": offset}).all()

        return run

    def detail(connection: Any, risk_id: int) -> None:
        connection.execute(text("SELECT * FROM risks WHERE id = :id"), {"id": risk_id}).one()

    return {
        "risks_deep_page": listed("risks", "id", scope.readable, deep_offset),
        "audit_events": listed("audit_events", "occurred_at DESC, id DESC", scope.auditable, 0),
        "assets_by_criticality": listed(
            "assets", f"{RANK_OF_CRITICALITY} DESC, id", scope.readable, 0
        ),
        "risk_detail": detail,
    }


def time_queries(
    engine: Engine, queries: dict[str, Callable[[Any, int], None]], ids: list[int], runs: int
) -> dict[str, list[float]]:
    """Run each plain query `runs` times (after one warm-up) and keep the seconds of each."""
    timings: dict[str, list[float]] = {}
    with engine.connect() as connection:
        for name, run in queries.items():
            run(connection, ids[0])
            seconds = []
            for number in range(runs):
                started = time.perf_counter()
                run(connection, ids[number % len(ids)])
                seconds.append(time.perf_counter() - started)
            connection.rollback()
            timings[name] = seconds
    return timings
