"""There is an icon: the one every page links, and /favicon.ico, which browsers ask for whatever
the page links. Fetched over real HTTP from the live server, which serves static files as
production's WhiteNoise does (Chromium fetches icons outside the page's own requests, so the
browser test in tests/browser/test_layout.py cannot see them)."""

import re

import pytest
import requests

TIMEOUT = 10


def linked_icon(live_server) -> str:
    body = requests.get(f"{live_server.url}/login/", timeout=TIMEOUT).text
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', body)
    assert match, "the base layout links no icon"
    return match.group(1)


def test_the_linked_icon_is_an_svg(live_server):
    response = requests.get(live_server.url + linked_icon(live_server), timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    assert response.content.lstrip().startswith(b"<svg")


def test_favicon_ico_sends_anonymous_visitors_to_the_same_icon(live_server):
    icon = linked_icon(live_server)
    redirect = requests.get(f"{live_server.url}/favicon.ico", allow_redirects=False, timeout=10)
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == icon

    followed = requests.get(f"{live_server.url}/favicon.ico", timeout=TIMEOUT)
    assert followed.status_code == 200
    assert followed.content == requests.get(live_server.url + icon, timeout=TIMEOUT).content


@pytest.mark.django_db
def test_favicon_ico_takes_only_safe_methods(client):
    assert client.post("/favicon.ico").status_code == 405
    assert client.head("/favicon.ico").status_code == 302
