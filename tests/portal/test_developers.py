"""The Developers page shows the base URL that works on this install: https, or http for a
plain-HTTP visit from this machine when SALYNC_ALLOW_LOOPBACK_HTTP is on (SPEC §5.1)."""

import pytest

LOOPBACK_NOTE = (
    "On this development install the API also accepts plain HTTP from this machine "
    "(<code>SALYNC_ALLOW_LOOPBACK_HTTP</code>); in production it is HTTPS only."
)


@pytest.fixture
def loopback_http(settings):
    settings.SALYNC_ALLOW_LOOPBACK_HTTP = True


def page(client, **extra) -> str:
    response = client.get("/developers/", HTTP_HOST="127.0.0.1:8000", **extra)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_plain_http_from_loopback_with_the_setting_on_shows_http(client, loopback_http):
    body = page(client, REMOTE_ADDR="127.0.0.1")
    assert "<pre><code>http://127.0.0.1:8000/api/v1/</code></pre>" in body
    assert "https://127.0.0.1:8000/api/v1/" not in body
    assert LOOPBACK_NOTE in body


@pytest.mark.django_db
def test_ipv6_loopback_counts_as_this_machine(client, loopback_http):
    assert "http://127.0.0.1:8000/api/v1/stock" in page(client, REMOTE_ADDR="::1")


@pytest.mark.django_db
def test_https_request_shows_https_even_with_the_setting_on(client, loopback_http):
    body = page(client, REMOTE_ADDR="127.0.0.1", secure=True)
    assert "<pre><code>https://127.0.0.1:8000/api/v1/</code></pre>" in body
    assert "http://127.0.0.1:8000/api/v1/" not in body
    assert LOOPBACK_NOTE in body  # still true of this install


@pytest.mark.django_db
def test_plain_http_from_another_machine_shows_https(client, loopback_http):
    body = page(client, REMOTE_ADDR="192.0.2.10")
    assert "<pre><code>https://127.0.0.1:8000/api/v1/</code></pre>" in body
    assert "http://127.0.0.1:8000/api/v1/" not in body


@pytest.mark.django_db
def test_with_the_setting_off_it_is_https_only(client, settings):
    settings.SALYNC_ALLOW_LOOPBACK_HTTP = False
    body = page(client, REMOTE_ADDR="127.0.0.1")
    assert "<pre><code>https://127.0.0.1:8000/api/v1/</code></pre>" in body
    assert "http://127.0.0.1:8000/api/v1/" not in body
    assert "SALYNC_ALLOW_LOOPBACK_HTTP" not in body
