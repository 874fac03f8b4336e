"""The revision adding owners and comments to assessments keeps the assessments both ways."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import column, insert, inspect, table, text

from aegis.core import migrations
from aegis.core.db import build_engine
from tests.databases import fresh_database, worker_suffix

NOW = "2026-11-30 10:00:00"
# rows as they stood before the revision, written with quoting fit for every engine
ROWS = (
    (
        "units",
        {"id": 1, "name": "company", "description": "", "created_at": NOW, "updated_at": NOW},
    ),
    (
        "users",
        {"id": 1, "email": "a@example.com", "name": "Ann", "is_active": True, "created_at": NOW}
        | {"updated_at": NOW},
    ),
    (
        "frameworks",
        {"id": 1, "unit_id": 1, "key": "f", "name": "Framework", "version": "1"}
        | {"description": "", "source": "", "created_at": NOW, "updated_at": NOW},
    ),
    (
        "requirements",
        {"id": 1, "framework_id": 1, "ref_id": "R1", "title": "First", "text": ""}
        | {"assessable": True, "position": 0},
    ),
    (
        "assessments",
        {"id": 1, "unit_id": 1, "framework_id": 1, "name": "Annual", "description": ""}
        | {"status": "planned", "created_at": NOW, "updated_at": NOW},
    ),
    (
        "assessment_results",
        {"id": 1, "assessment_id": 1, "requirement_id": 1, "status": "compliant"}
        | {"justification": "Checked by hand", "decided_by_id": 1, "decided_at": NOW},
    ),
)


def _insert(connection, name: str, values: dict) -> None:
    connection.execute(insert(table(name, *(column(c) for c in values))).values(values))


def _revisions(engine) -> tuple[str, str]:
    """This revision and the one before it, found by the file's name."""
    script = ScriptDirectory.from_config(migrations.alembic_config(engine))
    for revision in script.walk_revisions():
        if Path(revision.path).name.endswith("-assessment_work.py"):
            return revision.revision, str(revision.down_revision)
    raise AssertionError("the assessment work revision is missing")


def test_owners_and_comments_come_and_go_keeping_assessments(tmp_path: Path) -> None:
    engine = build_engine(fresh_database(f"aegis_assessment_work_{worker_suffix()}", tmp_path))
    try:
        this, before = _revisions(engine)
        migrations.upgrade(engine, before)
        with engine.begin() as connection:
            for name, values in ROWS:
                _insert(connection, name, values)
        migrations.upgrade(engine, this)
        with engine.begin() as connection:
            _insert(
                connection,
                "assessment_owners",
                {"assessment_id": 1, "requirement_id": 1, "owner_id": 1, "assigned_at": NOW},
            )
            _insert(
                connection,
                "assessment_comments",
                {"assessment_id": 1, "requirement_id": 1, "kind": "auditor_note", "author_id": 1}
                | {"body": "Seen", "created_at": NOW},
            )
        migrations.downgrade(engine, before)
        tables = set(inspect(engine).get_table_names())
        assert not {"assessment_owners", "assessment_comments"} & tables
        with engine.connect() as connection:
            kept = connection.execute(
                text(
                    "SELECT a.name, r.status, r.justification FROM assessments a "
                    "JOIN assessment_results r ON r.assessment_id = a.id"
                )
            ).one()
        assert tuple(kept) == ("Annual", "compliant", "Checked by hand")
        migrations.upgrade(engine)
        assert migrations.is_at_head(engine)
    finally:
        engine.dispose()
