"""The words of each security notice: what happened, when, from where, and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CLOSING = (
    "If this was not you, or you did not ask for it, contact your administrator.",
    "This notice was sent by Aegis. It holds no password, code or link to act on.",
)
ACCESS = {"read_only": "read-only", "read_write": "read and write"}


@dataclass(frozen=True)
class Wording:
    """The kind, subject and first lines of one notice."""

    kind: str
    subject: str
    what: str


def _by(admin: str | None) -> str:
    return f"An administrator ({admin})" if admin else "An administrator at the server console"


def password_changed() -> Wording:
    return Wording(
        "password_changed",
        "Your Aegis password was changed",
        "The password of your Aegis account was changed, and your other sessions were signed out.",
    )


def password_set(admin: str | None) -> Wording:
    return Wording(
        "password_set_by_admin",
        "An administrator set a new password for your Aegis account",
        f"{_by(admin)} set a new password for your Aegis account, so someone else knows "
        "it. Aegis will ask you to choose your own the next time you sign in.",
    )


def password_found_in_breaches() -> Wording:
    return Wording(
        "password_change_required",
        "Choose a new password for your Aegis account",
        "The password you signed in with is on a list of common and leaked passwords that "
        "attackers try first. Aegis asks you to choose a new one before you go on.",
    )


def mfa_enrolled() -> Wording:
    return Wording(
        "mfa_enrolled",
        "Multi-factor sign-in was set up on your Aegis account",
        "An authenticator app was set up on your Aegis account: signing in now asks for "
        "its code after your password, and ten new recovery codes were made.",
    )


def security_key_added(name: str | None) -> Wording:
    named = f' "{name}"' if name else ""
    return Wording(
        "security_key_added",
        "A security key was added to your Aegis account",
        f"The security key{named} was added to your Aegis account: it can now answer "
        "the second step of signing in.",
    )


def mfa_disabled() -> Wording:
    return Wording(
        "mfa_disabled",
        "Multi-factor sign-in was turned off on your Aegis account",
        "The authenticator app was removed from your Aegis account: signing in no longer "
        "asks for its code.",
    )


def security_key_removed(name: str | None) -> Wording:
    named = f' "{name}"' if name else ""
    return Wording(
        "security_key_removed",
        "A security key was removed from your Aegis account",
        f"The security key{named} was removed from your Aegis account: it no longer signs you in.",
    )


def mfa_reset(admin: str | None) -> Wording:
    return Wording(
        "mfa_reset",
        "An administrator reset multi-factor sign-in on your Aegis account",
        f"{_by(admin)} removed the authenticator app, security keys and recovery codes of "
        "your Aegis account and signed out your sessions. Set multi-factor sign-in up again "
        "in My account.",
    )


def recovery_codes_renewed() -> Wording:
    return Wording(
        "recovery_codes_renewed",
        "New recovery codes were made for your Aegis account",
        "Ten new recovery codes were made for your Aegis account; the old ones no longer work.",
    )


def recovery_code_used(left: object) -> Wording:
    remaining = f" {left} recovery codes are left." if isinstance(left, int) else ""
    return Wording(
        "recovery_code_used",
        "A recovery code was used to sign in to your Aegis account",
        f"A recovery code was used instead of your second factor to sign in to your Aegis "
        f"account. Each code works once.{remaining}",
    )


def api_token_created(name: object, access: object, expires_at: object) -> Wording:
    named = f' "{name}"' if isinstance(name, str) and name else ""
    rights = ACCESS.get(str(access), str(access).replace("_", " "))
    until = f", valid until {str(expires_at)[:10]}" if expires_at else ""
    return Wording(
        "api_token_created",
        "An API token was created on your Aegis account",
        f"The API token{named} was created on your Aegis account with {rights} access"
        f"{until}. Programs holding it act as you within its units.",
    )


def account_locked(until: datetime | None) -> Wording:
    when = f" until {stamp(until)}" if until else ""
    return Wording(
        "account_locked",
        "Your Aegis account was locked after failed sign-ins",
        f"Signing in to your Aegis account is locked{when} after too many failed attempts "
        "(wrong password or wrong codes). An administrator can lift the lock sooner.",
    )


def code_reused() -> Wording:
    return Wording(
        "code_reused",
        "A used sign-in code was tried again on your Aegis account",
        "A code of your authenticator app that had already been used was entered again, "
        "and refused. Someone may have seen the code or your screen; if you did not enter "
        "it twice yourself, change your password.",
    )


def new_device_sign_in() -> Wording:
    return Wording(
        "new_device_sign_in",
        "New sign-in to your Aegis account",
        "Your Aegis account was signed in to from a device and address not seen on it "
        "before. If you just signed in, there is nothing to do.",
    )


def stamp(moment: datetime) -> str:
    """A time as people read it: '2026-12-02 14:03 UTC'."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def body(name: str, wording: Wording, at: datetime, address: str | None, device: str | None) -> str:
    """The plain-text message: greeting, what happened, when, from where, what to do."""
    facts = [f"When: {stamp(at)}"]
    if address:
        facts.append(f"From address: {address}")
    if device:
        facts.append(f"Device: {device}")
    return "\n".join([f"Hello {name},", "", wording.what, "", *facts, "", *CLOSING, ""])
