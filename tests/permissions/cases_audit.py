"""Permissions of verifying the audit trail: administrators of the whole organisation only."""

from __future__ import annotations

from tests.permissions import Case, pages, statuses

# the chain spans every unit: a division's administrator may not check it
WHOLE_ORGANISATION_ADMIN = statuses(401, 403, 403, 200, 403, 403)

CASES = [
    Case("GET", "/api/v1/audit-events/verify", WHOLE_ORGANISATION_ADMIN),
]

PAGES = [
    Case("GET", "/audit/verify", pages(403, 403, 200, 403, 403)),
]
