"""Revision 0003 adds comments and risk attachments; going back drops only them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.databases import fresh_database, worker_suffix

NOW = "2026-11-30 10:00:00"


def test_comments_migration_upgrades_and_downgrades_keeping_risks(tmp_path: Path) -> None:
    engine = build_engine(fresh_database(f"aegis_comments_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine, "0002")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO units (id, name, description, created_at, updated_at) "
                    "VALUES (1, 'company', '', :now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO risks (id, unit_id, title, description, category, status, "
                    "inherent_likelihood, inherent_impact, inherent_score, inherent_level, "
                    "treatment_plan, acceptance_justification, created_at, updated_at) VALUES "
                    "(5, 1, 'Phishing', '', 'operational', 'identified', 3, 3, 9, 'Medium', "
                    "'', '', :now, :now)"
                ),
                {"now": NOW},
            )
        migrations.upgrade(engine, "0003")
        assert {"comments", "risk_attachments"} <= set(inspect(engine).get_table_names())
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO comments (risk_id, body, created_at) VALUES (5, 'Seen', :now)"),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO risk_attachments (risk_id, filename, content_type, size, "
                    "sha256, storage_key, uploaded_at) VALUES (5, 'a.pdf', 'application/pdf', "
                    "3, :digest, 'k', :now)"
                ),
                {"now": NOW, "digest": "0" * 64},
            )
        migrations.downgrade(engine, "0002")
        tables = set(inspect(engine).get_table_names())
        assert not {"comments", "risk_attachments"} & tables
        with engine.connect() as connection:
            assert connection.execute(text("SELECT title FROM risks")).scalar_one() == "Phishing"
        migrations.upgrade(engine)
        assert migrations.is_at_head(engine)
    finally:
        engine.dispose()
