"""File names as clients send them, made safe to store, show and send back."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

MAX_FILENAME = 200
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_REPLACED = str.maketrans({c: "_" for c in "<>:|?*"})
# browsers send these characters of multipart file names percent-encoded (WHATWG HTML)
_FORM_ESCAPES = re.compile(r"%(22|0D|0A)", re.IGNORECASE)


def suffix_of(name: str) -> str:
    """A name's extension with its dot (empty when it has none or an implausibly long one)."""
    suffix = PurePosixPath(name).suffix
    return suffix if len(suffix) <= 16 else ""


def safe_filename(name: str | None) -> str:
    """Keep only the last path part of a client's file name, without control characters."""
    text = _FORM_ESCAPES.sub(lambda m: chr(int(m.group(1), 16)), name or "")
    text = unicodedata.normalize("NFC", text).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c) not in _UNSAFE_CATEGORIES)
    text = text.replace('"', "").translate(_REPLACED)
    text = " ".join(text.split()).strip(" .")
    if not text:
        return "file"
    if len(text) > MAX_FILENAME:
        suffix = suffix_of(text)
        text = text[: MAX_FILENAME - len(suffix)].rstrip(" .") + suffix
    return text
