"""Readiness checks: the database answers and its schema is at the newest migration."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from aegis.core.db import reading
from aegis.core.migrations import current_revision, head_revision


def readiness(engine: Engine) -> dict[str, str]:
    """{check: "ok" or what is wrong} for the database and the migrations."""
    checks: dict[str, str] = {}
    try:
        with reading(engine).connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current, head = current_revision(engine), head_revision(engine)
        checks["migrations"] = "ok" if current == head else f"at {current}, expected {head}"
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
        checks["migrations"] = "unknown"
    return checks
