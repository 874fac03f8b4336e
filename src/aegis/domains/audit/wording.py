"""Audit events in words: names instead of ids, labels instead of codes, times to the second.

Every object a page of events refers to (actors, units, owners, linked controls, ...) is
named from one query for the whole page, and only when the reader can see it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.messages import choice_label, field_label
from aegis.domains.audit.schemas import AuditChangeRead, AuditEntryRead, AuditEventRead
from aegis.domains.names import service as names
from aegis.domains.names.schemas import KINDS, Named

# recorded fields that hold the id (or ids) of another object, and that object's kind
REFERENCES = {
    "owner_id": "user",
    "acceptance_approver_id": "user",
    "assignee_id": "user",
    "author_id": "user",
    "user_id": "user",
    "uploaded_by_id": "user",
    "decided_by_id": "user",
    "requested_by_id": "user",
    "assigned_by_id": "user",
    "unit_id": "unit",
    "unit_ids": "unit",
    "parent_id": "unit",
    "risk_id": "risk",
    "asset_id": "asset",
    "asset_ids": "asset",
    "depends_on_ids": "asset",
    "control_id": "control",
    "control_ids": "control",
    "requirement_id": "requirement",
    "requirement_ids": "requirement",
    "source_id": "requirement",
    "target_id": "requirement",
    "framework_id": "framework",
    "assessment_id": "assessment",
    "task_id": "task",
    "evidence_id": "evidence",
}
# parts of another object: the field naming it and how the summary joins them
PARENTS = {
    "task_comment": ("task_id", "on"),
    "risk_comment": ("risk_id", "on"),
    "control_comment": ("control_id", "on"),
    "risk_attachment": ("risk_id", "on"),
    "risk_acceptance_request": ("risk_id", "on"),
    "evidence_version": ("evidence_id", "of"),
    "assessment_result": ("assessment_id", "in"),
    "assessment_owner": ("assessment_id", "in"),
    "assessment_comment": ("assessment_id", "in"),
    "role_assignment": ("user_id", "for"),
    "requirement_mapping": ("source_id", "from"),
}
# parts of an assessment that are about one of its requirements
ABOUT_REQUIREMENT = frozenset({"assessment_result", "assessment_owner", "assessment_comment"})
# a reference recorded by name too (parts removed with their requirement): the name is shown
NAMED_TOO = {"requirement_id": "requirement"}
CODES = frozenset(
    {
        "action",
        "category",
        "criticality",
        "data_classification",
        "environment",
        "kind",
        "locked",
        "priority",
        "relationship",
        "role",
        "status",
        "treatment",
        "type",
        "upload_kind",
    }
)
RECORDED_NAMES = ("title", "name", "ref", "email", "filename")
SKIPPED = frozenset({"version"})  # bookkeeping raised by every save
SINGLE = frozenset({"risk_matrix"})  # one object of its kind: no id to show
ACTIONS = {
    "create": "Created",
    "update": "Updated",
    "delete": "Deleted",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "lock": "Account locked",
    "unlock": "Account unlocked",
    "permission_denied": "Access refused",
    "export": "Exported",
    "download": "Downloaded",
    "mfa_enrolled": "Multi-factor sign-in set up",
    "mfa_disabled": "Multi-factor sign-in turned off",
    "mfa_failed": "Wrong second-factor code",
    "mfa_recovery_code_used": "Recovery code used",
    "mfa_codes_regenerated": "New recovery codes made",
    "mfa_reset": "Multi-factor sign-in reset",
    "password_change_required": "New password required",  # nosec B105 # a label
    "password_change_done": "Required new password chosen",  # nosec B105 # a label
    "erase": "Personal data erased",
    "purge": "Records past their retention removed",
    "password_confirmed": "Password confirmed",  # nosec B105 # a label
}
# the file name of a user's export of their own personal data (domains/users/personal_data)
PERSONAL_DATA_FILE = "aegis-personal-data-"
# what a purge counts, in the order its summary names them
PURGED = ("sessions", "refresh_tokens", "sign_in_throttles", "quarantined_files")
ABOUT_ACCOUNTS = frozenset({"sign_in", "sign_in_failed", "lock", "unlock"})
HIDDEN = "an item outside your units"
SOMEONE = "someone outside your units"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

Found = Mapping[tuple[str, int], Named]


def _pair(value: Any) -> tuple[Any, Any]:
    """(before, after) of a recorded change."""
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None, value


def _ids(value: Any) -> Iterable[int]:
    items = value if isinstance(value, list) else [value]
    return (item for item in items if isinstance(item, int) and not isinstance(item, bool))


def wanted_names(events: Iterable[AuditEventRead]) -> dict[str, set[int]]:
    """The ids of every object the events refer to, by kind."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.actor_id is not None:
            wanted["user"].add(event.actor_id)
        if event.unit_id is not None:
            wanted["unit"].add(event.unit_id)
        if event.entity_type in KINDS:
            wanted[event.entity_type].add(event.entity_id)
        for field, value in event.changes.items():
            kind = REFERENCES.get(field)
            if kind is not None:
                for side in _pair(value):
                    wanted[kind].update(_ids(side))
    return wanted


def _name(found: Found, kind: str, object_id: int) -> str | None:
    """How people call an object the reader can see (None when they cannot)."""
    if (kind, object_id) not in found:
        return None
    name, detail, _ = found[kind, object_id]
    if kind == "requirement" and detail and detail.strip().casefold() != name.casefold():
        return f"{name} {detail}"
    if kind in ("control", "framework") and detail:
        return f"{name} {detail}"
    return name


def _unseen(kind: str, count: int = 1) -> str:
    if kind == "user":
        return SOMEONE if count == 1 else f"{count} people outside your units"
    return HIDDEN if count == 1 else f"{count} items outside your units"


def _reference(found: Found, kind: str, value: Any) -> str | None:
    ids = list(_ids(value))
    if not ids:
        return None
    names = [_name(found, kind, object_id) for object_id in ids]
    shown = [name for name in names if name is not None]
    hidden = len(names) - len(shown)
    return ", ".join([*shown, *([_unseen(kind, hidden)] if hidden else [])])


def _moment(text: str) -> str:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return text
    value = value.astimezone(UTC) if value.tzinfo else value
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def value_text(field: str, value: Any, found: Found) -> str | None:
    """A recorded value as people read it (None stays None: the field had no value)."""
    if value is None:
        return None
    kind = REFERENCES.get(field)
    if kind is not None:
        return _reference(found, kind, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        if field in CODES:
            return choice_label(value)
        return _moment(value) if TIMESTAMP.match(value) else value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or None
    if isinstance(value, dict) and field == "filters":
        return "; ".join(
            f"{field_label(name)}: {choice_label(str(v)) if name in CODES else v}"
            for name, v in sorted(value.items())
        )
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def _recorded_name(changes: Mapping[str, Any]) -> str | None:
    """A name for the object from its recorded fields (title, name, reference, ...)."""
    for key in RECORDED_NAMES:
        before, after = _pair(changes.get(key))
        value = after if after is not None else before
        if isinstance(value, str) and value:
            return value
    return None


def _recorded_id(changes: Mapping[str, Any], field: str) -> int | None:
    """The id a recorded reference held (after the change, else before it)."""
    before, after = _pair(changes.get(field))
    return next(iter(_ids(after if after is not None else before)), None)


def _parent(event: AuditEventRead, found: Found) -> list[str]:
    """e.g. ['for', 'GV.OC-01', 'in', "assessment 'Q3 review'"]: what the part belongs to."""
    words = []
    requirement = _recorded_id(event.changes, "requirement_id")
    if event.entity_type in ABOUT_REQUIREMENT and requirement is not None:
        known = found.get(("requirement", requirement))
        before, after = _pair(event.changes.get("requirement"))
        recorded = after if after is not None else before
        words += ["for", known.name if known else recorded or _unseen("requirement")]
    field, joint = PARENTS[event.entity_type]
    kind = REFERENCES[field]
    parent = _recorded_id(event.changes, field)
    if parent is not None:
        parent_name = _name(found, kind, parent)
        words += [joint, f"{kind} '{parent_name}'" if parent_name else _unseen(kind)]
    return words


def _recorded(event: AuditEventRead, field: str) -> Any:
    return _pair(event.changes.get(field))[1]


def _account_summary(event: AuditEventRead, found: Found) -> str:
    """e.g. Signed in as Alice (web browser), Sign-in failed for bob@example.com: wrong password."""
    email = _recorded(event, "email")
    who = _name(found, "user", event.entity_id) or email or SOMEONE
    until = _recorded(event, "locked_until")
    if event.action == "sign_in":
        way = _recorded(event, "signed_in_with")
        return f"Signed in as {who}" + (f" ({way})" if way else "")
    if event.action == "sign_in_failed":
        reason = _recorded(event, "reason")
        return f"Sign-in failed for {who}" + (f": {reason}" if reason else "")
    if event.action == "lock" and _recorded(event, "locked") == "address":
        address = _recorded(event, "client_address") or "an unknown address"
        return f"Sign-in locked for address {address}" + (
            f" until {_moment(until)}" if until else ""
        )
    if event.action == "lock":
        return f"Account locked: {who}" + (f" until {_moment(until)}" if until else "")
    return f"Account unlocked: {who}"


def _security_summary(event: AuditEventRead, found: Found) -> str | None:
    """The summary of a sign-in, lock, refusal or export (None for other events)."""
    if event.action in ABOUT_ACCOUNTS and event.entity_type == "user":
        return _account_summary(event, found)
    if event.action.startswith(("mfa_", "password_change_")) and event.entity_type == "user":
        who = _name(found, "user", event.entity_id) or _recorded(event, "email") or SOMEONE
        reason = _recorded(event, "reason")
        what = ACTIONS.get(event.action, event.action)
        return f"{what}: {who}" + (f" ({reason})" if reason else "")
    if event.action == "erase" and event.entity_type == "user":
        return f"Personal data erased: {_name(found, 'user', event.entity_id) or SOMEONE}"
    if event.action == "purge":
        removed = [f"{_recorded(event, kind)} {kind.replace('_', ' ')}" for kind in PURGED]
        return "Records past their retention removed: " + ", ".join(removed)
    if event.action == "permission_denied":
        return f"Access refused: {_recorded(event, 'route') or 'a request'}"
    if event.action == "export":
        route = str(_recorded(event, "route") or "")
        where = route.partition(" ")[2] or route
        filename = _recorded(event, "filename") or "a file"
        if str(filename).startswith(PERSONAL_DATA_FILE):
            return f"Personal data exported: '{filename}'" + (f" from {where}" if where else "")
        return f"Exported '{filename}'" + (f" from {where}" if where else "")
    return None


def _summary(event: AuditEventRead, found: Found, label: str, name: str | None) -> str:
    """e.g. Updated risk 'Ransomware on file servers', Created task comment on task 'Patch'."""
    security = _security_summary(event, found)
    if security is not None:
        return security
    kind = label if label[:2].isupper() else label.lower()  # "API token" keeps its capitals
    words = [ACTIONS.get(event.action, choice_label(event.action)), kind]
    if name:
        words.append(f"'{name}'")
    elif event.entity_type not in SINGLE and event.entity_type not in PARENTS:
        words.append(f"#{event.entity_id}")
    if event.entity_type in PARENTS:
        words += _parent(event, found)
    return " ".join(words)


def entry(event: AuditEventRead, found: Found) -> AuditEntryRead:
    """One event with names, labels and a one-line summary."""
    label = choice_label(event.entity_type)
    name = _name(found, event.entity_type, event.entity_id) or _recorded_name(event.changes)
    details = []
    for field, value in event.changes.items():
        if field in SKIPPED or NAMED_TOO.get(field) in event.changes:
            continue
        before, after = _pair(value)
        if before == after:  # recorded to say what the object belongs to, not a change
            continue
        details.append(
            AuditChangeRead(
                field=field,
                label=field_label(field),
                before=value_text(field, before, found),
                after=value_text(field, after, found),
            )
        )
    return AuditEntryRead(
        **event.model_dump(exclude={"occurred_at"}),
        occurred_at=event.occurred_at.replace(microsecond=0),
        action_label=ACTIONS.get(event.action, choice_label(event.action)),
        entity_label=label,
        entity_name=name,
        summary=_summary(event, found, label, name),
        actor_name=None if event.actor_id is None else _name(found, "user", event.actor_id),
        unit_name=None if event.unit_id is None else _name(found, "unit", event.unit_id),
        details=details,
    )


def entries(
    session: Session, principal: Principal, events: list[AuditEventRead]
) -> list[AuditEntryRead]:
    """The events in words, every referenced object named from one query for all of them."""
    found = names.lookup(session=session, principal=principal, wanted=wanted_names(events))
    return [entry(event, found) for event in events]
