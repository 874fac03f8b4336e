"""Errors of the evidence domain."""

from aegis.core.errors import Conflict, NotFound


class EvidenceNotFound(NotFound):
    """The evidence does not exist or is outside the caller's units."""


class VersionNotFound(NotFound):
    """The evidence has no version with this number."""


class NotFileEvidence(Conflict):
    """The operation needs file evidence but the evidence is a link."""


class SameAsLatestVersion(Conflict):
    """The uploaded file is byte for byte the newest version; no version is added."""
