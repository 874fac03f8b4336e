"""Text people type: no control or direction-changing characters, never only invisible ones."""

from __future__ import annotations

import unicodedata
from typing import Annotated

import email_validator
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# explicit embeddings, overrides and isolates: they reorder how the text around them is shown
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# letters that are drawn as nothing (Hangul fillers, the blank Braille cell, Mongolian separator)
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# formatting, combining marks and spaces: nothing to see on their own
UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"})
LINE_BREAKS_AND_TABS = frozenset("\t\n\r")

CONTROL = "must not contain line breaks, tabs or other control characters"
CONTROL_MULTILINE = "must not contain control characters other than line breaks and tabs"
DIRECTION = (
    "must not contain characters that change the direction of the text, "
    "such as a right-to-left override"
)
UNSEEN = "must contain visible characters, not only spaces or invisible ones"
INVALID = "must not contain invalid characters (unpaired surrogates)"


def text_problem(value: str, *, multiline: bool) -> str | None:
    """Why this text may not be stored (a predicate to follow the field's label), or None."""
    for char in value:
        if char in DIRECTION_CONTROLS:
            return DIRECTION
        category = unicodedata.category(char)
        if category == "Cs":
            return INVALID
        if category == "Cc" and not (multiline and char in LINE_BREAKS_AND_TABS):
            return CONTROL_MULTILINE if multiline else CONTROL
        if category in ("Zl", "Zp") and not multiline:
            return CONTROL
    if value and all(_unseen(char) for char in value):
        return UNSEEN
    return None


def _unseen(char: str) -> bool:
    return char in BLANK_LETTERS or unicodedata.category(char) in UNSEEN_CATEGORIES


def single_line(value: str) -> str:
    """A name, title, reference or search: one line of visible text."""
    problem = text_problem(value, multiline=False)
    if problem:
        raise ValueError(problem)
    return value


def multi_line(value: str) -> str:
    """A description, comment or note: lines and tabs allowed, other control characters not."""
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


SingleLine = Annotated[str, AfterValidator(single_line)]
MultiLine = Annotated[str, AfterValidator(multi_line)]

# Directory addresses such as user@corp.local or user@lab.test are real sign-in names:
# email-validator's documented switch for special-use domains is this list.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()
MAX_EMAIL_LENGTH = 254


def email_address(value: str) -> str:
    """Any syntactically valid address, its domain lower-cased, whatever the domain's use."""
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValueError(f"must be at most {MAX_EMAIL_LENGTH} characters")
    single_line(value)
    try:
        parsed = email_validator.validate_email(
            value, check_deliverability=False, globally_deliverable=False
        )
    except email_validator.EmailNotValidError as exc:
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", {"reason": str(exc)}
        ) from exc
    return str(parsed.normalized)


Email = Annotated[str, AfterValidator(email_address)]
