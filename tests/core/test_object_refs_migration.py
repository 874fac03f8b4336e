"""The object refs revision numbers existing assets, risks and tasks; going back keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.databases import fresh_database, worker_suffix

NOW = "2026-11-30 10:00:00"
REVISION = Path(__file__).resolve().parents[2] / "migrations/versions/2026_11_30-object_refs.py"


def _revisions() -> tuple[str, str]:
    """This revision and the one before it, as the file names them."""
    values = {}
    for line in REVISION.read_text().splitlines():
        for name in ("revision", "down_revision"):
            if line.startswith(f"{name}: "):
                values[name] = line.split("=")[1].strip().strip('"')
    return values["revision"], values["down_revision"]


def test_existing_rows_get_refs_from_their_ids_and_keep_their_data_both_ways(tmp_path: Path):
    this, before = _revisions()
    engine = build_engine(fresh_database(f"aegis_refs_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine, before)
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
                    "INSERT INTO assets (id, unit_id, name, type, criticality, environment, "
                    "data_classification, description, created_at, updated_at) VALUES "
                    "(7, 1, 'web-01', 'server', 'high', 'production', 'internal', '', :now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(text("INSERT INTO asset_tags (asset_id, tag) VALUES (7, 'pci')"))
            connection.execute(
                text(
                    "INSERT INTO risks (id, unit_id, title, description, category, status, "
                    "inherent_likelihood, inherent_impact, inherent_score, inherent_level, "
                    "treatment_plan, acceptance_justification, created_at, updated_at) VALUES "
                    "(1234567, 1, 'Phishing', '', 'operational', 'identified', 3, 3, 9, 'Medium', "
                    "'', '', :now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO tasks (id, unit_id, title, description, kind, status, priority, "
                    "risk_id, created_at, updated_at) VALUES (3, 1, 'Train staff', '', "
                    "'remediation', 'open', 'high', 1234567, :now, :now)"
                ),
                {"now": NOW},
            )
        migrations.upgrade(engine, this)
        with engine.connect() as connection:
            refs = [
                connection.execute(text("SELECT ref FROM assets")).scalar_one(),
                connection.execute(text("SELECT ref FROM risks")).scalar_one(),
                connection.execute(text("SELECT ref FROM tasks")).scalar_one(),
            ]
        assert refs == ["A-000007", "R-1234567", "T-000003"]
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO assets (id, unit_id, ref, name, type, criticality, environment, "
                    "data_classification, description, created_at, updated_at) VALUES (8, 1, "
                    "'A-000007', 'web-02', 'server', 'high', 'production', 'internal', '', "
                    ":now, :now)"
                ),
                {"now": NOW},
            )
        migrations.downgrade(engine, before)
        for table in ("assets", "risks", "tasks"):
            assert "ref" not in {c["name"] for c in inspect(engine).get_columns(table)}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM assets")).scalar_one() == "web-01"
            assert connection.execute(text("SELECT tag FROM asset_tags")).scalar_one() == "pci"
            assert connection.execute(text("SELECT title FROM tasks")).scalar_one() == "Train staff"
        migrations.upgrade(engine)
        assert migrations.is_at_head(engine)
    finally:
        engine.dispose()
