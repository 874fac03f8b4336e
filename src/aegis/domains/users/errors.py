"""Errors of the users domain."""

from aegis.core.errors import Conflict, NotFound


class UserNotFound(NotFound):
    """The user does not exist or is not visible."""


class EmailTaken(Conflict):
    """Another user already has this e-mail address."""


class AssignmentNotFound(NotFound):
    """The role assignment does not exist or is not visible."""
