"""Erasing a former user's personal data: identity and credentials go, their records stay."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from aegis.core.confirmation import PasswordConfirmationRequired
from aegis.core.errors import Conflict, PermissionDenied, ValidationFailed
from aegis.domains.api_tokens import service as api_tokens
from aegis.domains.api_tokens.schemas import ApiTokenCreate
from aegis.domains.audit.verify import verify_chain
from aegis.domains.discussion import service as discussion
from aegis.domains.discussion.schemas import CommentQuery, Subject
from aegis.domains.users import erasure
from aegis.domains.users import service as users
from aegis.domains.users.schemas import UserCreate, UserUpdate
from aegis.models import (
    ApiToken,
    AuditEvent,
    AuthSession,
    Notification,
    RecoveryCode,
    RefreshToken,
    Risk,
    SecurityKey,
    SignInThrottle,
    TotpCredential,
    User,
)
from tests.conftest import World, open_api_session
from tests.factories.discussion import make_comment
from tests.factories.risks import make_risk

EMAIL = "grace.hopper@example.com"


def _leaver(db, world: World, principal_for) -> User:  # type: ignore[no-untyped-def]
    """A user with a session, a refresh token, an API token, MFA and a risk and comment."""
    created = users.create_user(
        session=db,
        principal=None,
        data=UserCreate(
            email=EMAIL,
            name="Grace Hopper",
            password="violet lantern harbour 1987",
            role="analyst",
            unit_id=world.units["division-a"],
        ),
    )
    open_api_session(db, created.id)
    [auth_session] = db.scalars(select(AuthSession).where(AuthSession.user_id == created.id))
    db.add(RefreshToken(session_id=auth_session.id, token_hash="f" * 64))
    db.add(TotpCredential(user_id=created.id, secret_sealed="JBSWY3DPEHPK3PXP"))
    db.add(RecoveryCode(user_id=created.id, code_hash="e" * 64))
    db.add(
        SecurityKey(
            user_id=created.id,
            name="Blue key",
            credential_id="cred",
            credential_hash="d" * 64,
            public_key_sealed="public key",
        )
    )
    db.add(SignInThrottle(kind="account", subject=EMAIL, failures=2))
    db.flush()
    grace = replace(
        principal_for("analyst"), user_id=created.id, email=EMAIL, session_id=auth_session.id
    )
    api_tokens.create_token(
        session=db,
        principal=grace,
        data=ApiTokenCreate(
            name="Nightly",
            access="read_only",
            unit_ids=[world.units["division-a"]],
            expires_on=date.today() + timedelta(days=30),
        ),
        max_days=365,
    )
    risk = make_risk(db, grace, world.units["division-a"], owner_id=created.id)
    make_comment(db, grace, Subject.risk(risk.id), "Checked the restore logs")
    users.update_user(
        session=db,
        principal=principal_for("admin"),
        user_id=created.id,
        data=UserUpdate(is_active=False),
    )
    user = db.get(User, created.id)
    assert user is not None
    return user


def _count(db, column, user_id: int) -> int:  # type: ignore[no-untyped-def]
    return int(db.scalar(select(func.count()).where(column == user_id)))


def test_erasure_replaces_identity_removes_credentials_and_keeps_records(
    db, world: World, principal_for
) -> None:
    user = _leaver(db, world, principal_for)
    user_id = user.id
    assert _count(db, Notification.user_id, user_id) > 0  # "An API token was created ..."
    trail_before = db.scalar(select(func.count()).where(AuditEvent.actor_email == EMAIL))
    assert trail_before > 0

    erased = erasure.erase_personal_data(
        session=db, principal=principal_for("admin"), user_id=user_id
    )

    assert erased.user.name == f"Former user #{user_id}"
    assert erased.user.email == f"former-user-{user_id}@erased.invalid"
    assert (erased.sessions, erased.api_tokens, erased.second_factors) == (1, 1, 2)
    db.expire_all()
    user = db.get(User, user_id)
    assert user.password_hash is None and user.last_login_at is None
    for column in (
        AuthSession.user_id,
        ApiToken.user_id,
        TotpCredential.user_id,
        RecoveryCode.user_id,
        SecurityKey.user_id,
    ):
        assert _count(db, column, user_id) == 0, column
    assert db.scalar(select(func.count()).select_from(RefreshToken)) == 0
    assert _count(db, Notification.user_id, user_id) == 0  # notices name devices, addresses
    assert db.scalar(select(func.count()).where(SignInThrottle.subject == EMAIL)) == 0
    # the records they own or wrote stay, named by the pseudonym
    assert db.scalar(select(func.count()).where(Risk.owner_id == user_id)) == 1
    risk_id = db.scalar(select(Risk.id).where(Risk.owner_id == user_id))
    [comment] = discussion.list_comments(
        session=db,
        principal=principal_for("admin"),
        subject=Subject.risk(risk_id),
        query=CommentQuery(),
    ).items
    assert comment.author_name == f"Former user #{user_id}"
    # the audit trail is kept as recorded, and still verifies
    assert db.scalar(select(func.count()).where(AuditEvent.actor_email == EMAIL)) == trail_before
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).all()
    assert (event.entity_id, event.actor_id) == (user_id, world.users["admin"])
    assert EMAIL not in str(event.changes) and "Grace" not in str(event.changes)
    assert verify_chain(session=db, principal=None).broken is None


def test_the_old_address_is_free_for_a_new_account(db, world: World, principal_for) -> None:
    user = _leaver(db, world, principal_for)
    erasure.erase_personal_data(session=db, principal=None, user_id=user.id)
    again = users.create_user(
        session=db,
        principal=None,
        data=UserCreate(
            email=EMAIL,
            name="Grace Hopper",
            password="violet lantern harbour 1987",
            role="readonly",
            unit_id=world.units["division-a"],
        ),
    )
    assert again.id != user.id


def test_active_users_oneself_and_erased_users_are_refused_with_nothing_changed(
    db, world: World, principal_for
) -> None:
    admin = principal_for("admin")
    analyst_id = world.users["analyst"]
    with pytest.raises(Conflict, match="Disable the user first"):
        erasure.erase_personal_data(session=db, principal=admin, user_id=analyst_id)
    assert db.get(User, analyst_id).email == "analyst@example.com"
    with pytest.raises(ValidationFailed, match="cannot erase your own"):
        erasure.erase_personal_data(session=db, principal=admin, user_id=world.users["admin"])
    user = _leaver(db, world, principal_for)
    erasure.erase_personal_data(session=db, principal=admin, user_id=user.id)
    with pytest.raises(Conflict, match="already erased"):
        erasure.erase_personal_data(session=db, principal=admin, user_id=user.id)


def test_only_an_administrator_of_all_their_units_with_a_recent_password_erases(
    db, world: World, principal_for
) -> None:
    user = _leaver(db, world, principal_for)
    for name in ("analyst", "readonly"):
        with pytest.raises(PermissionDenied):
            erasure.erase_personal_data(session=db, principal=principal_for(name), user_id=user.id)
    unconfirmed = replace(principal_for("admin"), password_confirmed=False)
    with pytest.raises(PasswordConfirmationRequired):
        erasure.erase_personal_data(session=db, principal=unconfirmed, user_id=user.id)
    db.expire_all()
    assert db.get(User, user.id).email == EMAIL
    assert _count(db, ApiToken.user_id, user.id) == 1
    erasure.erase_personal_data(session=db, principal=principal_for("admin_a"), user_id=user.id)
    assert db.get(User, user.id).name == f"Former user #{user.id}"


def test_a_password_of_an_erased_user_never_signs_in(db, world: World, principal_for) -> None:
    from aegis.core.errors import AuthenticationFailed
    from aegis.domains.auth import service as auth

    user = _leaver(db, world, principal_for)
    erasure.erase_personal_data(session=db, principal=None, user_id=user.id)
    db.get(User, user.id).is_active = True  # even enabled again later: no password matches
    db.flush()
    for email in (EMAIL, erasure.placeholder_email(user.id)):
        with pytest.raises(AuthenticationFailed):
            auth.authenticate(db, email, "violet lantern harbour 1987")
