"""Security keys (WebAuthn): registering one, and answering the sign-in step with one.

Verification is the `webauthn` library's: the challenge, origin, relying party, signature
and signature counter of every answer are checked against what Aegis sent and stored.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from aegis.core.db import utcnow
from aegis.core.encryption import open_secret, seal_secret
from aegis.core.errors import Conflict, ValidationFailed
from aegis.core.security import token_digest
from aegis.domains.auth.mfa_schemas import RelyingParty, SecurityKeyRead
from aegis.models import MfaChallenge, SecurityKey, User
from aegis.models.mfa import WEBAUTHN_PURPOSE

REGISTRATION_LIFETIME = timedelta(minutes=5)
NOT_ACCEPTED = "The security key's answer was not accepted: try again, or use another key"
NO_KEY = "No security key is registered for this account"
KNOWN_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


def keys_of(session: Session, user_id: int) -> list[SecurityKey]:
    """A user's security keys, oldest first."""
    stmt = select(SecurityKey).where(SecurityKey.user_id == user_id).order_by(SecurityKey.id)
    return list(session.scalars(stmt))


def count(session: Session, user_id: int) -> int:
    """How many security keys a user has."""
    stmt = select(func.count()).where(SecurityKey.user_id == user_id)
    return int(session.scalar(stmt) or 0)


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(key.credential_id),
            transports=[AuthenticatorTransport(t) for t in key.transports.split(",") if t],
        )
        for key in keys
    ]


def registration_options(
    session: Session, user: User, rp: RelyingParty, kind: str
) -> dict[str, Any]:
    """Options to create a credential for the user; the challenge is kept for the answer."""
    challenge = secrets.token_bytes(32)
    now = utcnow()
    session.add(
        MfaChallenge(
            user_id=user.id,
            key_hash=token_digest(secrets.token_urlsafe(32)),
            purpose="register",
            kind=kind,
            created_at=now,
            expires_at=now + REGISTRATION_LIFETIME,
            webauthn_challenge=bytes_to_base64url(challenge),
        )
    )
    session.flush()
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=user.id.to_bytes(8, "big"),
        user_display_name=user.name,
        challenge=challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(keys_of(session, user.id)),
    )
    return options_to_json_dict(options)


def _client_challenge(credential: dict[str, Any]) -> str | None:
    """The challenge a credential's client data says it answers (checked again on verify)."""
    try:
        response = credential["response"]
        data = json.loads(base64url_to_bytes(response["clientDataJSON"]))
        value = data["challenge"]
    except (KeyError, TypeError, ValueError):
        return None
    return value if isinstance(value, str) and len(value) <= 128 else None


def register(
    session: Session, user: User, rp: RelyingParty, name: str, credential: dict[str, Any]
) -> SecurityKeyRead:
    """Verify a new credential against the challenge given to this user; store its key."""
    sent = _client_challenge(credential)
    pending = (
        session.scalar(
            select(MfaChallenge)
            .where(
                MfaChallenge.user_id == user.id,
                MfaChallenge.purpose == "register",
                MfaChallenge.webauthn_challenge == sent,
                MfaChallenge.used_at.is_(None),
                MfaChallenge.expires_at > utcnow(),
            )
            .with_for_update()
        )
        if sent
        else None
    )
    if pending is None or pending.webauthn_challenge is None:
        raise ValidationFailed(
            "This security key answered an expired or unknown request: add it again",
            field="credential",
        )
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(pending.webauthn_challenge),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(
            "The security key's answer could not be verified: add it again", field="credential"
        ) from exc
    pending.used_at = utcnow()
    digest = token_digest(bytes_to_base64url(verified.credential_id))
    if session.scalar(select(SecurityKey.id).where(SecurityKey.credential_hash == digest)):
        raise Conflict("This security key is already registered")
    transports = credential.get("response", {}).get("transports") or []
    key = SecurityKey(
        user_id=user.id,
        name=name,
        credential_id=bytes_to_base64url(verified.credential_id),
        credential_hash=digest,
        public_key_sealed=seal_secret(
            session,
            bytes_to_base64url(verified.credential_public_key),
            purpose=WEBAUTHN_PURPOSE,
        ),
        sign_count=verified.sign_count,
        transports=",".join(t for t in transports if t in KNOWN_TRANSPORTS)[:200],
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    return SecurityKeyRead.model_validate(key)


def authentication_options(
    session: Session, challenge: MfaChallenge, rp: RelyingParty
) -> dict[str, Any]:
    """Options to sign the sign-in step with one of the user's keys (kept on the challenge)."""
    keys = keys_of(session, challenge.user_id)
    if not keys:
        raise Conflict(NO_KEY)
    value = secrets.token_bytes(32)
    challenge.webauthn_challenge = bytes_to_base64url(value)
    session.flush()
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=value,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json_dict(options)


def check_assertion(
    session: Session, challenge: MfaChallenge, rp: RelyingParty, credential: dict[str, Any]
) -> SecurityKey | None:
    """The user's key that signed the challenge's WebAuthn challenge, else None."""
    raw_id = credential.get("rawId") or credential.get("id")
    if not isinstance(raw_id, str) or challenge.webauthn_challenge is None or len(raw_id) > 2000:
        return None
    try:
        named = bytes_to_base64url(base64url_to_bytes(raw_id))
    except ValueError:
        return None
    key = session.scalar(
        select(SecurityKey)
        .where(
            SecurityKey.credential_hash == token_digest(named),
            SecurityKey.user_id == challenge.user_id,
        )
        .with_for_update()
    )
    if key is None:
        return None
    public_key = open_secret(session, key.public_key_sealed, purpose=WEBAUTHN_PURPOSE)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge.webauthn_challenge),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=base64url_to_bytes(public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError):
        return None
    key.sign_count, key.last_used_at = verified.new_sign_count, utcnow()
    challenge.webauthn_challenge = None  # one signature per WebAuthn challenge
    session.flush()
    return key
