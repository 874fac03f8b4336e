"""`aegis db`: the schema revision from an empty database to head, down to base and back."""

from __future__ import annotations

from aegis.core import migrations
from tests.cli.console import Aegis, lines, said


def test_current_on_an_empty_database_says_base_and_fails(aegis: Aegis) -> None:
    result = aegis("db", "current")
    assert result.exit_code == 1, result.output
    current, head = lines(result)
    assert current == "current: base (empty)"
    assert head.split() == ["head:", str(migrations.head_revision(aegis.engine))]
    assert aegis.tables() == set()  # looking changed nothing


def test_upgrade_downgrade_and_upgrade_again(aegis: Aegis) -> None:
    head = migrations.head_revision(aegis.engine)
    assert head

    upgraded = aegis.ok("db", "upgrade")
    assert lines(upgraded) == [f"Database at revision {head}"]
    assert {"units", "users", "role_assignments", "audit_events"} <= aegis.tables()
    current = aegis.ok("db", "current")
    assert lines(current) == [f"current: {head}", f"head:    {head}"]

    downgraded = aegis.ok("db", "downgrade", "base")
    assert lines(downgraded) == ["Database at revision base"]
    assert aegis.tables() <= {"alembic_version"}  # every application table is gone
    assert aegis("db", "current").exit_code == 1

    aegis.ok("db", "upgrade")
    assert aegis.ok("db", "current").output.startswith(f"current: {head}\n")
    aegis.ok("units", "create", "--name", "Company")  # the rebuilt schema is usable


def test_upgrade_twice_is_a_no_op(migrated: Aegis) -> None:
    tables = migrated.tables()
    migrated.ok("db", "upgrade")
    assert migrated.tables() == tables
    assert migrated("db", "current").exit_code == 0


def test_downgrade_needs_a_target(migrated: Aegis) -> None:
    result = migrated("db", "downgrade")
    assert result.exit_code == 2
    assert "Missing argument" in said(result)
    assert migrated("db", "current").exit_code == 0  # the schema is untouched


def test_data_commands_before_upgrade_tell_the_operator_what_to_do(aegis: Aegis) -> None:
    result = aegis("units", "create", "--name", "Company")
    assert result.exit_code == 1
    assert "aegis db upgrade" in said(result)
