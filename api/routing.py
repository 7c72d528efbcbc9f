from django.urls import re_path

ID = r"(?P<pk>[0-9]{1,18})"  # longer can't be an id (64-bit): an unknown route, not a DB error


def route(pattern: str, view, name: str):
    """API paths accept an optional trailing slash (SPEC §5)."""
    return re_path(rf"^{pattern}/?$" if pattern else r"^$", view, name=name)
