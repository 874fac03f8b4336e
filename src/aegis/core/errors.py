"""The error hierarchy every layer raises; the HTTP layer maps each class to a status."""

from __future__ import annotations

from typing import Any


class AegisError(Exception):
    """Base of all expected errors: a stable code, a message and optional details."""

    code = "error"
    keep_changes = False  # when True the boundary commits before reporting the error

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(AegisError):
    """The object does not exist or is outside the caller's scope."""

    code = "not_found"


class PermissionDenied(AegisError):
    """The caller may not perform this action (on objects of `unit_id`, when known)."""

    code = "permission_denied"

    def __init__(self, message: str, *, details: Any = None, unit_id: int | None = None) -> None:
        super().__init__(message, details=details)
        self.unit_id = unit_id


class AuthenticationFailed(AegisError):
    """Credentials or token are missing, wrong or revoked."""

    code = "authentication_failed"


class TokenReuseDetected(AuthenticationFailed):
    """A used refresh token came back: its session is revoked, and that must be kept."""

    keep_changes = True


class ValidationFailed(AegisError):
    """Input is invalid; details list the offending fields."""

    code = "validation_failed"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        if details is None and field is not None:
            details = [{"field": field, "message": message}]
        super().__init__(message, details=details)


class Conflict(AegisError):
    """The request conflicts with the current state (duplicate, in use, bad transition)."""

    code = "conflict"


class PayloadTooLarge(AegisError):
    """An upload exceeds the configured size limit."""

    code = "payload_too_large"


class TooManyAttempts(AegisError):
    """Too many attempts in a short time; the caller may try again after `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(AegisError):
    """A service the request needs (such as the malware scanner) cannot be reached."""

    code = "service_unavailable"


class EditConflict(Conflict):
    """Someone else saved the object after the caller read it; nothing was saved."""

    code = "edit_conflict"
