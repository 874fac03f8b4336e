"""Multi-factor sign-in: the sign-in step, one's own set-up, admin reset and requirements."""

from __future__ import annotations

from fastapi import APIRouter, status

from aegis.domains.auth import mfa, mfa_policy
from aegis.domains.auth.mfa_schemas import (
    CodeRequest,
    DisableRequest,
    EnrolledSignIn,
    MfaChallengeRequest,
    MfaEnrolConfirmRequest,
    MfaRequirementCreate,
    MfaRequirementRead,
    MfaStatus,
    MfaVerifyRequest,
    PasswordRequest,
    RecoveryCodes,
    SecurityKeyCreate,
    SecurityKeyRead,
    SecurityKeyRegistered,
    TotpEnrolment,
    UserMfaRead,
    WebAuthnOptions,
)
from aegis.domains.auth.schemas import TokenPair
from aegis.domains.common.bounds import Id
from aegis.http.deps import ClientDep, CurrentPrincipal, SessionDep, TokenPolicyDep
from aegis.http.openapi import error_responses, sensitive_responses
from aegis.http.relying_party import RelyingPartyDep

router = APIRouter(tags=["multi-factor sign-in"])


@router.post("/auth/login/mfa", response_model=TokenPair)
def sign_in(
    body: MfaVerifyRequest,
    session: SessionDep,
    policy: TokenPolicyDep,
    client: ClientDep,
    rp: RelyingPartyDep,
) -> TokenPair:
    """Exchange the login's MFA challenge and a code (or a recovery code) for tokens.

    The challenge works once and for five minutes; a code works once. A security key answers
    with `webauthn` after POST /api/v1/auth/login/mfa/webauthn/options. Wrong answers count
    towards the account's lockout like wrong passwords.
    """
    return mfa.sign_in_api(session=session, body=body, policy=policy, rp=rp, client=client)


@router.post("/auth/login/mfa/webauthn/options", response_model=WebAuthnOptions)
def sign_in_key_options(
    body: MfaChallengeRequest, session: SessionDep, policy: TokenPolicyDep, rp: RelyingPartyDep
) -> WebAuthnOptions:
    """Options for navigator.credentials.get() to answer the login's MFA challenge."""
    options = mfa.sign_in_key_options(
        session=session, token=body.challenge, kind="api", secret=policy.jwt_secret, rp=rp
    )
    return WebAuthnOptions(public_key=options)


@router.post(
    "/auth/login/mfa/enrol", response_model=TotpEnrolment, status_code=status.HTTP_201_CREATED
)
def enrol_at_sign_in(
    body: MfaChallengeRequest, session: SessionDep, policy: TokenPolicyDep
) -> TotpEnrolment:
    """With the enrolment challenge of a login, start setting up an authenticator app."""
    return mfa.start_enrolment_at_sign_in(
        session=session, token=body.challenge, kind="api", secret=policy.jwt_secret
    )


@router.post("/auth/login/mfa/enrol/confirm", response_model=EnrolledSignIn)
def confirm_at_sign_in(
    body: MfaEnrolConfirmRequest, session: SessionDep, policy: TokenPolicyDep, client: ClientDep
) -> EnrolledSignIn:
    """Confirm the new app with its first code: recovery codes (shown once) and tokens."""
    return mfa.enrol_api(session=session, body=body, policy=policy, client=client)


@router.get("/auth/mfa", response_model=MfaStatus)
def mfa_status(session: SessionDep, principal: CurrentPrincipal) -> MfaStatus:
    """Whether the caller has MFA set up, codes left, and whether a rule requires it."""
    return mfa.status(session=session, principal=principal)


@router.post("/auth/mfa/totp", response_model=TotpEnrolment, status_code=status.HTTP_201_CREATED)
def start_totp(session: SessionDep, principal: CurrentPrincipal) -> TotpEnrolment:
    """Start setting up an authenticator app: a new secret, its URI and QR code."""
    return mfa.start_enrolment(session=session, principal=principal)


@router.post("/auth/mfa/totp/confirm", response_model=RecoveryCodes)
def confirm_totp(
    body: CodeRequest, session: SessionDep, principal: CurrentPrincipal
) -> RecoveryCodes:
    """Confirm the app with its first code; the ten recovery codes are shown only now."""
    codes = mfa.confirm_enrolment(session=session, principal=principal, code=body.code)
    return RecoveryCodes(recovery_codes=codes)


@router.post("/auth/mfa/totp/disable", status_code=status.HTTP_204_NO_CONTENT)
def disable_totp(body: DisableRequest, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Turn MFA off with a current code or the password (refused while a rule requires it)."""
    mfa.disable(session=session, principal=principal, code=body.code, password=body.password)


@router.post("/auth/mfa/recovery-codes", response_model=RecoveryCodes)
def regenerate_codes(
    body: CodeRequest, session: SessionDep, principal: CurrentPrincipal
) -> RecoveryCodes:
    """Ten new recovery codes after a current code; the old ones stop working."""
    codes = mfa.regenerate_codes(session=session, principal=principal, code=body.code)
    return RecoveryCodes(recovery_codes=codes)


@router.get("/auth/mfa/webauthn", response_model=list[SecurityKeyRead])
def security_keys(session: SessionDep, principal: CurrentPrincipal) -> list[SecurityKeyRead]:
    """The caller's security keys."""
    return mfa.security_keys(session=session, principal=principal)


@router.post("/auth/mfa/webauthn/options", response_model=WebAuthnOptions)
def key_options(
    session: SessionDep, principal: CurrentPrincipal, rp: RelyingPartyDep
) -> WebAuthnOptions:
    """Options for navigator.credentials.create() to add a security key (valid 5 minutes)."""
    options = mfa.key_registration_options(session=session, principal=principal, rp=rp, kind="api")
    return WebAuthnOptions(public_key=options)


@router.post(
    "/auth/mfa/webauthn",
    response_model=SecurityKeyRegistered,
    status_code=status.HTTP_201_CREATED,
)
def register_key(
    body: SecurityKeyCreate, session: SessionDep, principal: CurrentPrincipal, rp: RelyingPartyDep
) -> SecurityKeyRegistered:
    """Add a security key from the browser's answer; the first factor brings recovery codes."""
    return mfa.register_key(session=session, principal=principal, rp=rp, data=body)


@router.post("/auth/mfa/webauthn/{key_id}/remove", status_code=status.HTTP_204_NO_CONTENT)
def remove_key(
    key_id: Id, body: PasswordRequest, session: SessionDep, principal: CurrentPrincipal
) -> None:
    """Remove one of the caller's security keys, after the password."""
    mfa.remove_key(session=session, principal=principal, key_id=key_id, data=body)


@router.get("/users/{user_id}/mfa", response_model=UserMfaRead, responses=error_responses(403))
def user_mfa(user_id: Id, session: SessionDep, principal: CurrentPrincipal) -> UserMfaRead:
    """Whether a user the caller administers has MFA."""
    return mfa.user_status(session=session, principal=principal, user_id=user_id)


@router.post(
    "/users/{user_id}/mfa/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=sensitive_responses(),
)
def reset_user_mfa(user_id: Id, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Remove a user's MFA (lost device): they set it up again at their next sign-in."""
    mfa.reset(session=session, principal=principal, user_id=user_id)


@router.get(
    "/mfa-requirements",
    response_model=list[MfaRequirementRead],
    responses=error_responses(403),
)
def list_requirements(session: SessionDep, principal: CurrentPrincipal) -> list[MfaRequirementRead]:
    """Rules requiring MFA on the units the caller sees (administrators)."""
    return mfa_policy.list_requirements(session=session, principal=principal)


@router.post(
    "/mfa-requirements",
    response_model=MfaRequirementRead,
    status_code=status.HTTP_201_CREATED,
    responses=sensitive_responses(),
)
def add_requirement(
    body: MfaRequirementCreate, session: SessionDep, principal: CurrentPrincipal
) -> MfaRequirementRead:
    """Require MFA of a role, or of every role ("any"), on a unit and the units below it."""
    return mfa_policy.add_requirement(session=session, principal=principal, data=body)


@router.delete(
    "/mfa-requirements/{requirement_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=sensitive_responses(),
)
def remove_requirement(
    requirement_id: Id, session: SessionDep, principal: CurrentPrincipal
) -> None:
    """Drop a rule of a unit the caller administers."""
    mfa_policy.remove_requirement(
        session=session, principal=principal, requirement_id=requirement_id
    )
