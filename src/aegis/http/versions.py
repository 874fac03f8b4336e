"""Versions over HTTP: ETag on an object's responses, If-Match on its saves."""

from __future__ import annotations

import re
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Header, Response

from aegis.core.errors import ValidationFailed

ENTITY_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


class Versioned(Protocol):
    """A schema with a version field."""

    version: int | None


Body = TypeVar("Body", bound=Versioned)


def if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            max_length=200,
            description="The ETag of the object as you read it; a newer one refuses the save",
        ),
    ] = None,
) -> int | None:
    """The version named by an If-Match header, if any."""
    if if_match is None:
        return None
    match = ENTITY_TAG.match(if_match)
    if match is None:
        raise ValidationFailed(
            'If-Match must be the ETag of the object as you read it, such as "3"',
            field="If-Match",
        )
    return int(match.group(1))


IfMatch = Annotated[int | None, Depends(if_match_version)]


def expecting(body: Body, version: int | None) -> Body:
    """The body with the version of the If-Match header (which must agree with the body's)."""
    if version is None:
        return body
    if body.version is not None and body.version != version:
        raise ValidationFailed(
            "The If-Match header and the version in the body name different versions",
            field="version",
        )
    body.version = version
    return body


def tag(response: Response, version: int) -> None:
    """Send the object's version as its ETag."""
    response.headers["ETag"] = f'"{version}"'
