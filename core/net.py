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
