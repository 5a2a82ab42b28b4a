"""Where cybercover may send a request: the rule for outbound URLs (webhooks), once.

A partner's webhook URL is typed in by a person, and the outbox worker POSTs to it from
inside our network. Without a rule it could reach what only we can reach: the database
admin port on 127.0.0.1, a private service on 10.x, the cloud metadata service on
169.254.169.254 (server-side request forgery). So an outbound URL must be ``http`` or
``https`` (``https`` only in production), carry no credentials, and name a host whose
every address is a globally routable unicast address — unless the administrator allows
that host or network in ``CYBERCOVER_OUTBOUND_ALLOW`` (:class:`OutboundPolicy`).

The rule is checked twice (docs/notifications.md, "Outbound URLs"):

- at **registration** (:func:`check_url`): the literal host, and the addresses a name
  resolves to now; a name that does not resolve is accepted (offline, "no such name"
  and "DNS is down" look the same), the delivery-time check decides later;
- at **delivery** (:func:`pin_url`): the name is resolved again, every address checked,
  and the caller connects to a checked address, never to the name again, so a DNS answer
  that changes after the check (DNS rebinding) cannot move the request inside.

Hosts are read the way the HTTP client reads them (``httpx.URL``: IDNA, lower case), and
what a resolver could read as an IPv4 address but is not written as one (``2130706433``,
``0x7f.1``, ``017700000001``, ``127.1``) is refused as ambiguous.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from cybercover.errors import ConfigurationError, InputError, Problem

if TYPE_CHECKING:
    from cybercover.settings import Settings

__all__ = [
    "ALLOW_SETTING",
    "HostNotResolved",
    "IPAddress",
    "IPNetwork",
    "OutboundPolicy",
    "PinnedDestination",
    "Resolver",
    "address_refusal",
    "check_url",
    "pin_url",
    "system_resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], Iterable[str]]
"""A host name to its addresses (text); raises :class:`OSError` when it cannot."""

ALLOW_SETTING = "CYBERCOVER_OUTBOUND_ALLOW"

INTERNAL_NAMES = ("localhost", "localhost.localdomain")
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain")
METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))
CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
DOCUMENTATION = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # a public IPv4 address seen through DNS64
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMBER = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")


class HostNotResolved(ConnectionError):
    """The host name did not resolve at delivery: retried like any network failure."""


def system_resolve(host: str) -> list[str]:
    """The addresses of ``host`` from the system resolver (``socket.getaddrinfo``)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class OutboundPolicy:
    """What the administrator allows beyond public addresses, and whether http is allowed.

    ``allow`` holds host names (``partner-gw.internal``: that name, whatever it resolves
    to) and IP addresses or CIDR networks (``10.20.0.0/16``: any host whose addresses all
    fall in allowed networks or are public). ``https_only`` refuses ``http://``.
    An entry that is neither a host name nor an address is a :class:`ConfigurationError`.
    """

    allow: tuple[str, ...] = ()
    https_only: bool = False
    hosts: frozenset[str] = field(init=False, repr=False, compare=False)
    networks: tuple[IPNetwork, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip() for e in self.allow):
            text = entry[1:-1] if entry.startswith("[") and entry.endswith("]") else entry
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
                continue
            except ValueError:
                pass
            name = text.lower().rstrip(".")
            if (
                not name
                or _looks_numeric(name)
                or not all(_LABEL.match(p) for p in name.split("."))
            ):
                raise ConfigurationError(
                    f"{ALLOW_SETTING} の {entry!r} はホスト名・IPアドレス・CIDRのいずれでもありません",
                    f"{ALLOW_SETTING}: {entry!r} is not a host name, IP address or CIDR network",
                )
            hosts.add(name)
        object.__setattr__(self, "hosts", frozenset(hosts))
        object.__setattr__(self, "networks", tuple(networks))

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundPolicy:
        """The allow-list of ``CYBERCOVER_OUTBOUND_ALLOW``; https only in production."""
        return cls(
            allow=tuple(settings.outbound_allow),
            https_only=settings.environment == "production",
        )

    def allows_address(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            candidates.append(address.ipv4_mapped)
        return any(a in net for a in candidates for net in self.networks)


@dataclass(frozen=True)
class PinnedDestination:
    """A URL whose host was resolved and checked: connect to ``addresses``, in order,
    sending ``host_header`` as ``Host`` and, for https, ``tls_name`` as the TLS server
    name (SNI and the name the certificate is checked against)."""

    url: str
    scheme: str
    host_header: str
    tls_name: str | None
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class _Destination:
    scheme: str
    name: str  # lower case, IDNA, no trailing dot: what the rules and the allow-list see
    lookup: str  # as the URL spells it (ASCII): what the resolver is asked
    netloc: str  # host[:port] as the client sends it in Host
    address: IPAddress | None  # the host when it is an IP address literal


def _problem(path: str, rule: str, ja: str, en: str) -> InputError:
    return InputError([Problem(path, rule, ja, en)])


def _looks_numeric(name: str) -> bool:
    """True when a resolver may read ``name`` as an IPv4 address: its last label is a
    number (decimal, octal or hex), as the WHATWG URL standard decides."""
    return bool(_NUMBER.match(name.rsplit(".", 1)[-1]))


def address_refusal(address: IPAddress) -> tuple[str, str] | None:
    """Why ``address`` is not a globally routable unicast address (Japanese, English),
    or ``None`` when it is one."""
    if address in METADATA:
        return "クラウドのメタデータサービス", "the cloud metadata service"
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "リンクローカル", "link-local"
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(embedded)
    if address.is_unspecified:
        return "未指定アドレス", "unspecified"
    if address.is_loopback:
        return "ループバック", "loopback"
    if isinstance(address, ipaddress.IPv6Address) and (
        address in IPV4_COMPATIBLE or address.is_site_local
    ):
        return "予約済み", "reserved"
    if address.is_link_local:
        return "リンクローカル", "link-local"
    if address.is_multicast:
        return "マルチキャスト", "multicast"
    if address in CARRIER_GRADE_NAT:
        return "キャリアグレードNAT", "carrier-grade NAT"
    if any(address in net for net in DOCUMENTATION):
        return "文書用", "documentation"
    if address.is_private:
        return "プライベート", "private"
    if address.is_reserved or not address.is_global:
        return "予約済み", "reserved"
    return None


def _refuse_address(path: str, host: str, address: IPAddress, literal: bool) -> InputError | None:
    reason = address_refusal(address)
    if reason is None:
        return None
    ja, en = reason
    shown = host if literal else f"{host} → {address}"
    return _problem(
        path,
        "url_host_private",
        f"送信先 {shown} は公開されたアドレスではありません（{ja}）。"
        f"社外の公開URLを指定するか、管理者が {ALLOW_SETTING} で許可してください",
        f"{shown} is not a public address ({en}); give a public URL, or an administrator "
        f"may allow it in {ALLOW_SETTING}",
    )


def _parse(url: str, policy: OutboundPolicy, path: str) -> _Destination:
    """The static part of the rule: scheme, credentials, port, host spelling, names and
    literal addresses. Nothing is resolved here."""
    import httpx  # the client's own parser (IDNA, lower case); imported where it is used

    invalid = _problem(
        path, "url_invalid", "URLとして読めません", "not a valid URL (scheme://host/path)"
    )
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, UnicodeError):
        raise invalid from None
    scheme = parsed.scheme
    if scheme not in ("http", "https") or (policy.https_only and scheme != "https"):
        allowed = "https://" if policy.https_only else "http:// または https://"
        allowed_en = "https://" if policy.https_only else "http:// or https://"
        raise _problem(
            path,
            "url_scheme",
            f"{allowed} で始まるURLを指定してください",
            f"must be an {allowed_en} URL"
            + (" (plain http is refused in production)" if policy.https_only else ""),
        )
    if parsed.userinfo:
        raise _problem(
            path,
            "url_credentials",
            "URLに利用者名やパスワードを含めないでください（受信側は署名で送信元を確認します）",
            "the URL must not carry a user name or password (receivers verify the signature)",
        )
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise _problem(path, "url_port", "ポート番号は1〜65535です", "the port must be 1 to 65535")
    try:
        lookup = parsed.raw_host.decode("ascii")
    except UnicodeDecodeError:
        raise invalid from None
    netloc = parsed.netloc.decode("ascii")
    if ":" in lookup:  # an IPv6 literal, [..] in the URL
        try:
            address: IPAddress = ipaddress.IPv6Address(unquote(lookup))
        except ValueError:
            raise invalid from None
        return _Destination(scheme, unquote(lookup), lookup, netloc, address)
    name = lookup.rstrip(".")
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise invalid
    if _looks_numeric(name):
        try:
            return _Destination(scheme, name, lookup, netloc, ipaddress.IPv4Address(name))
        except ValueError:
            raise _problem(
                path,
                "url_host_ambiguous",
                f"{name} は曖昧なアドレス表記です。IPアドレスは 203.0.113.7 のように"
                "10進数4組で書いてください",
                f"{name} is an ambiguous address spelling; write an IP address as four "
                "decimal numbers, e.g. 203.0.113.7",
            ) from None
    if name not in policy.hosts and (
        name in INTERNAL_NAMES or name.endswith(INTERNAL_SUFFIXES) or len(labels) == 1
    ):
        raise _problem(
            path,
            "url_host_private",
            f"{name} は内部向けのホスト名です（localhost、*.local、*.internal、*.home.arpa、"
            f"ドットのない名前）。社外の公開URLを指定するか、管理者が {ALLOW_SETTING} "
            "で許可してください",
            f"{name} is an internal host name (localhost, *.local, *.internal, *.home.arpa, "
            f"a name without a dot); give a public URL, or an administrator may allow it in "
            f"{ALLOW_SETTING}",
        )
    return _Destination(scheme, name, lookup, netloc, None)


def _check_addresses(
    path: str, destination: _Destination, addresses: Iterable[IPAddress], policy: OutboundPolicy
) -> None:
    if destination.name in policy.hosts:
        return  # the administrator allowed this name, wherever it points
    for address in addresses:
        if policy.allows_address(address):
            continue
        refused = _refuse_address(
            path, destination.name, address, literal=destination.address is not None
        )
        if refused is not None:
            raise refused


def _resolve(resolve: Resolver, host: str) -> tuple[IPAddress, ...]:
    """The addresses of ``host``; a scope (``%eth0``) stays on an IPv6 address."""
    return tuple(ipaddress.ip_address(a) for a in dict.fromkeys(resolve(host)))


def check_url(
    url: str,
    policy: OutboundPolicy,
    resolve: Resolver = system_resolve,
    *,
    path: str = "webhook_url",
) -> None:
    """Refuse (:class:`InputError` at ``path``) an outbound URL that breaks the rule.

    A host name is resolved now and refused if *any* address is not allowed; a name that
    does not resolve is accepted here and checked again at every delivery.
    """
    destination = _parse(url, policy, path)
    if destination.address is not None:
        _check_addresses(path, destination, [destination.address], policy)
        return
    if destination.name in policy.hosts:
        return
    try:
        addresses = _resolve(resolve, destination.lookup)
    except (OSError, UnicodeError):
        return  # unresolvable now: accepted, delivery resolves and checks again
    _check_addresses(path, destination, addresses, policy)


def pin_url(
    url: str, policy: OutboundPolicy, resolve: Resolver = system_resolve, *, path: str = "url"
) -> PinnedDestination:
    """Resolve and check ``url`` for one delivery: the addresses to connect to.

    Raises :class:`InputError` when the rule refuses the URL or any address it resolves
    to (no retry can change that), :class:`HostNotResolved` when the name does not
    resolve (retried like a network failure).
    """
    destination = _parse(url, policy, path)
    if destination.address is not None:
        addresses: tuple[IPAddress, ...] = (destination.address,)
    else:
        try:
            addresses = _resolve(resolve, destination.lookup)
        except (OSError, UnicodeError) as exc:
            raise HostNotResolved(
                f"{destination.name} の名前解決ができません / cannot resolve {destination.name}"
                f" [url_host_unresolvable]: {exc}"
            ) from exc
        if not addresses:
            raise HostNotResolved(
                f"{destination.name} のアドレスがありません / {destination.name} has no "
                "address [url_host_unresolvable]"
            )
    _check_addresses(path, destination, addresses, policy)
    return PinnedDestination(
        url=url.strip(),
        scheme=destination.scheme,
        host_header=destination.netloc,
        tls_name=(
            destination.name
            if destination.scheme == "https" and destination.address is None
            else None
        ),
        addresses=addresses,
    )
