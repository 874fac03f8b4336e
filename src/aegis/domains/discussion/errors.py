"""Errors of the discussion domain."""

from __future__ import annotations

from aegis.core.errors import NotFound, ValidationFailed


class CommentNotFound(NotFound):
    """The comment does not exist on this risk or control."""


class AttachmentNotFound(NotFound):
    """The attachment does not exist on this risk."""


class FileRefused(ValidationFailed):
    """An uploaded file is of a kind that may not be attached; nothing was kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")
