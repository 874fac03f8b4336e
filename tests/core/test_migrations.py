"""Alembic owns the schema: it upgrades, downgrades and matches the models on every engine."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from aegis.core import migrations
from aegis.core.db import Base, build_engine
from tests.databases import fresh_database, worker_suffix


def test_upgrade_downgrade_upgrade_and_no_drift(tmp_path: Path) -> None:
    engine = build_engine(fresh_database(f"aegis_migrations_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine)
        assert migrations.is_at_head(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"users", "units", "risks", "assets", "audit_events"} <= tables

        migrations.downgrade(engine, "base")
        assert migrations.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrations.upgrade(engine)
        assert migrations.is_at_head(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
