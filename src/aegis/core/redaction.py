"""How settings are shown (repr, str): secret values hidden, URLs without their password."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HIDDEN = "**********"
# keys, key lists, passwords, secrets, tokens and peppers, however a setting is prefixed
SECRET_NAME = re.compile(r"(?:^|_)(?:keys?|password|secret|token|pepper)$")


def without_password(url: str) -> str:
    """The URL with the password of its user hidden; unreadable URLs are hidden whole."""
    try:
        parts = urlsplit(url)
        userinfo, at, host = parts.netloc.rpartition("@")
    except ValueError:
        return HIDDEN
    if not at or ":" not in userinfo:
        return url
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{HIDDEN}@{host}"))


def shown(name: str, value: Any) -> Any:
    """A setting's value as repr and str show it."""
    if SECRET_NAME.search(name):
        return HIDDEN if value else value
    if name.endswith("_url") and isinstance(value, str):
        return without_password(value)
    return value
