"""Errors of the frameworks domain."""

from aegis.core.errors import Conflict, NotFound


class FrameworkNotFound(NotFound):
    """The framework does not exist or is not shared with the caller."""


class RequirementNotFound(NotFound):
    """The requirement does not exist or its framework is not shared with the caller."""


class MappingNotFound(NotFound):
    """The mapping does not exist or one of its requirements is not visible."""


class FrameworkExists(Conflict):
    """A framework with this key and version is already loaded."""


class FrameworkInUse(Conflict):
    """The framework is still referenced (by assessments, for example)."""


class MappingExists(Conflict):
    """These two requirements are already mapped."""
