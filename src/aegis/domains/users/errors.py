"""Errors of the users domain."""

from aegis.core.errors import Conflict, NotFound


class UserNotFound(NotFound):
    """The user does not exist or is not visible."""


class EmailTaken(Conflict):
    """Another user the caller can see already has this e-mail address."""


EMAIL_UNAVAILABLE = (
    "This e-mail address cannot be used for a new account here. If it is the right one, ask "
    "an administrator of the whole organisation to add the person to your unit."
)


class EmailUnavailable(Conflict):
    """The address cannot be used; whether an account the caller cannot see has it stays untold."""


class AssignmentNotFound(NotFound):
    """The role assignment does not exist or is not visible."""
