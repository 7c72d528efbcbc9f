"""A consumer for the on-commit seam of ``core.events``, named in settings by the tests."""

received: list[int] = []


def remember(event) -> None:
    received.append(event.pk)
