"""The URL check of every outgoing request (webhook endpoints, live channels' store URLs), at
save and again at each send (SPEC §5.5).

The host is resolved once; every resolved address must be a public unicast address, and the
addresses checked are the ones the sender connects to (``CheckedURL.addresses``), so DNS
rebinding between the check and the connection cannot switch the target.
"""

import dataclasses
import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges that are refused although Python's ``ipaddress`` may call them global, or whose
# flags differ between CPython patch releases (python/cpython#113171).
_EXTRA_REFUSED = (
    (ipaddress.ip_network("100.64.0.0/10"), "shared (carrier-grade NAT)"),
    (ipaddress.ip_network("192.0.0.0/24"), "reserved"),
    (ipaddress.ip_network("192.88.99.0/24"), "reserved (6to4 relay)"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "reserved (local NAT64)"),
    (ipaddress.ip_network("5f00::/16"), "reserved (segment routing)"),
    (ipaddress.ip_network("2001:20::/28"), "reserved (ORCHIDv2)"),
    (ipaddress.ip_network("3fff::/20"), "reserved (documentation)"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(ValueError):
    """A webhook URL we refuse to send to; ``str()`` is a sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class CheckedURL:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, without brackets
    port: int
    target: str  # path and query, what goes on the request line
    addresses: tuple[str, ...]  # every resolved address, all checked; connect to these only

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def policy_from_settings() -> dict[str, bool]:
    """``url_check``/``post`` keyword arguments from settings: private addresses only with
    SALYNC_WEBHOOK_ALLOW_PRIVATE; https required when DEBUG is off unless that is on."""
    allow_private = bool(getattr(settings, "SALYNC_WEBHOOK_ALLOW_PRIVATE", False))
    return {
        "allow_private": allow_private,
        "require_https": not settings.DEBUG and not allow_private,
    }


def address_problem(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address (``None`` when it is)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            problem = address_problem(embedded)
            return f"{problem} (embedded {embedded})" if problem else None
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    for network, label in _EXTRA_REFUSED:
        if ip.version == network.version and ip in network:
            return label
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64 (64:ff9b::/96), 6to4 or Teredo address leads
    to; the check applies to it rather than to the IPv6 wrapper."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        server, client = ip.teredo
        # Both ends must be public; report the worse one.
        return client if address_problem(client) else server
    return None


def _parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host that is an IP literal names; ``UnsafeURL`` for IPv4 written in the
    decimal, octal or hex forms (2130706433, 0177.0.0.1, 0x7f000001) that resolvers accept."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        packed = socket.inet_aton(host)
    except OSError:
        return None
    raise UnsafeURL(
        f"refused: {host} is an IP address ({ipaddress.IPv4Address(packed)}) written in a "
        "non-standard form; write it as four decimal numbers"
    )


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"the host name {host} could not be resolved") from exc
    addresses = []
    for family, _type, _proto, _canonname, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise UnsafeURL(f"the host name {host} has no IPv4 or IPv6 address")
    return tuple(addresses)


def url_check(url: str, *, allow_private: bool, require_https: bool | None = None) -> CheckedURL:
    """Check ``url`` as a webhook target and resolve its host once.

    ``require_https`` defaults to ``not allow_private``; pass ``**policy_from_settings()``.
    Raises ``UnsafeURL`` with a plain-words message.
    """
    if require_https is None:
        require_https = not allow_private
    if not isinstance(url, str) or not url or any(c.isspace() or ord(c) < 32 for c in url):
        raise UnsafeURL("the URL is empty or contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"the URL is not valid: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL("only http and https URLs are allowed")
    if require_https and scheme != "https":
        raise UnsafeURL("the URL must use https")
    if "@" in parts.netloc:
        raise UnsafeURL("the URL must not contain a user name or password")
    host = (parts.hostname or "").rstrip(".") if parts.hostname != "." else ""
    if not host:
        raise UnsafeURL("the URL has no host")
    if port is None:
        port = 443 if scheme == "https" else 80
    if port == 0:
        raise UnsafeURL("the URL's port is not valid")

    literal = _parse_ip_literal(host)
    if literal is not None:
        if isinstance(literal, ipaddress.IPv6Address) and literal.scope_id:
            raise UnsafeURL("IPv6 addresses with a zone are not allowed")
        host = str(literal)
        addresses: tuple[str, ...] = (host,)
    else:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise UnsafeURL(f"the host name {host} is not valid") from exc
        addresses = _resolve(host, port)

    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        problem = address_problem(ip)
        if problem is None:
            continue
        # Never a target, whatever the policy: nothing listens on them.
        if not allow_private or problem.startswith(("unspecified", "multicast")):
            named = "" if literal is not None else f" ({host} resolves to it)"
            raise UnsafeURL(f"refused: the address {ip} is {problem}{named}")

    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return CheckedURL(
        url=url,
        scheme=scheme,
        host=host,
        port=port,
        target=target,
        addresses=addresses,
    )
