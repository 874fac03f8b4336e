"""Authenticator-app codes (TOTP, RFC 6238): secrets, the otpauth URI, its QR code, checks."""

from __future__ import annotations

import hmac
import io
import re
from datetime import datetime
from typing import Literal

import pyotp
import segno

ISSUER = "Aegis"
DIGITS = 6
WINDOW = 1  # codes of the previous and next 30-second step are accepted (clock drift)
CODE = re.compile(r"[0-9]{6}")

Check = Literal["ok", "replayed", "wrong"]


def new_secret() -> str:
    """A random 160-bit secret in base32, as authenticator apps take it."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str) -> str:
    """The QR code of the URI as an SVG element (no script, no style: fit for the page policy)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=5,
        border=4,
        dark="#000",
        light="#fff",
        title="QR code to scan with your authenticator app",
        svgclass="qr-code",
        lineclass=None,
    )
    return out.getvalue().decode()


def normalise(code: str) -> str | None:
    """The six digits typed (spaces allowed), else None."""
    digits = "".join(code.split())
    return digits if CODE.fullmatch(digits) else None


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step (of those around `at`) whose code this is, else None."""
    digits = normalise(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS)
    now = totp.timecode(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def check(secret: str, code: str, at: datetime, last_used_step: int | None) -> tuple[Check, int]:
    """Whether a code is right, and new: a code of a step already used is refused."""
    step = matching_step(secret, code, at)
    if step is None:
        return "wrong", -1
    if last_used_step is not None and step <= last_used_step:
        return "replayed", step
    return "ok", step
