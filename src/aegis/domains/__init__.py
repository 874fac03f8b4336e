"""Use cases of Aegis, one package per domain; the audit trail and the security notices
subscribe to their events."""

from aegis.core.events import subscribe
from aegis.domains.audit.service import record_change
from aegis.domains.notifications.service import notices_for

subscribe(record_change)
subscribe(notices_for)
