"""Errors a service raises when a request is well-formed but the world says no.

Each carries the API's contract code and status; the API renders them in its error format,
and pages and commands show their message.
"""


class DomainError(Exception):
    code = "invalid_state"
    status = 409
    default_message = "The object's status does not allow this action."

    def __init__(self, message: str | None = None, *, fields: dict | None = None):
        self.message = message or self.default_message
        self.fields = fields
        super().__init__(self.message)


class InvalidState(DomainError):
    """An action the object's status forbids (409 ``invalid_state``)."""
