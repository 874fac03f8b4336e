"""Sign-in, token refresh, logout, the current user and their login sessions."""

from __future__ import annotations

from fastapi import APIRouter, status

from aegis.domains.auth import service
from aegis.domains.auth.mfa_schemas import EnrolmentRequiredBody, MfaChallengeRead
from aegis.domains.auth.password_confirmation import confirm_password
from aegis.domains.auth.schemas import (
    LoginRequest,
    PasswordConfirmation,
    RefreshRequest,
    SessionRead,
    TokenPair,
)
from aegis.domains.common.bounds import Id
from aegis.domains.users import service as users
from aegis.domains.users.schemas import MeRead, OwnPasswordChange
from aegis.http.deps import (
    ClientDep,
    CurrentPrincipal,
    SessionDep,
    SessionPolicyDep,
    SignedInPrincipal,
    TokenPolicyDep,
)
from aegis.http.openapi import sensitive_responses

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=TokenPair | MfaChallengeRead,
    responses={
        403: {
            "model": EnrolmentRequiredBody,
            "description": "MFA is required of the user and not set up: enrol first",
        }
    },
)
def login(
    body: LoginRequest, session: SessionDep, policy: TokenPolicyDep, client: ClientDep
) -> TokenPair | MfaChallengeRead:
    """Exchange e-mail and password for an access token and a refresh token.

    A user with multi-factor sign-in gets an MFA challenge instead (`mfa_required: true`),
    to answer at POST /api/v1/auth/login/mfa. A user who must use MFA but has none set up
    is refused with `mfa_enrolment_required`, whose details carry a challenge that only
    opens enrolment (POST /api/v1/auth/login/mfa/enrol).
    """
    return service.login(
        session=session, email=body.email, password=body.password, policy=policy, client=client
    )


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshRequest, session: SessionDep, policy: TokenPolicyDep) -> TokenPair:
    """Exchange a refresh token (usable once) for a new pair, within the session's limits."""
    return service.refresh(session=session, refresh_token=body.refresh_token, policy=policy)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    session: SessionDep, principal: SignedInPrincipal, body: RefreshRequest | None = None
) -> None:
    """Revoke the current login session; its tokens stop working at once."""
    service.logout(
        session=session, principal=principal, refresh_token=body.refresh_token if body else None
    )


@router.post("/confirm-password", status_code=status.HTTP_204_NO_CONTENT)
def confirm(body: PasswordConfirmation, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Type the password again: for the next minutes this session may do sensitive actions.

    Sensitive actions (creating an API token, setting another user's password, changing
    roles, disabling a user, resetting or requiring MFA, ending your other sessions) answer
    403 `password_confirmation_required` when the password was last typed, at sign-in or
    here, longer ago than AEGIS_PASSWORD_CONFIRMATION_MINUTES. A wrong password answers
    422 and counts as a failed sign-in: too many lock the account (429).
    """
    confirm_password(session=session, principal=principal, password=body.password)


@router.get("/me", response_model=MeRead)
def me(session: SessionDep, principal: SignedInPrincipal) -> MeRead:
    """The signed-in user and their role assignments.

    `password_change_reason` set means the user must choose a new password first: until
    then every other route but this one, sign-out and POST /api/v1/auth/password answers
    403 `password_change_required`.
    """
    return users.me(session=session, principal=principal)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: OwnPasswordChange, session: SessionDep, principal: SignedInPrincipal
) -> None:
    """Change your own password (12 to 128 characters, held to the password policy).

    The current password is checked first. Every session of the user ends, this one
    included: sign in again with the new password. A change an administrator or the
    password list asked for (`password_change_required`) is then done.
    """
    users.change_own_password(
        session=session,
        principal=principal,
        current=body.current_password,
        new=body.new_password,
    )


@router.get("/sessions", response_model=list[SessionRead])
def sessions(
    session: SessionDep, principal: CurrentPrincipal, policy: SessionPolicyDep
) -> list[SessionRead]:
    """The caller's active login sessions (browser and API), most recently used first."""
    return service.list_sessions(session=session, principal=principal, policy=policy)


@router.delete("/sessions", status_code=status.HTTP_204_NO_CONTENT, responses=sensitive_responses())
def sign_out_everywhere(session: SessionDep, principal: CurrentPrincipal) -> None:
    """Sign out everywhere: every session of the caller ends, this one included.

    Needs the password confirmed recently (POST /api/v1/auth/confirm-password).
    """
    service.sign_out_everywhere(session=session, principal=principal)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=sensitive_responses(),
)
def revoke_session(
    session_id: Id,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> None:
    """End one of the caller's sessions; another user's session is not found.

    Ending another session than this one needs the password confirmed recently.
    """
    service.revoke_session(session=session, principal=principal, session_id=session_id)
