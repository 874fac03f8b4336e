"""Schemas of multi-factor sign-in: challenges, enrolment, codes and requirements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aegis.domains.auth.schemas import TokenPair
from aegis.domains.common.bounds import Id
from aegis.domains.common.text import SingleLine

MfaMethod = Literal["totp", "webauthn", "recovery_code"]
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
        min_length=25,
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
    webauthn: dict[str, Any] | None = Field(
        None,
        description="The PublicKeyCredential from navigator.credentials.get(), as JSON, "
        "after POST /api/v1/auth/login/mfa/webauthn/options",
    )

    @model_validator(mode="after")
    def _one_answer(self) -> MfaVerifyRequest:
        """Exactly one of code, recovery_code and webauthn."""
        answers = (self.code, self.recovery_code, self.webauthn)
        if sum(answer is not None for answer in answers) != 1:
            raise ValueError(
                "send one of code (from the authenticator app), recovery_code or webauthn"
            )
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
    security_keys: int = Field(description="How many security keys are registered")
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
    security_keys: int
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


@dataclass(frozen=True)
class RelyingParty:
    """Who security keys sign for: the site's host name and the origin pages are served from."""

    id: str
    origin: str
    name: str = "Aegis"


class WebAuthnOptions(BaseModel):
    """Options for the browser's navigator.credentials.create() or .get(), as JSON."""

    public_key: dict[str, Any] = Field(
        description="PublicKeyCredentialCreationOptions or ...RequestOptions, base64url-encoded"
    )


class SecurityKeyCreate(BaseModel):
    """A new security key: a name to tell it apart and the browser's credential (JSON)."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=100)
    credential: dict[str, Any] = Field(
        description="The PublicKeyCredential from navigator.credentials.create(), as JSON"
    )


class SecurityKeyRead(BaseModel):
    """One of the caller's security keys."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


class SecurityKeyRegistered(BaseModel):
    """The key registered; recovery codes (shown once) when it is the first second factor."""

    key: SecurityKeyRead
    recovery_codes: list[str] | None = None


class PasswordRequest(BaseModel):
    """The account's password, asked again before removing a second factor."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)
