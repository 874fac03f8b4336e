"""Plain-language wording of validation errors, each naming the field it is about."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Location = Sequence[str | int]

LABELS = {
    "acceptance_expires_on": "Acceptance expiry",
    "body": "Text",
    "color": "Colour",
    "current_impact": "Current impact (residual once assessed)",
    "current_level": "Current level (residual once assessed)",
    "current_likelihood": "Current likelihood (residual once assessed)",
    "depends_on_ids": "Dependencies",
    "email": "E-mail",
    "entity_id": "Object id",
    "entity_name": "Object",
    "entity_type": "Object type",
    "evidence_ids": "Evidence",
    "expires_on": "Expiry date",
    "include_children": "Include sub-units",
    "is_active": "Active",
    "q": "Search",
    "ref": "Reference",
    "ref_id": "Reference",
    "request_id": "Request id",
    "sha256": "SHA-256",
    "signature": "Malware found",
    "upload_kind": "Uploaded as",
}
WORDS = {
    "ip": "IP",
    "url": "URL",
    "csv": "CSV",
    "oscal": "OSCAL",
    "min": "minimum",
    "max": "maximum",
}

_HOST_PART = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PATTERNS = {
    rf"^{_HOST_PART}(\.{_HOST_PART})*$": (
        "must be a host name like server-01.example.com: letters, digits and '-' "
        "in parts separated by dots"
    ),
    r"^[^\x00-\x1f\x7f]+$": "must not contain line breaks, tabs or other control characters",
    r"^[a-z0-9][a-z0-9._-]{0,99}$": (
        "may contain only letters, digits, '.', '-' and '_', must start with a letter or digit "
        "and be at most 100 characters long"
    ),
    r"^#[0-9A-Fa-f]{6}$": "must be a colour like #1f77b4",
    r"^[0-9 ]+$": "must be the 6 digits the authenticator app shows, like 123456",
    r"^[A-Za-z0-9 -]+$": "must be a recovery code like k7dmx-2qa9f-weptr-4hn3c-a8sdq",
}

_NUMBER = "must be a number"
_WHOLE = "must be a whole number"
_BOOLEAN = "must be true or false"
_LIST = "must be a list"
_OBJECT = "must be an object with named fields"
_URL = "must be a web address like https://example.com"
_UUID = "must be a UUID like 123e4567-e89b-12d3-a456-426614174000"
_DATE = "must be a date like 2026-12-31"
_DATETIME = "must be a date like 2026-12-31 or a date and time like 2026-12-31T17:30"
PHRASES = {
    "missing": "is required",
    "repeated_parameter": "is given more than once: give it once, it takes a single value",
    "string_type": "must be text",
    "int_parsing": _WHOLE,
    "int_type": _WHOLE,
    "int_from_float": _WHOLE,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "finite_number": _NUMBER,
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "multiple_of": "must be a multiple of {multiple_of}",
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE + ", without a time",
    "date_past": "must be a date in the past",
    "date_future": "must be a date in the future",
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_past": "must be in the past",
    "datetime_future": "must be in the future",
    "bool_parsing": _BOOLEAN,
    "bool_type": _BOOLEAN,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "iterable_type": _LIST,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "url_parsing": _URL,
    "url_type": _URL,
    "url_scheme": _URL,
    "url_syntax_violation": _URL,
    "uuid_parsing": _UUID,
    "uuid_type": _UUID,
}
PREDICATES = ("must ", "may ", "is ", "are ", "cannot ", "should ", "has ")


def field_label(name: str) -> str:
    """A field's name as people read it: `owner_id` → Owner, `ip_address` → IP address."""
    if name in LABELS:
        return LABELS[name]
    words = name.split("_")
    if len(words) > 1 and words[-1] in ("id", "ids"):
        plural = words.pop() == "ids"
        words[-1] += "s" if plural and not words[-1].endswith("s") else ""
    text = " ".join(WORDS.get(word, word) for word in words if word)
    return text[:1].upper() + text[1:]


CHOICES = {
    "api_token": "API token",  # nosec B105 # the label of a kind of object, not a token
    "non_compliant": "Non-compliant",
    "read_only": "Read-only",
    "read_write": "Read and write",
    "readonly": "Read-only",
    "saas": "SaaS",
}


def choice_label(value: str) -> str:
    """A stored choice as people read it: `in_treatment` → In treatment, `saas` → SaaS."""
    text = str(value)
    return CHOICES.get(text) or text.replace("_", " ").capitalize()


def framework_title(name: str, version: str) -> str:
    """A framework's name with its version, unless the name already ends with the version."""
    if not version or name.rstrip().casefold().endswith(version.strip().casefold()):
        return name
    return f"{name} {version}"


def location_label(loc: Location) -> str:
    """The label of a possibly nested field: Title, Colour of band 2, Item 3 of Assets."""
    names = [(i, part) for i, part in enumerate(loc) if isinstance(part, str)]
    if not names:
        return "The request body"
    position, name = names[-1]
    label = field_label(name)
    last = loc[-1]
    if isinstance(last, int):
        return f"Item {last + 1} of {label}"
    index = loc[position - 1] if position >= 2 else None
    owner = loc[position - 2] if position >= 2 else None
    if isinstance(index, int) and isinstance(owner, str):
        return f"{label} of {field_label(owner).lower().removesuffix('s')} {index + 1}"
    return label


def _count(number: Any, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    values = re.findall(r"'([^']*)'", expected)
    return ", ".join(choice_label(v) for v in values) if values else expected


def _own(label: str, message: str) -> str:
    """One of our own validator messages, kept; a bare predicate gets the field's label."""
    if "does not appear to be an IPv4 or IPv6 address" in message:
        return f"{label} must be an IP address like 192.0.2.10 or 2001:db8::1"
    if message.startswith("value is not a valid email address"):
        return f"{label} must be an e-mail address like name@example.com"
    if message.startswith("Expected UploadFile"):
        return f"{label} must be a file"
    if message.lower().startswith(PREDICATES):
        return f"{label} {message[:1].lower()}{message[1:]}"
    return message[:1].upper() + message[1:]


def _value_error(label: str, ctx: Mapping[str, Any], msg: str) -> str:
    return _own(label, str(ctx["error"]) if "error" in ctx else msg.removeprefix("Value error, "))


def _short(label: str, ctx: Mapping[str, Any], _msg: str) -> str:
    if ctx.get("min_length") == 1:
        return f"{label} is required"
    return f"{label} must be at least {_count(ctx.get('min_length'), 'character')}"


Wording = Callable[[str, Mapping[str, Any], str], str]


def _length(verb: str, key: str, noun: str) -> Wording:
    return lambda label, ctx, _: f"{label} {verb} {_count(ctx.get(key), noun)}"


SENTENCES: dict[str, Wording] = {
    "string_too_short": _short,
    "string_too_long": _length("must be at most", "max_length", "character"),
    "url_too_long": _length("must be at most", "max_length", "character"),
    "too_short": _length("must have at least", "min_length", "item"),
    "too_long": _length("may have at most", "max_length", "item"),
    "string_pattern_mismatch": lambda label, c, _: (
        f"{label} {PATTERNS.get(str(c.get('pattern')), 'is not in the expected format')}"
    ),
    "enum": lambda label, c, _: f"{label} must be one of: {_choices(c)}",
    "literal_error": lambda label, c, _: f"{label} must be one of: {_choices(c)}",
    "value_error": _value_error,
    "assertion_error": lambda label, _, m: _own(label, m.removeprefix("Assertion failed, ")),
    "json_invalid": lambda label, c, _: "The request body is not valid JSON",
}


def plain_message(error: Mapping[str, Any], loc: Location | None = None) -> str:
    """One pydantic error in plain words; `loc` is the field path to name (default its own)."""
    path = tuple(error.get("loc", ())) if loc is None else tuple(loc)
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    msg = str(error.get("msg", ""))
    if kind == "extra_forbidden":
        names = [part for part in path if isinstance(part, str)]
        return f"Unknown field: {names[-1] if names else 'unnamed'}"
    label = location_label(path)
    if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
        kind = f"string_{kind}"  # a length checked after a text validator counts characters
    if kind in SENTENCES:
        return SENTENCES[kind](label, ctx, msg)
    phrase = PHRASES.get(kind, "is not valid")
    return f"{label} {phrase.format_map(defaultdict(lambda: 'the limit', ctx))}"
