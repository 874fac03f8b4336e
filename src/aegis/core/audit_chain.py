"""The keyed hash that chains each audit event to the one before it.

Every event is sealed with HMAC-SHA256 over the seal of the event before it and its own
recorded content (position in the chain, time, actor, unit, object, action, changes,
request). Changing, removing or moving an event breaks the seals from there on, and
nobody without the key can compute new ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aegis.core.settings import get_settings

GENESIS = "0" * 64  # the seal "before" the first event
KEY_INFO = "audit_chain_key"  # where a session factory's `info` carries the key
FORMAT = 1  # version of the sealed form below


@dataclass(frozen=True)
class Sealed:
    """What the seal of one event covers (the row's id is not part of it: its position is)."""

    position: int
    occurred_at: datetime
    actor_id: int | None
    actor_email: str | None
    unit_id: int | None
    entity_type: str
    entity_id: int
    action: str
    changes: Any
    request_id: str | None


def _moment(value: datetime) -> str:
    """A time as stored: UTC to the microsecond."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def sealed_text(event: Sealed) -> str:
    """The canonical text of an event: the same before storing and after reading it back."""
    payload = [
        FORMAT,
        event.position,
        _moment(event.occurred_at),
        event.actor_id,
        event.actor_email,
        event.unit_id,
        event.entity_type,
        event.entity_id,
        event.action,
        event.changes if event.changes is not None else {},
        event.request_id,
    ]
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def seal(key: bytes, previous: str, event: Sealed) -> str:
    """The seal of an event that follows the event sealed `previous`."""
    message = f"{previous}\n{sealed_text(event)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A fingerprint of the key, kept with the chain to tell a wrong key from tampering."""
    return hmac.new(key, b"aegis audit chain key", hashlib.sha256).hexdigest()[:16]


def same_seal(a: str | None, b: str | None) -> bool:
    """Compare two seals in constant time."""
    return a is not None and b is not None and hmac.compare_digest(a, b)


def chain_key(info: dict[str, Any] | None = None) -> bytes:
    """The key of a session (its factory's `info`), else the one of the process's settings."""
    configured = (info or {}).get(KEY_INFO)
    if not configured:
        configured = get_settings().audit_chain_key
    return str(configured).encode()
