"""Errors of the discussion domain."""

from __future__ import annotations

from aegis.core.errors import NotFound


class CommentNotFound(NotFound):
    """The comment does not exist on this risk or control."""


class AttachmentNotFound(NotFound):
    """The attachment does not exist on this risk."""
