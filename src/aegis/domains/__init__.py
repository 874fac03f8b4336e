"""Use cases of Aegis, one package per domain; the audit trail subscribes to their events."""

from aegis.core.events import subscribe
from aegis.domains.audit.service import record_change

subscribe(record_change)
