import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address for throttling.

    Behind our TLS-terminating proxy (SALYNC_TRUST_X_FORWARDED_PROTO) REMOTE_ADDR is the
    proxy, and the client is the right-most X-Forwarded-For entry, the one the proxy appended;
    entries left of it come from the client and can be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.SALYNC_TRUST_X_FORWARDED_PROTO:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote


def is_api_path(path: str) -> bool:
    """Whether ``path`` is under /api/, where every answer is in the API's format."""
    return path == "/api" or path.startswith("/api/")


def plain_http_allowed(request) -> bool:
    """The API's exception to HTTPS: plain HTTP from this machine's loopback addresses, only
    where SALYNC_ALLOW_LOOPBACK_HTTP is on (a development install)."""
    if not settings.SALYNC_ALLOW_LOOPBACK_HTTP:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
