"""The SSRF check (SPEC §5.5): refused at save (url_check) for every case of the issue."""

import ipaddress

import pytest

from core.urls_check import UnsafeURL, address_problem, policy_from_settings, url_check
from tests.core.unsafe_urls import REFUSED


@pytest.mark.parametrize(("url", "says"), REFUSED)
def test_refused_at_check(url, says):
    with pytest.raises(UnsafeURL) as caught:
        url_check(url, allow_private=False)
    assert says in str(caught.value)
    assert str(caught.value).startswith("refused")


def test_name_resolving_to_private_refused(fake_dns):
    fake_dns.add("internal.example.com", ["10.0.0.1"])
    with pytest.raises(UnsafeURL, match=r"refused: the address 10\.0\.0\.1 is private"):
        url_check("https://internal.example.com/hook", allow_private=False)
    assert fake_dns.lookups == ["internal.example.com"]  # resolved once


def test_any_private_address_refuses(fake_dns):
    # One public and one private answer: the private one is enough to refuse.
    fake_dns.add("mixed.example.com", ["93.184.216.34", "10.1.2.3"])
    with pytest.raises(UnsafeURL, match=r"10\.1\.2\.3 is private"):
        url_check("https://mixed.example.com/", allow_private=False)
    fake_dns.add("mixed6.example.com", ["93.184.216.34", "::ffff:192.168.0.1"])
    with pytest.raises(UnsafeURL, match=r"192\.168\.0\.1"):
        url_check("https://mixed6.example.com/", allow_private=False)


def test_public_name_accepted_with_every_address(fake_dns):
    fake_dns.add("hooks.example.com", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
    checked = url_check("https://Hooks.Example.com:8443/in?x=1#frag", allow_private=False)
    assert checked.host == "hooks.example.com"
    assert checked.port == 8443
    assert checked.target == "/in?x=1"
    assert checked.addresses == ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    assert checked.host_header == "hooks.example.com:8443"


def test_public_ip_literals_accepted():
    assert url_check("https://93.184.216.34/", allow_private=False).addresses == ("93.184.216.34",)
    checked = url_check("https://[2606:4700:4700::1111]/", allow_private=False)
    assert checked.host_header == "[2606:4700:4700::1111]"
    # NAT64 of a public address is fine.
    url_check("https://[64:ff9b::808:808]/", allow_private=False)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://93.184.216.34/", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://93.184.216.34/", "only http and https"),
        ("http://93.184.216.34/", "must use https"),
        ("https://user:pw@93.184.216.34/", "user name or password"),
        ("https://user@93.184.216.34/", "user name or password"),
        ("https://93.184.216.34@127.0.0.1/", "user name or password"),
        ("https:///path", "no host"),
        ("https://93.184.216.34:99999/", "not valid"),
        ("https://93.184.216.34/a b", "spaces"),
        ("https://93.184.216.34/\r\nX: y", "control"),
        ("", "empty"),
        ("https://does-not-exist.invalid/", "could not be resolved"),
    ],
)
def test_url_shape_refused(url, says):
    with pytest.raises(UnsafeURL, match=says):
        url_check(url, allow_private=False)


def test_allow_private_allows_local_receivers_and_http():
    checked = url_check("http://127.0.0.1:8000/hook", allow_private=True)
    assert checked.addresses == ("127.0.0.1",)
    url_check("http://10.0.0.1/hook", allow_private=True)
    url_check("http://localhost:9000/hook", allow_private=True)
    # Still not a target, whatever the policy, and encodings are still refused.
    for url in ("http://0.0.0.0/", "http://224.0.0.1/", "http://2130706433/"):
        with pytest.raises(UnsafeURL):
            url_check(url, allow_private=True)
    # https can still be demanded separately.
    with pytest.raises(UnsafeURL, match="https"):
        url_check("http://127.0.0.1/", allow_private=True, require_https=True)


@pytest.mark.parametrize(
    ("debug", "allow", "expected"),
    [
        (False, False, {"allow_private": False, "require_https": True}),
        (False, True, {"allow_private": True, "require_https": False}),
        (True, False, {"allow_private": False, "require_https": False}),
        (True, True, {"allow_private": True, "require_https": False}),
    ],
)
def test_policy_from_settings(settings, debug, allow, expected):
    settings.DEBUG = debug
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = allow
    assert policy_from_settings() == expected


def test_https_required_when_debug_off_without_allow_private(settings):
    settings.DEBUG = False
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(UnsafeURL, match="must use https"):
        url_check("http://93.184.216.34/", **policy_from_settings())


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001::1"],
)
def test_public_addresses_have_no_problem(address):
    assert address_problem(ipaddress.ip_address(address)) is None
