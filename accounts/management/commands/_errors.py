from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def command_error(error: ValidationError) -> CommandError:
    """Turn a service's ValidationError into one readable line for stderr."""
    if hasattr(error, "error_dict"):
        parts = [
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        ]
    else:
        parts = error.messages
    return CommandError("; ".join(parts))
