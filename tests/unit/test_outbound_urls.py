"""The outbound URL rule (services/outbound.py): a webhook may reach public addresses
only, unless the administrator's allow-list says otherwise, and a delivery connects to
the address it checked."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import pytest

from cybercover.errors import ConfigurationError, InputError
from cybercover.services.outbound import (
    HostNotResolved,
    OutboundPolicy,
    address_refusal,
    check_url,
    pin_url,
)
from cybercover.settings import Settings

PUBLIC = "93.184.215.14"
NO_ALLOW = OutboundPolicy()


class FakeDns:
    """A resolver from a table; a name not in it does not resolve. Each name answers
    its lists in turn, the last one from then on (a name that changes its answer)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str) -> Iterable[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


def dns() -> FakeDns:
    return FakeDns(
        {
            "example.com": [[PUBLIC]],
            "inside.example.com": [["10.0.0.1"]],
            "mixed.example.com": [[PUBLIC, "10.0.0.1"]],
            "mapped.example.com": [["::ffff:169.254.169.254"]],
            "partner-gw.internal": [["10.20.0.7"]],
            "gw.partner.example": [["10.20.3.4"]],
        }
    )


def refusal(url: str, policy: OutboundPolicy = NO_ALLOW) -> tuple[str, str]:
    with pytest.raises(InputError) as caught:
        check_url(url, policy, dns())
    [problem] = caught.value.problems
    assert problem.ja and problem.en
    return problem.path, problem.rule


REFUSED = [
    ("http://127.0.0.1/", "url_host_private"),
    ("http://127.0.0.1:8080/x", "url_host_private"),
    ("http://localhost/", "url_host_private"),
    ("http://LOCALHOST./", "url_host_private"),
    ("http://foo.localhost/", "url_host_private"),
    ("http://printer.local/", "url_host_private"),
    ("http://metadata.google.internal/", "url_host_private"),
    ("http://router.home.arpa/", "url_host_private"),
    ("http://intranet/", "url_host_private"),
    ("http://[::1]/", "url_host_private"),
    ("http://[::ffff:127.0.0.1]/", "url_host_private"),
    ("http://[::ffff:7f00:1]/", "url_host_private"),
    ("http://[::]/", "url_host_private"),
    ("http://0.0.0.0/", "url_host_private"),
    ("http://10.0.0.5/", "url_host_private"),
    ("http://172.16.0.1/", "url_host_private"),
    ("http://192.168.1.1/", "url_host_private"),
    ("http://169.254.169.254/latest/meta-data", "url_host_private"),
    ("http://100.64.0.1/", "url_host_private"),
    ("http://192.0.2.10/", "url_host_private"),
    ("http://224.0.0.251/", "url_host_private"),
    ("http://255.255.255.255/", "url_host_private"),
    ("http://240.0.0.1/", "url_host_private"),
    ("http://[fd00::1]/", "url_host_private"),
    ("http://[fd00:ec2::254]/", "url_host_private"),
    ("http://[fe80::1]/", "url_host_private"),
    ("http://[fe80::1%25eth0]/", "url_host_private"),
    ("http://[fec0::1]/", "url_host_private"),
    ("http://[ff0e::1]/", "url_host_private"),
    ("http://[2001:db8::1]/", "url_host_private"),
    ("http://[64:ff9b::a00:1]/", "url_host_private"),  # NAT64 of 10.0.0.1
    ("http://[2002:a9fe:a9fe::]/", "url_host_private"),  # 6to4 of 169.254.169.254
    ("http://[::127.0.0.1]/", "url_host_private"),  # IPv4-compatible, deprecated
    ("http://127.0.0.1./", "url_host_private"),
    ("http://2130706433/", "url_host_ambiguous"),
    ("http://0x7f000001/", "url_host_ambiguous"),
    ("http://017700000001/", "url_host_ambiguous"),
    ("http://127.1/", "url_host_ambiguous"),
    ("http://0x7f.1/", "url_host_ambiguous"),
    ("http://0177.0.0.1/", "url_invalid"),  # httpx itself refuses a dotted quad with 0177
    ("http://example.123/", "url_host_ambiguous"),
    ("ftp://example.com/", "url_scheme"),
    ("file:///etc/passwd", "url_scheme"),
    ("gopher://example.com:70/", "url_scheme"),
    ("javascript:alert(1)", "url_scheme"),
    ("http://user:pass@example.com/", "url_credentials"),
    ("https://token@example.com/", "url_credentials"),
    ("http://example.com:0/", "url_port"),
    ("http://example.com:70000/", "url_port"),
    ("http:///nohost", "url_invalid"),
    ("http://[::1/", "url_invalid"),
    ("http://exa mple.com/", "url_invalid"),
    ("http://ＬＯＣＡＬＨＯＳＴ/", "url_invalid"),
    # names: any address that is not public refuses the URL
    ("http://inside.example.com/", "url_host_private"),
    ("https://mixed.example.com/hook", "url_host_private"),
    ("https://mapped.example.com/hook", "url_host_private"),
]


@pytest.mark.parametrize(("url", "rule"), REFUSED)
def test_an_outbound_url_to_anything_but_a_public_address_is_refused(url: str, rule: str) -> None:
    assert refusal(url) == ("webhook_url", rule)


ACCEPTED = [
    ("https://example.com/hook", NO_ALLOW),
    ("https://EXAMPLE.com:8443/hook?x=1", NO_ALLOW),
    (f"http://{PUBLIC}/hook", NO_ALLOW),
    ("http://[2606:4700:4700::1111]/hook", NO_ALLOW),
    ("https://[::ffff:93.184.215.14]/hook", NO_ALLOW),
    # a name that does not resolve now is left to the delivery-time check
    ("https://not-yet-in-dns.example.jp/hook", NO_ALLOW),
    # the administrator's allow-list: a host name, whatever it resolves to, and networks
    ("http://partner-gw.internal/hook", OutboundPolicy(allow=("partner-gw.internal",))),
    ("http://PARTNER-GW.internal./hook", OutboundPolicy(allow=("partner-gw.internal",))),
    ("http://10.20.0.5:8080/hook", OutboundPolicy(allow=("10.20.0.0/16",))),
    ("http://gw.partner.example/hook", OutboundPolicy(allow=("10.20.0.0/16",))),
    ("http://127.0.0.1:8080/x", OutboundPolicy(allow=("127.0.0.1",))),
    ("http://[::ffff:127.0.0.1]/x", OutboundPolicy(allow=("127.0.0.0/8",))),
    ("http://[fd00::1]/x", OutboundPolicy(allow=("[fd00::1]",))),
]


@pytest.mark.parametrize(("url", "policy"), ACCEPTED)
def test_a_public_or_allow_listed_outbound_url_is_accepted(
    url: str, policy: OutboundPolicy
) -> None:
    check_url(url, policy, dns())


def test_the_allow_list_opens_only_what_it_names() -> None:
    policy = OutboundPolicy(allow=("10.20.0.0/16", "partner-gw.internal"))
    assert refusal("http://10.21.0.1/", policy) == ("webhook_url", "url_host_private")
    assert refusal("http://other.internal/", policy) == ("webhook_url", "url_host_private")
    assert refusal("http://127.0.0.1/", policy) == ("webhook_url", "url_host_private")
    # allowing the address does not allow the name localhost, nor ambiguous spellings
    loopback = OutboundPolicy(allow=("127.0.0.0/8",))
    assert refusal("http://localhost/", loopback) == ("webhook_url", "url_host_private")
    assert refusal("http://2130706433/", loopback) == ("webhook_url", "url_host_ambiguous")


def test_a_name_resolving_to_one_public_and_one_private_address_is_refused_naming_both() -> None:
    with pytest.raises(InputError) as caught:
        check_url("https://mixed.example.com/hook", NO_ALLOW, dns())
    [problem] = caught.value.problems
    assert "mixed.example.com → 10.0.0.1" in problem.en
    assert "CYBERCOVER_OUTBOUND_ALLOW" in problem.ja
    assert problem.ja.startswith(
        "送信先 mixed.example.com → 10.0.0.1 は公開されたアドレスではありません"
    )


def test_the_refusal_says_what_kind_of_address_it_was() -> None:
    def kind(address: str) -> str | None:
        reason = address_refusal(ipaddress.ip_address(address))
        return reason[1] if reason else None

    assert kind("169.254.169.254") == "the cloud metadata service"
    assert kind("::ffff:169.254.169.254") == "the cloud metadata service"
    assert kind("127.0.0.53") == kind("::1") == "loopback"
    assert kind("100.127.255.255") == "carrier-grade NAT"
    assert kind("198.51.100.1") == "documentation"
    assert kind("fd12:3456::1") == kind("172.31.255.255") == "private"
    assert kind(PUBLIC) is kind("2606:4700:4700::1111") is None


def test_production_refuses_plain_http_even_to_a_public_host() -> None:
    strong = "s" * 40
    production = OutboundPolicy.from_settings(
        Settings(environment="production", secret_key=strong, webhook_secret=strong)
    )
    assert production.https_only
    assert refusal("http://example.com/hook", production) == ("webhook_url", "url_scheme")
    check_url("https://example.com/hook", production, dns())
    assert not OutboundPolicy.from_settings(Settings(environment="test")).https_only


def test_the_allow_list_comes_from_the_environment_as_a_json_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CYBERCOVER_OUTBOUND_ALLOW", '["partner-gw.internal", "10.20.0.0/16"]')
    policy = OutboundPolicy.from_settings(Settings())
    assert policy.hosts == {"partner-gw.internal"}
    assert policy.networks == (ipaddress.ip_network("10.20.0.0/16"),)
    monkeypatch.delenv("CYBERCOVER_OUTBOUND_ALLOW")
    assert OutboundPolicy.from_settings(Settings()) == OutboundPolicy()  # none by default


@pytest.mark.parametrize("entry", ["*", "*.internal", "10.0.0.0/33", "http://x.example/", ""])
def test_an_allow_list_entry_that_is_not_a_host_or_network_is_a_configuration_error(
    entry: str,
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        OutboundPolicy(allow=(entry,))
    assert "CYBERCOVER_OUTBOUND_ALLOW" in caught.value.ja


def test_delivery_pins_the_checked_addresses_and_keeps_the_name_for_host_and_tls() -> None:
    pinned = pin_url("https://Example.com:8443/hook?x=1", NO_ALLOW, dns())
    assert pinned.addresses == (ipaddress.ip_address(PUBLIC),)
    assert (pinned.host_header, pinned.tls_name) == ("example.com:8443", "example.com")
    literal = pin_url(f"http://{PUBLIC}/hook", NO_ALLOW, dns())
    assert (literal.host_header, literal.tls_name) == (PUBLIC, None)


def test_dns_rebinding_a_name_public_at_registration_and_private_at_delivery_is_refused() -> None:
    rebinding = FakeDns({"hooks.partner.example": [[PUBLIC], ["127.0.0.1"]]})
    check_url("https://hooks.partner.example/h", NO_ALLOW, rebinding)  # registration: public

    with pytest.raises(InputError) as caught:
        pin_url("https://hooks.partner.example/h", NO_ALLOW, rebinding)  # delivery: loopback

    [problem] = caught.value.problems
    assert (problem.path, problem.rule) == ("url", "url_host_private")
    assert "hooks.partner.example → 127.0.0.1" in problem.en
    assert rebinding.asked == ["hooks.partner.example", "hooks.partner.example"]


def test_a_name_that_does_not_resolve_at_delivery_is_a_retryable_failure() -> None:
    with pytest.raises(HostNotResolved) as caught:
        pin_url("https://gone.example.jp/h", NO_ALLOW, dns())
    assert isinstance(caught.value, OSError)
    assert "url_host_unresolvable" in str(caught.value)


def test_a_bad_allow_list_entry_stops_the_settings_not_the_first_registration() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=r"'\*\.internal' is not a host name"):
        Settings(outbound_allow=["*.internal"])
    assert Settings(outbound_allow=["10.20.0.0/16", "gw.internal"]).outbound_allow == [
        "10.20.0.0/16",
        "gw.internal",
    ]
