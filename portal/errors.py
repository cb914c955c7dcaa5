class DomainError(Exception):
    """A refused action, with a message fit to show to the person who tried it."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class TransitionError(DomainError):
    """The object is not in a state that allows this action."""

    status_code = 409


class NotAllowed(DomainError):
    """The person may see the object but not do this to it."""

    status_code = 403
