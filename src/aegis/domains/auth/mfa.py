"""Use cases of multi-factor sign-in: one's own set-up, the sign-in step, an admin's reset."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.core.confirmation import require_password_confirmation
from aegis.core.db import utcnow
from aegis.core.encryption import open_secret, seal_secret
from aegis.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aegis.core.security import verify_password
from aegis.domains.auth import (
    lockout,
    mfa_challenges,
    mfa_policy,
    mfa_recovery,
    mfa_step,
    mfa_totp,
    mfa_webauthn,
)
from aegis.domains.auth import repository as repo
from aegis.domains.auth import service as auth
from aegis.domains.auth.errors import MfaChallengeInvalid, MfaCodeInvalid, MfaCodeRejected
from aegis.domains.auth.mfa_challenges import Purpose
from aegis.domains.auth.mfa_schemas import (
    EnrolledSignIn,
    MfaEnrolConfirmRequest,
    MfaMethod,
    MfaStatus,
    MfaVerifyRequest,
    PasswordRequest,
    RelyingParty,
    SecurityKeyCreate,
    SecurityKeyRead,
    SecurityKeyRegistered,
    TotpEnrolment,
    UserMfaRead,
)
from aegis.domains.auth.mfa_step import METHOD, confirmed_totp, record_mfa_event
from aegis.domains.auth.schemas import (
    ClientInfo,
    OpenedSession,
    SessionPolicy,
    TokenPair,
    TokenPolicy,
)
from aegis.models import MfaChallenge, TotpCredential, User
from aegis.models.mfa import TOTP_PURPOSE

ALREADY_SET_UP = "An authenticator app is already set up: turn it off first to set up another"
NOTHING_PENDING = "Start setting up an authenticator app first"
NOT_SET_UP = "No authenticator app is set up for your account"
SECURITY_KEY = "security key"
WRONG_NEW_CODE = (
    "The code does not match: check that the app's clock is right and type the code it shows now"
)
WRONG_CODE = "Wrong code: type the code your authenticator app shows now"
REPLAYED_CODE = "This code was already used: wait for the app to show the next one"
WRONG_RECOVERY = "This recovery code is wrong or was already used"
NOT_THE_ACCOUNTS = "The password is wrong"
STILL_REQUIRED = (
    "Your organisation requires multi-factor sign-in for your account, so it cannot be "
    "turned off. If you lost your device, ask an administrator to reset it."
)


def _me(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("User not found")
    return user


def _secret(session: Session, credential: TotpCredential) -> str:
    return open_secret(session, credential.secret_sealed, purpose=TOTP_PURPOSE)


def _enrolment(secret: str, email: str) -> TotpEnrolment:
    uri = mfa_totp.provisioning_uri(secret, email)
    return TotpEnrolment(
        secret=secret,
        secret_grouped=mfa_totp.grouped(secret),
        otpauth_uri=uri,
        qr_svg=mfa_totp.qr_svg(uri),
    )


def _status(session: Session, user_id: int) -> MfaStatus:
    credential = session.get(TotpCredential, user_id)
    enabled = credential is not None and credential.confirmed_at is not None
    keys = mfa_webauthn.count(session, user_id)
    return MfaStatus(
        totp_enabled=enabled,
        totp_pending=credential is not None and not enabled,
        enabled_at=credential.confirmed_at if credential else None,
        security_keys=keys,
        recovery_codes_left=mfa_recovery.left(session, user_id) if enabled or keys else 0,
        required=mfa_policy.is_required(session, user_id),
    )


def status(*, session: Session, principal: Principal) -> MfaStatus:
    """The caller's multi-factor sign-in: set up or not, codes left, required or not."""
    return _status(session, principal.user_id)


def _start(session: Session, user: User) -> TotpEnrolment:
    """A new secret waiting for its first code (replacing one that waited)."""
    credential = session.get(TotpCredential, user.id)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict(ALREADY_SET_UP)
    secret = mfa_totp.new_secret()
    sealed = seal_secret(session, secret, purpose=TOTP_PURPOSE)
    if credential is None:
        session.add(TotpCredential(user_id=user.id, secret_sealed=sealed, created_at=utcnow()))
    else:
        credential.secret_sealed, credential.created_at = sealed, utcnow()
        credential.last_used_step = None
    session.flush()
    return _enrolment(secret, user.email)


def _pending(session: Session, user: User) -> TotpEnrolment | None:
    credential = session.get(TotpCredential, user.id)
    if credential is None or credential.confirmed_at is not None:
        return None
    return _enrolment(_secret(session, credential), user.email)


def _confirm(session: Session, user: User, code: str) -> list[str]:
    """Confirm the waiting secret with its first code; return the new recovery codes."""
    credential = session.get(TotpCredential, user.id, with_for_update=True)
    if credential is None or credential.confirmed_at is not None:
        raise Conflict(ALREADY_SET_UP if credential else NOTHING_PENDING)
    result, step = mfa_totp.check(_secret(session, credential), code, utcnow(), None)
    if result != "ok":
        raise ValidationFailed(WRONG_NEW_CODE, field="code")
    credential.confirmed_at, credential.last_used_step = utcnow(), step
    codes = mfa_recovery.replace(session, user.id)
    record_mfa_event(session, "mfa_enrolled", user, method=METHOD)
    return codes


def start_enrolment(*, session: Session, principal: Principal) -> TotpEnrolment:
    """Begin setting up an authenticator app: a new secret, its URI and QR code."""
    return _start(session, _me(session, principal))


def pending_enrolment(*, session: Session, principal: Principal) -> TotpEnrolment | None:
    """The set-up waiting for its first code, shown again (None when there is none)."""
    return _pending(session, _me(session, principal))


def confirm_enrolment(*, session: Session, principal: Principal, code: str) -> list[str]:
    """Finish setting up with the app's first code; return the ten recovery codes."""
    return _confirm(session, _me(session, principal), code)


def _refuse_code(session: Session, user: User, reason: str, message: str, field: str) -> None:
    """Count and record a wrong code (it may lock the account), then refuse the change."""
    lockout.count_failure(session, user.email, user, reason, action="mfa_failed")
    raise MfaCodeInvalid(message, field=field)


def _check_own_code(session: Session, user: User, code: str) -> None:
    """A current, unused code of the user's app, else the change is refused and counted."""
    lockout.refuse_if_locked(session, user.email, user)
    credential = confirmed_totp(session, user.id, lock=True)
    if credential is None:
        raise Conflict(NOT_SET_UP)
    now = utcnow()
    result, step = mfa_totp.check(
        _secret(session, credential), code, now, credential.last_used_step
    )
    if result == "replayed":
        _refuse_code(session, user, "code already used", REPLAYED_CODE, "code")
    if result == "wrong":
        _refuse_code(session, user, "wrong code", WRONG_CODE, "code")
    credential.last_used_step = step


def regenerate_codes(*, session: Session, principal: Principal, code: str) -> list[str]:
    """Ten new recovery codes (the old ones stop working), after a current code."""
    user = _me(session, principal)
    _check_own_code(session, user, code)
    codes = mfa_recovery.replace(session, user.id)
    record_mfa_event(session, "mfa_codes_regenerated", user)
    return codes


def _forget(session: Session, user_id: int, *, keys: bool = True) -> bool:
    """Remove a user's app (and security keys), recovery codes left without a factor, and
    open challenges; whether a second factor was set up."""
    credential = session.get(TotpCredential, user_id)
    had = credential is not None and credential.confirmed_at is not None
    if credential is not None:
        session.delete(credential)
    for key in mfa_webauthn.keys_of(session, user_id) if keys else []:
        session.delete(key)
        had = True
    session.flush()
    if not mfa_step.has_mfa(session, user_id):
        mfa_recovery.forget(session, user_id)
    session.execute(
        update(MfaChallenge)
        .where(MfaChallenge.user_id == user_id, MfaChallenge.used_at.is_(None))
        .values(used_at=utcnow())
    )
    session.flush()
    return had


def disable(
    *, session: Session, principal: Principal, code: str | None, password: str | None
) -> None:
    """Turn MFA off with a current code or the password; refused while a rule requires it."""
    user = _me(session, principal)
    if confirmed_totp(session, user.id) is None:
        raise Conflict(NOT_SET_UP)
    if mfa_policy.is_required(session, user.id) and not mfa_webauthn.count(session, user.id):
        raise Conflict(STILL_REQUIRED)
    if password is not None:
        lockout.refuse_if_locked(session, user.email, user)
        if not verify_password(password, user.password_hash):
            _refuse_code(session, user, "wrong password", NOT_THE_ACCOUNTS, "password")
    else:
        _check_own_code(session, user, code or "")
    _forget(session, user.id, keys=False)
    record_mfa_event(session, "mfa_disabled", user, method=METHOD, level="warning")


def _administered(session: Session, principal: Principal, user_id: int) -> User:
    """A user the caller sees, every role of whom lies in units the caller administers."""
    principal.require_admin()
    units = {assignment.unit_id for assignment in repo.assignments_of(session, user_id)}
    user = session.get(User, user_id)
    if user is None or not units & principal.readable:
        raise NotFound("User not found")
    if not units <= principal.administrable:
        raise PermissionDenied("This user holds roles outside the units you administer")
    return user


def user_status(*, session: Session, principal: Principal, user_id: int) -> UserMfaRead:
    """Whether a user the caller administers has MFA."""
    user = _administered(session, principal, user_id)
    found = _status(session, user.id)
    return UserMfaRead(
        user_id=user.id,
        totp_enabled=found.totp_enabled,
        enabled_at=found.enabled_at,
        security_keys=found.security_keys,
        recovery_codes_left=found.recovery_codes_left,
        required=found.required,
    )


def reset(*, session: Session, principal: Principal | None, user_id: int) -> bool:
    """Remove a user's MFA and end their sessions; `principal` None: the console.

    They sign in again, setting MFA up first where a rule requires it. Returns whether the
    user had a second factor.
    """
    if principal is None:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("User not found")
        actor: tuple[int | None, str | None] = (None, None)
    else:
        user = _administered(session, principal, user_id)
        require_password_confirmation(principal, "reset a user's multi-factor sign-in")
        actor = (principal.user_id, principal.email)
    had = _forget(session, user.id)
    ended = repo.revoke_sessions_of(session, user.id, utcnow())
    record_mfa_event(
        session, "mfa_reset", user, actor=actor, level="warning", had_mfa=had, sessions_ended=ended
    )
    return had


def _fail_sign_in(session: Session, user: User, reason: str, message: str, method: str) -> None:
    """Count and record a wrong code at sign-in (it may lock the account), then refuse."""
    lockout.count_failure(session, user.email, user, reason, action="mfa_failed", method=method)
    raise MfaCodeRejected(message)


def _challenge_user(session: Session, challenge: MfaChallenge) -> User:
    user = session.get(User, challenge.user_id)
    if user is None or not user.is_active:
        raise MfaChallengeInvalid(mfa_challenges.INVALID)
    return user


def verify_sign_in(
    *,
    session: Session,
    token: str,
    kind: str,
    secret: str,
    code: str | None,
    recovery_code: str | None,
    webauthn: dict[str, Any] | None = None,
    rp: RelyingParty | None = None,
) -> User:
    """The user a challenge was given to, once answered with a right and unused code or key."""
    challenge = mfa_challenges.find(
        session, token, purpose="verify", kind=kind, secret=secret, lock=True
    )
    user = _challenge_user(session, challenge)
    lockout.refuse_if_locked(session, user.email, user)
    if recovery_code is not None:
        if not mfa_recovery.consume(session, user.id, recovery_code):
            _fail_sign_in(session, user, "wrong recovery code", WRONG_RECOVERY, "recovery code")
        left = mfa_recovery.left(session, user.id)
        record_mfa_event(session, "mfa_recovery_code_used", user, level="warning", left=left)
    elif webauthn is not None:
        key = mfa_webauthn.check_assertion(session, challenge, rp, webauthn) if rp else None
        if key is None:
            reason = "security key not accepted"
            _fail_sign_in(session, user, reason, mfa_webauthn.NOT_ACCEPTED, SECURITY_KEY)
    else:
        credential = confirmed_totp(session, user.id, lock=True)
        if credential is None:  # reset since the password was checked
            raise MfaChallengeInvalid(mfa_challenges.INVALID)
        secret_text = _secret(session, credential)
        result, step = mfa_totp.check(secret_text, code or "", utcnow(), credential.last_used_step)
        if result == "replayed":
            _fail_sign_in(session, user, "code already used", REPLAYED_CODE, METHOD)
        if result == "wrong":
            _fail_sign_in(session, user, "wrong code", WRONG_CODE, METHOD)
        credential.last_used_step = step
    mfa_challenges.use(session, challenge)
    return user


def _enrolling(
    session: Session, token: str, kind: str, secret: str, lock: bool
) -> tuple[MfaChallenge, User]:
    challenge = mfa_challenges.find(
        session, token, purpose="enrol", kind=kind, secret=secret, lock=lock
    )
    return challenge, _challenge_user(session, challenge)


def start_enrolment_at_sign_in(
    *, session: Session, token: str, kind: str, secret: str
) -> TotpEnrolment:
    """Begin setting up an app under an enrolment challenge (no session yet)."""
    _challenge, user = _enrolling(session, token, kind, secret, lock=False)
    return _start(session, user)


def pending_enrolment_at_sign_in(
    *, session: Session, token: str, kind: str, secret: str
) -> TotpEnrolment | None:
    """The set-up waiting under an enrolment challenge, shown again."""
    _challenge, user = _enrolling(session, token, kind, secret, lock=False)
    return _pending(session, user)


def confirm_enrolment_at_sign_in(
    *, session: Session, token: str, kind: str, secret: str, code: str
) -> tuple[User, list[str]]:
    """Finish setting up under an enrolment challenge; the user and their recovery codes."""
    challenge, user = _enrolling(session, token, kind, secret, lock=True)
    codes = _confirm(session, user, code)
    mfa_challenges.use(session, challenge)
    return user, codes


def sign_in_api(
    *,
    session: Session,
    body: MfaVerifyRequest,
    policy: TokenPolicy,
    rp: RelyingParty,
    client: ClientInfo | None = None,
) -> TokenPair:
    """Exchange a sign-in challenge and a code for the API's token pair."""
    user = verify_sign_in(
        session=session,
        token=body.challenge,
        kind="api",
        secret=policy.jwt_secret,
        code=body.code,
        recovery_code=body.recovery_code,
        webauthn=body.webauthn,
        rp=rp,
    )
    return auth.finish_api_sign_in(session=session, user=user, policy=policy, client=client)


def sign_in_browser(
    *,
    session: Session,
    token: str,
    code: str | None,
    recovery_code: str | None,
    policy: SessionPolicy,
    secret: str,
    client: ClientInfo | None = None,
    webauthn: dict[str, Any] | None = None,
    rp: RelyingParty | None = None,
) -> OpenedSession:
    """Open the browser session a sign-in challenge answered with a right code leads to."""
    user = verify_sign_in(
        session=session,
        token=token,
        kind="browser",
        secret=secret,
        code=code,
        recovery_code=recovery_code,
        webauthn=webauthn,
        rp=rp,
    )
    return auth.finish_browser_sign_in(session=session, user=user, policy=policy, client=client)


def enrol_api(
    *,
    session: Session,
    body: MfaEnrolConfirmRequest,
    policy: TokenPolicy,
    client: ClientInfo | None = None,
) -> EnrolledSignIn:
    """Finish the enrolment required at sign-in: the recovery codes and the token pair."""
    user, codes = confirm_enrolment_at_sign_in(
        session=session, token=body.challenge, kind="api", secret=policy.jwt_secret, code=body.code
    )
    tokens = auth.finish_api_sign_in(session=session, user=user, policy=policy, client=client)
    return EnrolledSignIn(recovery_codes=codes, tokens=tokens)


def enrol_browser(
    *,
    session: Session,
    token: str,
    code: str,
    policy: SessionPolicy,
    secret: str,
    client: ClientInfo | None = None,
) -> tuple[OpenedSession, list[str]]:
    """Finish the enrolment required at sign-in: the browser session and the recovery codes."""
    user, codes = confirm_enrolment_at_sign_in(
        session=session, token=token, kind="browser", secret=secret, code=code
    )
    opened = auth.finish_browser_sign_in(session=session, user=user, policy=policy, client=client)
    return opened, codes


def challenged(
    *, session: Session, token: str, kind: str, secret: str, purpose: Purpose
) -> tuple[str, list[MfaMethod]] | None:
    """The e-mail and second factors of the user an open challenge was given to, else None."""
    try:
        challenge = mfa_challenges.find(session, token, purpose=purpose, kind=kind, secret=secret)
    except MfaChallengeInvalid:
        return None
    user = session.get(User, challenge.user_id)
    if user is None or not user.is_active:
        return None
    return user.email, mfa_step.methods(session, user.id)


def security_keys(*, session: Session, principal: Principal) -> list[SecurityKeyRead]:
    """The caller's security keys."""
    rows = mfa_webauthn.keys_of(session, principal.user_id)
    return [SecurityKeyRead.model_validate(row) for row in rows]


def key_registration_options(
    *, session: Session, principal: Principal, rp: RelyingParty, kind: str
) -> dict[str, Any]:
    """Options for the browser to create a new security key of the caller."""
    return mfa_webauthn.registration_options(session, _me(session, principal), rp, kind)


def register_key(
    *, session: Session, principal: Principal, rp: RelyingParty, data: SecurityKeyCreate
) -> SecurityKeyRegistered:
    """Add a verified security key; recovery codes come with a first second factor."""
    user = _me(session, principal)
    first = not mfa_step.has_mfa(session, user.id)
    key = mfa_webauthn.register(session, user, rp, data.name, data.credential)
    codes = mfa_recovery.replace(session, user.id) if first else None
    record_mfa_event(session, "mfa_enrolled", user, method=SECURITY_KEY, key=data.name)
    return SecurityKeyRegistered(key=key, recovery_codes=codes)


def remove_key(
    *, session: Session, principal: Principal, key_id: int, data: PasswordRequest
) -> None:
    """Remove one of the caller's keys after the password; refused if it is the last factor
    a rule requires."""
    user = _me(session, principal)
    key = next((k for k in mfa_webauthn.keys_of(session, user.id) if k.id == key_id), None)
    if key is None:
        raise NotFound("No such security key among yours")
    lockout.refuse_if_locked(session, user.email, user)
    if not verify_password(data.password, user.password_hash):
        _refuse_code(session, user, "wrong password", NOT_THE_ACCOUNTS, "password")
    other_factor = (
        confirmed_totp(session, user.id) is not None or mfa_webauthn.count(session, user.id) > 1
    )
    if not other_factor and mfa_policy.is_required(session, user.id):
        raise Conflict(STILL_REQUIRED)
    name = key.name
    session.delete(key)
    session.flush()
    if not mfa_step.has_mfa(session, user.id):
        mfa_recovery.forget(session, user.id)
    record_mfa_event(session, "mfa_disabled", user, method=SECURITY_KEY, key=name, level="warning")


def sign_in_key_options(
    *, session: Session, token: str, kind: str, secret: str, rp: RelyingParty
) -> dict[str, Any]:
    """Options for the browser to sign the sign-in step with one of the user's keys."""
    challenge = mfa_challenges.find(
        session, token, purpose="verify", kind=kind, secret=secret, lock=True
    )
    _challenge_user(session, challenge)
    return mfa_webauthn.authentication_options(session, challenge, rp)
