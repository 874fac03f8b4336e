"""A user's own personal data, exported as one JSON document (never a secret or a digest).

What the export holds: the profile, the roles (with their units' names), every login session
still stored (device, address, times), the API tokens (name, prefix, access, units, dates),
the second factors (kinds, names, dates), the comments the user wrote, the security notices
written to them and the newest audit events the user is the actor of (at most
`AUDIT_EVENT_LIMIT`, the total said beside them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.db import utcnow
from aegis.domains.auth import service as auth_service
from aegis.domains.users.errors import UserNotFound
from aegis.models import (
    ApiToken,
    AuditEvent,
    AuthSession,
    Comment,
    Notification,
    RecoveryCode,
    RoleAssignment,
    SecurityKey,
    TaskComment,
    TotpCredential,
    Unit,
    User,
    api_token_units,
)
from aegis.models.assessment import AssessmentComment

AUDIT_EVENT_LIMIT = 10_000  # the newest events; the export says how many there are in all
FORMAT = "aegis-personal-data/1"


class ProfileExport(BaseModel):
    """The account itself."""

    id: int
    email: str
    name: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None


class RoleExport(BaseModel):
    """A role held on a unit."""

    role: str
    unit_id: int
    unit_name: str
    include_children: bool
    granted_at: datetime


class SessionExport(BaseModel):
    """A login session still stored (open or ended)."""

    kind: str
    device: str
    user_agent: str | None
    client_address: str | None
    started_at: datetime
    last_used_at: datetime
    ends_at: datetime
    signed_out_at: datetime | None


class ApiTokenExport(BaseModel):
    """An API token: what tells it apart and what it may do, never its secret or digest."""

    name: str
    prefix: str
    access: str
    unit_names: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    last_used_address: str | None
    revoked_at: datetime | None


class SecondFactorExport(BaseModel):
    """A second factor: its kind, name and dates, never its secret or public key."""

    kind: Literal["authenticator_app", "security_key", "recovery_codes"]
    name: str
    created_at: datetime
    confirmed_at: datetime | None = None
    last_used_at: datetime | None = None
    unused_codes: int | None = None


class CommentExport(BaseModel):
    """A comment the user wrote, with what it was written on."""

    on: Literal["risk", "control", "task", "assessment"]
    on_id: int
    body: str
    created_at: datetime


class NoticeExport(BaseModel):
    """A security notice written to the user (e-mailed, or shown in My account)."""

    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None


class AuditEventExport(BaseModel):
    """An event of the audit trail the user is the actor of."""

    occurred_at: datetime
    action: str
    entity_type: str
    entity_id: int
    unit_id: int | None
    client_address: str | None


class PersonalDataExport(BaseModel):
    """Everything Aegis keeps about the signed-in user, as one document."""

    format: str = Field(description="The layout of this document and its version")
    exported_at: datetime
    profile: ProfileExport
    roles: list[RoleExport]
    sessions: list[SessionExport]
    api_tokens: list[ApiTokenExport]
    second_factors: list[SecondFactorExport]
    comments: list[CommentExport]
    notices: list[NoticeExport]
    audit_events: list[AuditEventExport] = Field(
        description="The newest events the user is the actor of, newest first"
    )
    audit_events_total: int = Field(description="How many such events the audit trail holds")
    audit_events_note: str | None = Field(
        description="Set when the list was cut short: how many it holds of how many"
    )


def _roles(session: Session, user_id: int) -> list[RoleExport]:
    rows = session.execute(
        select(RoleAssignment, Unit.name)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .where(RoleAssignment.user_id == user_id)
        .order_by(RoleAssignment.id)
    )
    return [
        RoleExport(
            role=a.role,
            unit_id=a.unit_id,
            unit_name=name,
            include_children=a.include_children,
            granted_at=a.created_at,
        )
        for a, name in rows
    ]


def _sessions(session: Session, user_id: int) -> list[SessionExport]:
    stmt = select(AuthSession).where(AuthSession.user_id == user_id).order_by(AuthSession.id)
    return [
        SessionExport(
            kind=row.kind,
            device=auth_service.device_label(row.user_agent),
            user_agent=row.user_agent,
            client_address=row.client_address,
            started_at=row.created_at,
            last_used_at=row.last_used_at,
            ends_at=row.expires_at,
            signed_out_at=row.revoked_at,
        )
        for row in session.scalars(stmt)
    ]


def _api_tokens(session: Session, user_id: int) -> list[ApiTokenExport]:
    tokens = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))
    units: dict[int, list[str]] = {token.id: [] for token in tokens}
    if tokens:
        rows = session.execute(
            select(api_token_units.c.token_id, Unit.name)
            .join(Unit, Unit.id == api_token_units.c.unit_id)
            .where(api_token_units.c.token_id.in_(sorted(units)))
            .order_by(Unit.name)
        )
        for token_id, name in rows:
            units[token_id].append(name)
    return [
        ApiTokenExport(
            name=t.name,
            prefix=t.prefix,
            access=t.access,
            unit_names=units[t.id],
            created_at=t.created_at,
            expires_at=t.expires_at,
            last_used_at=t.last_used_at,
            last_used_address=t.last_used_address,
            revoked_at=t.revoked_at,
        )
        for t in sorted(tokens, key=lambda t: t.id)
    ]


def _second_factors(session: Session, user_id: int) -> list[SecondFactorExport]:
    found: list[SecondFactorExport] = []
    app = session.get(TotpCredential, user_id)
    if app is not None:
        found.append(
            SecondFactorExport(
                kind="authenticator_app",
                name="Authenticator app",
                created_at=app.created_at,
                confirmed_at=app.confirmed_at,
            )
        )
    keys = select(SecurityKey).where(SecurityKey.user_id == user_id).order_by(SecurityKey.id)
    found.extend(
        SecondFactorExport(
            kind="security_key",
            name=key.name,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
        )
        for key in session.scalars(keys)
    )
    codes = session.execute(
        select(
            func.min(RecoveryCode.created_at),
            func.max(RecoveryCode.used_at),
            func.count(),
            func.count(RecoveryCode.used_at),
        ).where(RecoveryCode.user_id == user_id)
    ).one()
    made, last_used, total, used = codes
    if total:
        found.append(
            SecondFactorExport(
                kind="recovery_codes",
                name=f"{total} recovery codes",
                created_at=made,
                last_used_at=last_used,
                unused_codes=total - used,
            )
        )
    return found


def _comments(session: Session, user_id: int) -> list[CommentExport]:
    found: list[CommentExport] = []
    for row in session.scalars(select(Comment).where(Comment.author_id == user_id)):
        on: Literal["risk", "control"] = "risk" if row.risk_id is not None else "control"
        on_id = row.risk_id if row.risk_id is not None else row.control_id
        found.append(
            CommentExport(on=on, on_id=on_id or 0, body=row.body, created_at=row.created_at)
        )
    for task_comment in session.scalars(
        select(TaskComment).where(TaskComment.author_id == user_id)
    ):
        found.append(
            CommentExport(
                on="task",
                on_id=task_comment.task_id,
                body=task_comment.body,
                created_at=task_comment.created_at,
            )
        )
    for note in session.scalars(
        select(AssessmentComment).where(AssessmentComment.author_id == user_id)
    ):
        found.append(
            CommentExport(
                on="assessment",
                on_id=note.assessment_id,
                body=note.body,
                created_at=note.created_at,
            )
        )
    return sorted(found, key=lambda c: (c.created_at, c.on, c.on_id))


def _notices(session: Session, user_id: int) -> list[NoticeExport]:
    stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    return [
        NoticeExport(
            subject=row.subject, body=row.body, created_at=row.created_at, sent_at=row.sent_at
        )
        for row in session.scalars(stmt)
    ]


def _address(changes: dict[str, object]) -> str | None:
    value = changes.get("client_address")
    if isinstance(value, list) and len(value) == 2:
        value = value[1]
    return value if isinstance(value, str) else None


def _audit_events(session: Session, user_id: int) -> tuple[list[AuditEventExport], int]:
    total = session.scalar(select(func.count()).where(AuditEvent.actor_id == user_id)) or 0
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.actor_id == user_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_EVENT_LIMIT)
    )
    events = [
        AuditEventExport(
            occurred_at=event.occurred_at,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            unit_id=event.unit_id,
            client_address=_address(event.changes or {}),
        )
        for event in session.scalars(stmt)
    ]
    return events, int(total)


FILE_PREFIX = "aegis-personal-data-"  # the audit trail names such exports "personal data"


def export_filename(user_id: int) -> str:
    """The name the export is downloaded under."""
    return f"{FILE_PREFIX}{user_id}.json"


def export_own_data(*, session: Session, principal: Principal) -> PersonalDataExport:
    """Everything kept about the caller.

    Sent as an attachment, it is recorded in the audit trail before its first byte goes out
    (as every export is, by `aegis.http.transfers`), under its file name `export_filename`.
    """
    user = session.get(User, principal.user_id)
    if user is None:
        raise UserNotFound("User not found")
    events, total = _audit_events(session, user.id)
    note = None
    if total > len(events):
        note = f"The newest {len(events)} of {total} events; ask an administrator for the others"
    document = PersonalDataExport(
        format=FORMAT,
        exported_at=utcnow(),
        profile=ProfileExport(
            id=user.id,
            email=user.email,
            name=user.name,
            is_active=user.is_active,
            created_at=user.created_at,
            updated_at=user.updated_at,
            last_login_at=user.last_login_at,
        ),
        roles=_roles(session, user.id),
        sessions=_sessions(session, user.id),
        api_tokens=_api_tokens(session, user.id),
        second_factors=_second_factors(session, user.id),
        comments=_comments(session, user.id),
        notices=_notices(session, user.id),
        audit_events=events,
        audit_events_total=total,
        audit_events_note=note,
    )
    return document
