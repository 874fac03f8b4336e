"""Rules requiring MFA per unit (inherited by the units below) and per role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, ancestors
from aegis.core.confirmation import require_password_confirmation
from aegis.core.errors import Conflict, NotFound, ValidationFailed
from aegis.domains.auth import repository as repo
from aegis.domains.auth.mfa_schemas import MfaRequirementCreate, MfaRequirementRead
from aegis.domains.common.changes import record, snapshot
from aegis.models import MfaRequirement, RoleAssignment, Unit

ANY_ROLE = "any"
FIELDS = ("unit_id", "role")


def is_required(session: Session, user_id: int) -> bool:
    """Whether a rule covers one of the user's roles (on its unit or a unit above it)."""
    rules = {(r.unit_id, r.role) for r in session.scalars(select(MfaRequirement))}
    if not rules:
        return False
    held = session.execute(
        select(RoleAssignment.unit_id, RoleAssignment.role).where(RoleAssignment.user_id == user_id)
    ).all()
    parents = repo.unit_parents(session)
    for unit_id, role in held:
        for unit in ancestors(unit_id, parents):
            if (unit, ANY_ROLE) in rules or (unit, role) in rules:
                return True
    return False


def list_requirements(*, session: Session, principal: Principal) -> list[MfaRequirementRead]:
    """The rules set on units the caller can see (administrators only)."""
    principal.require_admin()
    rows = session.scalars(
        select(MfaRequirement)
        .where(MfaRequirement.unit_id.in_(sorted(principal.readable)))
        .order_by(MfaRequirement.unit_id, MfaRequirement.role)
    )
    return [MfaRequirementRead.model_validate(row) for row in rows]


def add_requirement(
    *, session: Session, principal: Principal, data: MfaRequirementCreate
) -> MfaRequirementRead:
    """Require MFA of a role (or every role) on a unit the caller administers, and below."""
    if data.unit_id not in principal.readable or session.get(Unit, data.unit_id) is None:
        raise ValidationFailed("Unit not found", field="unit_id")
    principal.require_admin(data.unit_id)
    require_password_confirmation(principal, "change the rules requiring multi-factor sign-in")
    rule = MfaRequirement(unit_id=data.unit_id, role=data.role, created_by_id=principal.user_id)
    try:
        with session.begin_nested():
            session.add(rule)
    except IntegrityError:
        message = "This unit already requires MFA of this role"
        raise Conflict(message, details=[{"field": "role", "message": message}]) from None
    after = snapshot(rule, FIELDS)
    record(session, principal, "create", "mfa_requirement", rule.id, rule.unit_id, after=after)
    return MfaRequirementRead.model_validate(rule)


def remove_requirement(*, session: Session, principal: Principal, requirement_id: int) -> None:
    """Drop a rule of a unit the caller administers."""
    rule = session.get(MfaRequirement, requirement_id)
    if rule is None or rule.unit_id not in principal.readable:
        raise NotFound("Requirement not found")
    principal.require_admin(rule.unit_id)
    require_password_confirmation(principal, "change the rules requiring multi-factor sign-in")
    before = snapshot(rule, FIELDS)
    session.delete(rule)
    session.flush()
    unit = rule.unit_id
    record(session, principal, "delete", "mfa_requirement", requirement_id, unit, before=before)
