from functools import cache

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf, re_path

from api.limits import MAX_ID_DIGITS

# Longer can't be an id (64-bit): an unknown route, not a database error.
ID = rf"(?P<pk>[0-9]{{1,{MAX_ID_DIGITS}}})"
NAMESPACE = "api"


def route(pattern: str, view, name: str, *, resource: bool = False) -> URLPattern:
    """An API path, with an optional trailing slash (SPEC §5). ``resource=True`` marks a
    collection the API index lists."""
    # \Z, not $: "$" would also match before a trailing newline ("products/5\n").
    url = re_path(rf"^{pattern}/?\Z" if pattern else r"^\Z", view, name=name)
    url.is_resource = resource
    return url


def _patterns(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns)
        else:
            yield entry


def mounted_resources() -> tuple[str, ...]:
    """The names of the collections mounted under the API's namespace, in mounting order.

    The front door does not know which apps stand behind it: it reads what ``salync.urls``
    mounted."""
    return _mounted(get_urlconf() or settings.ROOT_URLCONF)


@cache
def _mounted(urlconf: str) -> tuple[str, ...]:
    api = get_resolver(urlconf).namespace_dict[NAMESPACE][1]
    return tuple(p.name for p in _patterns(api.url_patterns) if getattr(p, "is_resource", False))
