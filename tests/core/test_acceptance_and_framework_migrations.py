"""Revisions 0008 (acceptance requests) and 0011 (framework key per unit) keep data both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
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
    key = connection.dialect.identifier_preparer.quote("key")  # a reserved word on MariaDB
    connection.execute(
        text(
            f"INSERT INTO frameworks (id, unit_id, {key}, name, version, description, source, "  # noqa: S608 (a quoted fixed name)
            "created_at, updated_at) VALUES (:id, :unit, 'iso', 'ISO', :version, '', '', "
            ":now, :now)"
        ),
        {"id": framework_id, "unit": unit_id, "version": version, "now": NOW},
    )


def _used_framework(connection) -> None:
    """Framework 7 with two requirements and an assessment: rows that reference it."""
    _framework(connection, 7, 2, "2022")
    for requirement_id, ref in ((70, "A.1"), (71, "A.2")):
        connection.execute(
            text(
                "INSERT INTO requirements (id, framework_id, ref_id, title, text, assessable, "
                "position) VALUES (:id, 7, :ref, :ref, '', true, 0)"
            ),
            {"id": requirement_id, "ref": ref},
        )
    connection.execute(
        text(
            "INSERT INTO assessments (id, unit_id, framework_id, name, description, status, "
            "created_at, updated_at) VALUES (9, 2, 7, 'Yearly', '', 'planned', :now, :now)"
        ),
        {"now": NOW},
    )


def _kept(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        requirements = connection.execute(text("SELECT count(*) FROM requirements")).scalar()
        assessments = connection.execute(text("SELECT count(*) FROM assessments")).scalar()
    return int(requirements or 0), int(assessments or 0)


def test_expired_acceptances_and_same_keyed_frameworks_survive_a_downgrade(
    tmp_path: Path,
) -> None:
    engine = build_engine(fresh_database(f"aegis_accept_fw_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine, "0010")
        with engine.begin() as connection:
            _units(connection)
            _used_framework(connection)
        migrations.upgrade(engine)
        assert "risk_acceptance_requests" in inspect(engine).get_table_names()
        assert _kept(engine) == (2, 1)  # rebuilding the frameworks table loses nothing
        with engine.begin() as connection:
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
        assert _kept(engine) == (2, 1)
        migrations.upgrade(engine)
        assert migrations.is_at_head(engine)
        assert _kept(engine) == (2, 1)
    finally:
        engine.dispose()
