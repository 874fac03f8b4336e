"""`aegis users erase EMAIL`: an operator erases a disabled user's personal data."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aegis.models import AuditEvent, User
from tests.cli.console import PASSWORD, Aegis, said

EMAIL = "ada.lovelace@example.com"


def _create(aegis: Aegis) -> int:
    aegis.ok(
        "users", "create", "--email", EMAIL, "--name", "Ada Lovelace", "--role", "analyst",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    return int(aegis.scalar(select(User.id).where(User.email == EMAIL)))


def _disable(aegis: Aegis, user_id: int) -> None:
    """As an administrator does on the user's page."""
    with Session(aegis.engine) as session, session.begin():
        session.execute(update(User).where(User.id == user_id).values(is_active=False))


def test_erase_renames_the_user_removes_the_password_and_keeps_the_trail_intact(
    organisation: Aegis,
) -> None:
    user_id = _create(organisation)
    _disable(organisation, user_id)
    events = organisation.count(AuditEvent, AuditEvent.entity_id == user_id)

    result = organisation.ok("users", "erase", EMAIL.upper(), "--yes")

    text = said(result)
    assert f"now 'Former user #{user_id}' <former-user-{user_id}@erased.invalid>" in text
    assert "Their records and the audit trail stay" in text
    with Session(organisation.engine) as session:
        user = session.get(User, user_id)
        assert (user.name, user.password_hash) == (f"Former user #{user_id}", None)
    assert not organisation.can_sign_in(EMAIL, PASSWORD)
    assert organisation.count(AuditEvent, AuditEvent.action == "erase") == 1
    assert organisation.count(AuditEvent, AuditEvent.entity_id == user_id) == events + 1
    assert "intact" in said(organisation.ok("audit", "verify"))
    gone = organisation("users", "erase", EMAIL, "--yes")
    assert gone.exit_code == 1 and f"Error: No user <{EMAIL}>" in said(gone)


def test_an_active_user_is_refused_and_nothing_changes(organisation: Aegis) -> None:
    user_id = _create(organisation)
    refused = organisation("users", "erase", EMAIL, "--yes")
    assert refused.exit_code == 1
    assert "Error: Disable the user first" in said(refused)
    assert organisation.scalar(select(User.name).where(User.id == user_id)) == "Ada Lovelace"
    assert organisation.can_sign_in(EMAIL, PASSWORD)


def test_erase_asks_before_it_acts(organisation: Aegis) -> None:
    user_id = _create(organisation)
    _disable(organisation, user_id)
    kept = organisation("users", "erase", EMAIL, input="n\n")
    assert kept.exit_code == 1
    assert organisation.scalar(select(User.email).where(User.id == user_id)) == EMAIL
    organisation.ok("users", "erase", EMAIL, input="y\n")
    assert organisation.scalar(select(User.email).where(User.id == user_id)) != EMAIL
