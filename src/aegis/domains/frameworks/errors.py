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


class CatalogLoaded(FrameworkExists):
    """The file holds a catalog already loaded as a framework the caller sees."""

    def __init__(self, message: str, *, framework_id: int, may_update: bool) -> None:
        detail = {"field": "version", "message": message, "framework_id": framework_id}
        super().__init__(message, details=[detail])
        self.framework_id = framework_id
        self.may_update = may_update


class RequirementExists(Conflict):
    """The framework already has a requirement with this identifier."""


class RequirementInUse(Conflict):
    """The requirement is still referenced (by controls, evidence, results or mappings)."""
