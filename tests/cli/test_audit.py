"""`aegis audit verify`: the whole chain checked; the first broken link named, exit 1."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from aegis.core.settings import get_settings
from aegis.models import AuditEvent
from tests.cli.console import Aegis, said


def _ids(aegis: Aegis) -> list[int]:
    with aegis.engine.connect() as connection:
        stmt = select(AuditEvent.id).order_by(AuditEvent.chain_position)
        return list(connection.scalars(stmt))


def _tamper(aegis: Aegis, *statements: str) -> None:
    with aegis.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_an_intact_trail_passes(organisation: Aegis) -> None:
    result = organisation.ok("audit", "verify", "--batch-size", "2")
    assert "The audit trail is intact: 3 events checked" in said(result)
    seal = organisation.scalar(select(AuditEvent.chain_seal).where(AuditEvent.chain_position == 3))
    assert seal in result.output


def test_an_empty_trail_passes(migrated: Aegis) -> None:
    result = migrated.ok("audit", "verify")
    assert "no events recorded yet" in result.output


@pytest.mark.parametrize(
    ("tamper", "problem", "named", "position"),
    [
        ("UPDATE audit_events SET entity_id = entity_id + 1 WHERE id = {second}", "Edited", 1, 2),
        ("DELETE FROM audit_events WHERE id = {second}", "Deleted (gap)", 2, 3),
        (
            "UPDATE audit_events SET id = -5 WHERE id = {second};"
            "UPDATE audit_events SET id = {second} WHERE id = {third};"
            "UPDATE audit_events SET id = {third} WHERE id = -5",
            "Reordered",
            2,
            2,
        ),
    ],
    ids=["edited", "deleted", "reordered"],
)
def test_tampering_is_named_at_the_first_broken_link(
    organisation: Aegis, tamper: str, problem: str, named: int, position: int
) -> None:
    ids = _ids(organisation)
    _tamper(organisation, *tamper.format(second=ids[1], third=ids[2]).split(";"))
    result = organisation("audit", "verify")
    assert result.exit_code == 1, result.output
    output = said(result)
    assert f"The audit trail is broken: {problem.lower()}." in output
    assert f"First broken link: event #{ids[named]} recorded " in output
    assert f"position {position}: {problem}." in output


def test_another_key_is_named_as_such(organisation: Aegis, monkeypatch) -> None:
    monkeypatch.setenv("AUDIT_CHAIN_KEY", "another-key-for-the-audit-chain-0123456789")
    get_settings.cache_clear()
    result = organisation("audit", "verify")
    assert result.exit_code == 3, result.output
    assert "sealed with another key" in said(result)


def test_a_batch_size_below_one_is_refused(migrated: Aegis) -> None:
    result = migrated("audit", "verify", "--batch-size", "0")
    assert result.exit_code == 2
    assert "--batch-size" in said(result)
