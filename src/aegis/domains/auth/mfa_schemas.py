"""Schemas of multi-factor sign-in: challenges, enrolment, codes and requirements."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aegis.domains.auth.schemas import TokenPair
from aegis.domains.common.bounds import Id

MfaMethod = Literal["totp", "recovery_code"]
RequirementRole = Literal["any", "admin", "analyst", "readonly"]
TotpCode = Annotated[
    str,
    Field(
        min_length=6,
        max_length=12,
        pattern=r"^[0-9 ]+$",
        description="The 6-digit code the authenticator app shows now",
    ),
]
RecoveryCodeText = Annotated[
    str,
    Field(
        min_length=16,
        max_length=40,
        pattern=r"^[A-Za-z0-9 -]+$",
        description="One of the recovery codes shown when the app was set up (each works once)",
    ),
]
ChallengeText = Field(
    min_length=20, max_length=2000, description="The challenge answered by POST /auth/login"
)


class MfaChallengeRead(BaseModel):
    """The answer to a correct password when a second factor is needed: no tokens yet."""

    mfa_required: Literal[True] = True
    challenge: str = Field(
        description="Signed, single-use; send it with a code to POST /api/v1/auth/login/mfa"
    )
    expires_in: int = Field(description="Seconds the challenge stays valid")
    methods: list[MfaMethod] = Field(description="The second factors the user can answer with")


class MfaVerifyRequest(BaseModel):
    """A challenge with one answer: an authenticator code or a recovery code."""

    model_config = ConfigDict(extra="forbid")

    challenge: str = ChallengeText
    code: TotpCode | None = None
    recovery_code: RecoveryCodeText | None = None

    @model_validator(mode="after")
    def _one_answer(self) -> MfaVerifyRequest:
        """Exactly one of code and recovery_code."""
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("send either code (from the authenticator app) or recovery_code")
        return self


class MfaChallengeRequest(BaseModel):
    """The enrolment challenge given with the mfa_enrolment_required error."""

    model_config = ConfigDict(extra="forbid")

    challenge: str = ChallengeText


class MfaEnrolConfirmRequest(BaseModel):
    """The enrolment challenge and the first code the new authenticator app shows."""

    model_config = ConfigDict(extra="forbid")

    challenge: str = ChallengeText
    code: TotpCode


class TotpEnrolment(BaseModel):
    """What an authenticator app needs: scan the QR code, or type the secret."""

    secret: str = Field(description="Base32 secret to type into the app")
    secret_grouped: str = Field(description="The same secret in groups of four characters")
    otpauth_uri: str = Field(description="otpauth:// URI the QR code encodes")
    qr_svg: str = Field(description="The QR code as an SVG element")


class RecoveryCodes(BaseModel):
    """Ten one-time codes, shown only now: keep them somewhere safe."""

    recovery_codes: list[str]


class EnrolledSignIn(RecoveryCodes):
    """Enrolment during sign-in done: the recovery codes and the session's tokens."""

    tokens: TokenPair


class CodeRequest(BaseModel):
    """A current authenticator code."""

    model_config = ConfigDict(extra="forbid")

    code: TotpCode


class DisableRequest(BaseModel):
    """Turning MFA off needs a current code or the account's password."""

    model_config = ConfigDict(extra="forbid")

    code: TotpCode | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)

    @model_validator(mode="after")
    def _one_proof(self) -> DisableRequest:
        """Exactly one of code and password."""
        if (self.code is None) == (self.password is None):
            raise ValueError("send either code (from the authenticator app) or password")
        return self


class MfaStatus(BaseModel):
    """The caller's multi-factor sign-in."""

    totp_enabled: bool = Field(description="An authenticator app is set up and confirmed")
    totp_pending: bool = Field(description="Set-up started and waiting for its first code")
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool = Field(description="A rule of the caller's units or roles requires MFA")


class MfaRequirementCreate(BaseModel):
    """Require MFA of the users holding a role (or any role) on a unit or below."""

    model_config = ConfigDict(extra="forbid")

    unit_id: Id
    role: RequirementRole = "any"


class MfaRequirementRead(BaseModel):
    """A rule requiring MFA."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    role: RequirementRole
    created_at: datetime
    created_by_id: int | None


class UserMfaRead(BaseModel):
    """Whether a user has multi-factor sign-in, as their administrator sees it."""

    user_id: int
    totp_enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool


class EnrolmentChallenge(BaseModel):
    """The limited challenge that only opens enrolment."""

    challenge: str = Field(description="Send it to POST /api/v1/auth/login/mfa/enrol")
    expires_in: int = Field(description="Seconds the challenge stays valid")
    enrol_with: str = Field(description="The route that starts enrolment")


class EnrolmentRequiredError(BaseModel):
    """Why the sign-in stopped: MFA is required and not set up yet."""

    code: Literal["mfa_enrolment_required"]
    message: str
    details: EnrolmentChallenge


class EnrolmentRequiredBody(BaseModel):
    """The 403 answer to a right password of a user who must set up MFA first."""

    error: EnrolmentRequiredError
