"""The password policy (NIST SP 800-63B): long enough, not a known common password, hard to guess.

No composition rules: any character counts, spaces included. A password is refused when it is
shorter than 12 or longer than 128 characters, when it is on the shipped list of common and
breached passwords (compared without regard to case), or when the zxcvbn estimate of how
easily it is guessed, knowing the user's name and e-mail address, scores below 3 of 4.
The same list is checked at sign-in (`is_common`), and the same estimate drives the strength
meter shown while a new password is typed (`estimate`).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from zxcvbn import zxcvbn

from aegis.core.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_STRENGTH = 3  # zxcvbn score, 0 (guessed at once) to 4 (very unlikely to be guessed)
ESTIMATED_LENGTH = 72  # zxcvbn's own bound; a longer password is estimated on its beginning
COMMON_LIST = "common-passwords.txt.gz"
MIN_OWN_CHARACTERS = 8  # letters and digits left once the user's name and address are taken out
COMMON = "is one of the most commonly used passwords; choose one that is not on such lists"
PERSONAL = (
    "is mostly your name or e-mail address; add several words that have nothing to do with you"
)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords, in lower case."""
    data = (resources.files("aegis") / "data" / "passwords" / COMMON_LIST).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split("\n")) - {""}


def is_common(password: str) -> bool:
    """Whether the password is on the shipped list of common and breached passwords."""
    listed = common_passwords()
    return password.lower() in listed or password.strip().lower() in listed


def _hints(context: Iterable[str | None]) -> list[str]:
    """Words of the user's name and e-mail address that a guesser would try first."""
    hints: list[str] = []
    for value in context:
        if value:
            hints.append(value.lower())
            hints.extend(part for part in re.split(r"[^a-z0-9]+", value.lower()) if len(part) > 2)
    return hints


def _mostly_personal(password: str, hints: list[str]) -> bool:
    """Whether little is left of the password once the words of the user's name are removed."""
    rest = password.lower()
    for hint in sorted(set(hints), key=len, reverse=True):
        rest = rest.replace(hint, "")
    return len(re.sub(r"[\W_]+", "", rest)) < MIN_OWN_CHARACTERS


def _guessable(password: str, context: Iterable[str | None], previous: str | None) -> str | None:
    """Why the password is easy to guess for someone who knows the user, or None."""
    hints = _hints(context)
    if _mostly_personal(password, hints):
        return PERSONAL
    known = [*hints, previous.lower()] if previous else hints
    result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=known)
    if result["score"] >= MIN_STRENGTH:
        return None
    warning = str(result["feedback"].get("warning") or "").rstrip(".")
    reason = f" ({warning[:1].lower()}{warning[1:]})" if warning else ""
    return (
        f"is too easy to guess{reason}; use a longer phrase of several unrelated words, "
        "not your name or e-mail address"
    )


def weakness(
    password: str, context: Iterable[str | None] = (), previous: str | None = None
) -> str | None:
    """What is wrong with a password, as the end of a sentence, or None when it is acceptable.

    `context` is the user's name and e-mail address, `previous` the password it replaces.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters"
    if is_common(password):
        return COMMON
    return _guessable(password, context, previous)


def require_strong(
    password: str,
    *,
    context: Iterable[str | None],
    previous: str | None = None,
    field: str = "password",
    label: str = "password",
) -> str:
    """Return the password, or raise a ValidationFailed naming the field and saying why."""
    problem = weakness(password, context, previous)
    if problem is not None:
        raise ValidationFailed(f"The {label} {problem}", field=field)
    return password


STRENGTH_WORDS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")


@dataclass(frozen=True)
class Estimate:
    """How a password being typed fares: a score of 0 to 4, and whether it would be accepted."""

    score: int
    words: str  # the score in words, such as "Weak"
    feedback: str  # a sentence for the person typing


def estimate(password: str, context: Iterable[str | None] = ()) -> Estimate:
    """The strength meter's reading of a password, by the same rules as `weakness`.

    The score is zxcvbn's (on the first 72 characters), lowered to at most 1 for a password
    the policy would refuse, so that the meter never looks good for a refused one.
    """
    context = list(context)
    problem = weakness(password, context)
    score = (
        int(zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=_hints(context))["score"])
        if password
        else 0
    )
    if problem is None:
        score = max(score, MIN_STRENGTH)
        return Estimate(score, STRENGTH_WORDS[score], "Strong enough: this password is accepted.")
    score = 0 if problem == COMMON else min(score, 1)
    if len(password) < MIN_PASSWORD_LENGTH:
        feedback = f"Too short: {len(password)} of at least {MIN_PASSWORD_LENGTH} characters."
    elif len(password) > MAX_PASSWORD_LENGTH:
        feedback = f"Too long: {len(password)} of at most {MAX_PASSWORD_LENGTH} characters."
    else:
        feedback = f"Too easy to guess: the password {problem}."
    return Estimate(score, STRENGTH_WORDS[score], feedback)
