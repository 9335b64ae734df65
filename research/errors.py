"""Domain errors. Their message is a sentence for the person who caused them:
what was wrong and what to do. The web layer maps them to HTTP statuses."""


class DomainError(Exception):
    """Base of every error a user can cause."""


class NotFound(DomainError):
    """The object does not exist or is not visible to this user (both look the same)."""


class PermissionDenied(DomainError):
    """The user may see the project but their role does not allow this action."""


class Conflict(DomainError):
    """The object changed since the user loaded it, or would duplicate another."""


class InvalidInput(DomainError):
    """A value the user entered cannot be accepted."""


class IngestError(InvalidInput):
    """A file cannot be imported; the message names the problem and what to do."""
