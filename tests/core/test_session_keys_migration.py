"""Revision 0007 names sessions by key digests: open sessions end, every row is kept both ways."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.databases import fresh_database, worker_suffix

NOW = "2026-11-30 10:00:00"


def test_upgrade_ends_open_sessions_and_downgrade_keeps_every_row(tmp_path: Path) -> None:
    engine = build_engine(fresh_database(f"aegis_session_keys_{worker_suffix()}", tmp_path))
    try:
        migrations.upgrade(engine, "0006")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, is_active, created_at, "
                    "updated_at) VALUES (3, 'ada@example.com', 'Ada', NULL, :yes, :now, :now)"
                ),
                {"now": NOW, "yes": True},
            )
            for session_id, revoked in ((1, None), (2, "2026-11-30 11:00:00")):
                connection.execute(
                    text(
                        "INSERT INTO auth_sessions (id, user_id, created_at, expires_at, "
                        "revoked_at) VALUES (:id, 3, :now, '2026-12-14 10:00:00', :revoked)"
                    ),
                    {"id": session_id, "now": NOW, "revoked": revoked},
                )
        migrations.upgrade(engine, "0007")
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, key_hash, kind, last_used_at, revoked_at FROM auth_sessions "
                    "ORDER BY id"
                )
            ).all()
        assert [(row.id, row.key_hash, row.kind) for row in rows] == [
            (1, None, "api"),
            (2, None, "api"),
        ]
        assert all(str(row.last_used_at).startswith(NOW) for row in rows)
        assert rows[0].revoked_at is not None  # the open session ended
        assert str(rows[1].revoked_at).startswith("2026-11-30 11:00:00")  # kept as it was

        migrations.downgrade(engine, "0006")
        columns = {column["name"] for column in inspect(engine).get_columns("auth_sessions")}
        assert not {"key_hash", "kind", "last_used_at", "user_agent", "client_address"} & columns
        with engine.connect() as connection:
            kept = connection.execute(
                text("SELECT id, revoked_at FROM auth_sessions ORDER BY id")
            ).all()
        assert [row.id for row in kept] == [1, 2] and all(row.revoked_at for row in kept)
    finally:
        engine.dispose()
