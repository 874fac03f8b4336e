"""Turning validation errors into messages shown next to form fields."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from aegis.core.errors import AegisError
from aegis.core.messages import plain_message
from aegis.domains.common.bounds import MAX_INTEGER

# fields that steer the form rather than hold the object's values
CONTROLS = frozenset({"csrf_token", "pick", "keep_unit"})
SEARCH_BOXES = "pick_"  # a picker's search box and scope


def field_errors(exc: AegisError | ValidationError) -> dict[str, str]:
    """{field: message} from a domain error or a schema validation error."""
    errors: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"] if not isinstance(p, int)) or "__all__"
            errors.setdefault(field, plain_message(error))
        return errors
    details: Any = exc.details
    if isinstance(details, list):
        for detail in details:
            if isinstance(detail, dict) and detail.get("field"):
                errors.setdefault(str(detail["field"]), str(detail.get("message", exc.message)))
    if not errors:
        errors["__all__"] = exc.message
    return errors


def _whole(text: str) -> bool:
    """Whether the text is a whole number of ASCII digits that a database integer can hold."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_INTEGER


def form_values(
    form: Any, *, lists: tuple[str, ...] = (), ints: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A submitted form as a dict: empty fields dropped, id lists gathered, numbers parsed."""
    values: dict[str, Any] = {}
    for key in form:
        if key in CONTROLS or key.startswith(SEARCH_BOXES):
            continue
        if key in lists:
            values[key] = [int(v) for v in form.getlist(key) if _whole(str(v).strip())]
            continue
        value = form.get(key)
        if isinstance(value, str) and value.strip() != "":
            text = value.strip()
            values[key] = int(text) if key in ints and _whole(text.removeprefix("-")) else text
    for key in lists:
        values.setdefault(key, [])
    return values


def emptied(sent: Any, values: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """Fields sent empty that must keep a value, as empty text for validation to name them."""
    return {name: "" for name in names if name in sent and name not in values}
