"""Where a webhook may send (SPEC §19): `https` to public addresses only, unless the host is
in PORTAL_WEBHOOK_ALLOW_HOSTS.

A URL is checked when it is saved and again before every delivery, on the addresses its host
resolves to *then*: a name that pointed at a public address when saved may point at the
metadata service or the database by the time a delivery goes out. Delivery connects to the
address checked here, never to a second lookup of the name (DNS rebinding).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 (RFC 6052) embeds an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"https": 443, "http": 80}


class UnsafeURL(Exception):
    """The URL may not be sent to; `message` says why, fit to show to the person saving it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`, `port`) and what to say (`host`, `path`)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == _DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


def host_allowed(host: str) -> bool:
    """True for a host of PORTAL_WEBHOOK_ALLOW_HOSTS (the demo's and the tests' own receivers)."""
    return host.lower().rstrip(".") in settings.PORTAL_WEBHOOK_ALLOW_HOSTS


def is_public(address: Address) -> bool:
    """True when `address` is a globally routable unicast address, looking inside the IPv6
    forms that carry an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL a webhook may have, or UnsafeURL."""
    if not isinstance(url, str) or not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise UnsafeURL(_("Enter a URL of printable characters without spaces."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL(_("Enter a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UnsafeURL(_("The URL must start with https://."))
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("The URL may not contain a user name or password."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL(_("Enter a valid URL."))
    if scheme == "http" and not host_allowed(host):
        raise UnsafeURL(_("The URL must start with https://."))
    if port == 0:
        raise UnsafeURL(_("Enter a valid URL."))
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return scheme, host, port or _DEFAULT_PORTS[scheme], path


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to now (a literal address is itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURL(_("The URL's host name could not be resolved.")) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 sockaddr may carry a zone ("fe80::1%eth0"): the zone is not part of the address.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURL(_("The URL's host name could not be resolved."))
    return addresses


def check(url: str) -> Target:
    """The URL checked for sending now: its host resolved, and refused if ANY of its addresses
    is not public (private, loopback, link-local, multicast, reserved, unspecified, or one of
    those inside an IPv6 form), unless the host is allow-listed. Raises UnsafeURL."""
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    if not host_allowed(host) and any(not is_public(a) for a in addresses):
        raise UnsafeURL(_("The URL must point to a public internet address."))
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))
