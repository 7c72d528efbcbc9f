"""A 404 outside the API is the product's own page, with a link home, whether DEBUG is on or
off: never Django's debug page, which lists every URL pattern. Under /api/ it stays JSON."""

import pytest

from accounts.plans import Plan
from tests.factories import MembershipFactory

UNKNOWN_URL = "/no-such-page/"
UNKNOWN_KEY_REVOKE = "/settings/api-keys/999999/revoke/"  # the view raises Http404


def assert_our_not_found_page(response):
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "<h1>Page not found</h1>" in body
    assert '<a href="/">Back to Salync</a>' in body
    # The debug page's tell-tales: the URLconf it tried, pattern by pattern.
    assert "URLconf" not in body
    assert "settings/api-keys/&lt;int:pk&gt;/revoke/" not in body
    assert "DEBUG = True" not in body


@pytest.fixture
def owner_client(client, db):
    owner = MembershipFactory(workspace__plan=Plan.GROWTH)
    client.force_login(owner.user)
    return client


@pytest.mark.parametrize("debug", [True, False], ids=["debug on", "debug off"])
def test_unknown_url_shows_our_page(client, db, settings, debug):
    settings.DEBUG = debug
    assert_our_not_found_page(client.get(UNKNOWN_URL))


@pytest.mark.parametrize("debug", [True, False], ids=["debug on", "debug off"])
def test_http404_raised_in_a_view_shows_our_page(owner_client, settings, debug):
    settings.DEBUG = debug
    response = owner_client.get(UNKNOWN_KEY_REVOKE)
    assert_our_not_found_page(response)
    assert response.context["user"].is_authenticated  # rendered with the page's context


@pytest.mark.parametrize("debug", [True, False], ids=["debug on", "debug off"])
def test_unknown_api_url_stays_json(client, db, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/no-such-thing", secure=True)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_debug_page_would_list_the_url_patterns(client, db, settings):
    """The reason for the middleware: without it, DEBUG's page shows every pattern."""
    settings.DEBUG = True
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "core.middleware.DebugNotFoundPageMiddleware"
    ]
    body = client.get(UNKNOWN_URL).content.decode()
    assert "settings/api-keys/&lt;int:pk&gt;/revoke/" in body
