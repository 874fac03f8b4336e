"""Errors of the auth domain."""

from __future__ import annotations

from aegis.core.errors import AuthenticationFailed, PermissionDenied, ValidationFailed


class SessionExpired(AuthenticationFailed):
    """The login session ended by idle timeout or absolute lifetime: sign in again."""

    code = "session_expired"


class MfaChallengeInvalid(AuthenticationFailed):
    """The sign-in step's challenge is unknown, expired, of another kind or already used."""

    code = "mfa_challenge_invalid"


class MfaCodeRejected(AuthenticationFailed):
    """A wrong, replayed or used second-factor code at sign-in; the failure counted is kept."""

    code = "mfa_code_rejected"
    keep_changes = True


class MfaEnrolmentRequired(PermissionDenied):
    """The user must set up multi-factor sign-in first; `details` carry the enrolment challenge."""

    code = "mfa_enrolment_required"
    keep_changes = True


class MfaCodeInvalid(ValidationFailed):
    """A wrong code when changing one's own MFA settings; the failure recorded is kept."""

    keep_changes = True


class PasswordChangeRequired(PermissionDenied):
    """The user must choose a new password before anything else; `details` say why."""

    code = "password_change_required"
