"""Revisions 0008 (acceptance requests) and 0011 (framework key per unit) keep data both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.databases import fresh_database, worker_suffix

NOW = "2026-11-30 10:00:00"


def _units(connection) -> None:
    for unit_id, name in ((1, "company"), (2, "division-a"), (3, "division-b")):
        connection.execute(
            text(
                "INSERT INTO units (id, name, description, created_at, updated_at) "
                "VALUES (:id, :name, '', :now, :now)"
            ),
            {"id": unit_id, "name": name, "now": NOW},
        )


def _framework(connection, framework_id: int, unit_id: int, version: str) -> None:
    connection.execute(
        text(
            "INSERT INTO frameworks (id, unit_id, key, name, version, description, source, "
            "created_at, updated_at) VALUES (:id, :unit, 'iso', 'ISO', :version, '', '', "
            ":now, :now)"
        ),
        {"id": framework_id, "unit": unit_id, "version": version, "now": NOW},
    )


def test_expired_acceptances_and_same_keyed_frameworks_survive_a_downgrade(
    tmp_path: Path,
) -> None:
    engine = build_engine(fresh_database(f"aegis_accept_fw_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine)
        assert "risk_acceptance_requests" in inspect(engine).get_table_names()
        with engine.begin() as connection:
            _units(connection)
            _framework(connection, 7, 2, "2022")
            _framework(connection, 8, 3, "2022")  # the same key and version in another unit
            connection.execute(
                text(
                    "INSERT INTO risks (id, unit_id, ref, title, description, category, status, "
                    "inherent_likelihood, inherent_impact, inherent_score, inherent_level, "
                    "treatment_plan, acceptance_justification, acceptance_expires_on, "
                    "created_at, updated_at) VALUES (5, 2, 'R-5', 'Phishing', '', 'operational', "
                    "'acceptance_expired', 3, 3, 9, 'Medium', '', 'Cheap', '2026-01-31', "
                    ":now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO risk_acceptance_requests (risk_id, status, justification, "
                    "expires_on, requested_at, decision_comment) VALUES "
                    "(5, 'approved', 'Cheap', '2026-01-31', :now, '')"
                ),
                {"now": NOW},
            )
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _framework(connection, 9, 2, "2022")  # still unique within one unit

        migrations.downgrade(engine, "0007")
        assert "risk_acceptance_requests" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            versions = connection.execute(
                text("SELECT id, version FROM frameworks ORDER BY id")
            ).all()
            risk = connection.execute(text("SELECT status, acceptance_expires_on FROM risks")).one()
        assert [tuple(row) for row in versions] == [(7, "2022"), (8, "2022~8")]
        assert risk[0] == "accepted" and str(risk[1]) == "2026-01-31"
        migrations.upgrade(engine)
        assert migrations.is_at_head(engine)
    finally:
        engine.dispose()
