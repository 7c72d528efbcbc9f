from django.urls import re_path

ID = r"(?P<pk>[0-9]{1,18})"  # longer can't be an id (64-bit): an unknown route, not a DB error


def route(pattern: str, view, name: str):
    """API paths accept an optional trailing slash (SPEC §5)."""
    # \Z, not $: "$" would also match before a trailing newline ("products/5\n").
    return re_path(rf"^{pattern}/?\Z" if pattern else r"^\Z", view, name=name)
