from core.errors import DomainError


class AlreadyListed(DomainError):
    code = "already_listed"
    default_message = "This variant is already listed on this channel."
