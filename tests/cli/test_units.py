"""`aegis units`: the organisational tree from the console."""

from __future__ import annotations

import re

from sqlalchemy import select

from aegis.models import AuditEvent, Unit
from tests.cli.console import Aegis, lines


def test_create_the_root_and_units_below_it(migrated: Aegis) -> None:
    root = migrated.ok("units", "create", "--name", "Company", "--description", "The group")
    match = re.fullmatch(r"Created unit (\d+) 'Company'\n", root.output)
    assert match, root.output
    root_id = int(match.group(1))

    migrated.ok("units", "create", "--name", "Division", "--parent", "Company")
    by_id = migrated.ok("units", "create", "--name", "Lab", "--parent", str(root_id))
    assert "'Lab'" in by_id.output

    assert migrated.scalar(select(Unit.parent_id).where(Unit.id == root_id)) is None
    children = migrated.count(Unit, Unit.parent_id == root_id)
    assert children == 2
    assert migrated.count(AuditEvent, AuditEvent.entity_type == "unit") == 3


def test_a_second_root_is_refused(migrated: Aegis) -> None:
    migrated.ok("units", "create", "--name", "Company")
    second = migrated("units", "create", "--name", "Other Company")
    assert second.exit_code == 1
    assert "Error: The root unit already exists" in second.output
    assert migrated.count(Unit) == 1


def test_a_child_needs_an_existing_parent(migrated: Aegis) -> None:
    migrated.ok("units", "create", "--name", "Company")
    orphan = migrated("units", "create", "--name", "Division", "--parent", "Nowhere")
    assert orphan.exit_code == 1
    assert "Error: No unit 'Nowhere'" in orphan.output
    assert migrated.count(Unit) == 1


def test_a_duplicate_sibling_is_refused(migrated: Aegis) -> None:
    migrated.ok("units", "create", "--name", "Company")
    migrated.ok("units", "create", "--name", "Division", "--parent", "Company")
    again = migrated("units", "create", "--name", "Division", "--parent", "Company")
    assert again.exit_code == 1
    assert "already exists under that parent" in again.output
    assert migrated.count(Unit) == 2


def test_list_prints_the_tree_indented(organisation: Aegis) -> None:
    organisation.ok("units", "create", "--name", "Audit", "--parent", "Company")
    listed = organisation.ok("units", "list")
    rows = [re.fullmatch(r"( *)(\d+)\t(.+)", line) for line in lines(listed)]
    assert all(rows), listed.output
    tree = [(len(m.group(1)), m.group(3)) for m in rows if m]
    assert tree == [(0, "Company"), (2, "Audit"), (2, "Division"), (4, "Team")]


def test_list_on_an_empty_tree_prints_nothing(migrated: Aegis) -> None:
    assert migrated.ok("units", "list").output == ""
