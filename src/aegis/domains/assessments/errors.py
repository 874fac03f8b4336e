"""Errors of the assessments domain."""

from aegis.core.errors import NotFound


class AssessmentNotFound(NotFound):
    """The assessment does not exist or is outside the caller's units."""


class RequirementNotAssessed(NotFound):
    """The requirement is not an assessable requirement of the assessment's framework."""


class OverrideNotFound(NotFound):
    """The requirement's result has no human override to clear."""
