"""Alembic owns the schema: it upgrades, downgrades and matches the models on every engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_a_downgrade_goes_one_stamped_revision_at_a_time_and_never_upwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = build_engine(fresh_database(f"aegis_steps_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine, "0005")
        with pytest.raises(RuntimeError, match="not below"):
            migrations.downgrade(engine, "0010")
        assert migrations.current_revision(engine) == "0005"

        calls: list[str] = []
        real = migrations.command.downgrade

        def step(config: Any, revision: str) -> None:
            calls.append(revision)
            if revision == "0002":
                raise RuntimeError("refused by this revision's downgrade")
            real(config, revision)

        monkeypatch.setattr(migrations.command, "downgrade", step)
        with pytest.raises(RuntimeError, match="refused"):
            migrations.downgrade(engine, "0001")
        assert calls == ["0004", "0003", "0002"]
        assert migrations.current_revision(engine) == "0003"  # the refused step is not stamped
    finally:
        engine.dispose()


def test_object_versions_migration_keeps_data_both_ways(tmp_path: Path) -> None:
    engine = build_engine(fresh_database(f"aegis_versions_{worker_suffix()}", tmp_path))
    now = "2026-11-30 10:00:00"
    try:
        migrations.upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO units (id, name, description, created_at, updated_at) "
                    "VALUES (1, 'company', '', :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO assets (id, unit_id, name, type, criticality, environment, "
                    "data_classification, description, created_at, updated_at) VALUES "
                    "(7, 1, 'web-01', 'server', 'high', 'production', 'internal', '', :now, :now)"
                ),
                {"now": now},
            )
        migrations.upgrade(engine, "0002")
        with engine.connect() as connection:
            row = connection.execute(text("SELECT name, version FROM assets")).one()
        assert tuple(row) == ("web-01", 1)
        migrations.downgrade(engine, "0001")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM assets")).scalar_one() == "web-01"
        assert "version" not in {c["name"] for c in inspect(engine).get_columns("assets")}
    finally:
        engine.dispose()
