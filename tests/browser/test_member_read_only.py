"""A member (role member) reads everything and changes nothing (SPEC §4): every page of a
workspace full of data opens for them, none of them offers a form or a link that would change
something, and a forged POST with a valid CSRF token to every route is refused (403, or 405
where the route takes no POST from anyone) and leaves every table as it was. Both walks start
from the URLconf, so a new route is covered the day it is added. Django's test client is enough
here: what is checked is the HTML and the answers, not the browser's rendering.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.middleware import SESSION_KEY
from tests.browser.world import (
    ANONYMOUS,
    EXCLUDED_PREFIXES,
    LONG_SKU,
    MEMBER,
    NOT_PAGES,
    OWNER,
    POST_ONLY_ROUTES,
    SCREENS,
    seed_world,
    url_routes,
)

pytestmark = pytest.mark.django_db

# Pages that exist only to change something: a member is refused (403) and never linked to them.
# (A supplier's edit page is not one: members read the supplier there, every field disabled.)
WRITE_PAGES = {
    "products/new/",
    "products/<int:pk>/edit/",
    "products/<int:pk>/archive/",
    "stock/<int:pk>/adjust/",
    "purchase-orders/new/",
    "purchase-orders/<int:pk>/receive/",
    "purchase-orders/<int:pk>/cancel/",
    "suppliers/new/",
    "settings/workspace/members/<int:pk>/remove/",
    "settings/api-keys/<int:pk>/rename/",
    "settings/api-keys/<int:pk>/roll/",
    "settings/api-keys/<int:pk>/revoke/",
    "settings/channels/<int:pk>/edit/",
    "settings/webhooks/<int:pk>/edit/",
    "settings/webhooks/<int:pk>/delete/",
    "settings/webhooks/<int:pk>/rotate-secret/",
}
# What a member may still post: their own session, and a workspace of their own.
MEMBER_POSTS = {"logout/", "workspaces/switch/", "workspaces/new/"}
# Routes whose POST is not a change to a workspace: signing up or in, resetting a password,
# answering an invitation. They are for the anonymous visitor (or the invitee).
NOT_WORKSPACE_WRITES = MEMBER_POSTS | {
    "login/",
    "signup/",
    "password-reset/",
    "password-reset/sent/",
    "password-reset/done/",
    "password-reset/<uidb64>/<token>/",
    "invitations/<str:token>/",
}
# One body for every forged POST, with the names the forms use, so a route that forgot its role
# check would act on it (and the snapshot would show it) rather than fail on a missing field.
FORGED = {
    "name": "Forged by a member",
    "description": "Forged",
    "email": "forged@example.com",
    "currency": "EUR",
    "lead_time_days": "0",
    "role": "owner",
    "sku": LONG_SKU + "99",
    "quantity": "5",
    "reason": "correction",
    "note": "Forged",
    "expected_on_hand": "0",
    "status": "archived",
    "url": "https://hooks.example.com/forged",
    "type": "amazon",
    "confirm": "on",
}


class Controls(HTMLParser):
    """The POST forms of a page (their action and whether any control in them is enabled)
    and the targets of its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if attrs.get("method", "get").lower() == "post":
                self._form = {"action": attrs.get("action") or "", "enabled": []}
                self.forms.append(self._form)
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            kind = attrs.get("type", "submit" if tag == "button" else "text").lower()
            if kind not in ("hidden", "button") and "disabled" not in attrs:
                self._form["enabled"].append(f"<{tag} name={attrs.get('name')!r}>")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def route_of(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return None


def member_client(world, **kwargs) -> Client:
    member, workspace = world["people"][MEMBER]
    client = Client(**kwargs)
    client.force_login(member)
    session = client.session
    session[SESSION_KEY] = workspace.pk
    session.save()
    return client


def workspace_pages(world) -> dict[str, str]:
    """Every page of the owner's workspace SCREENS loads, as route → example path."""
    pages = {}
    for screen in SCREENS:
        if screen.login in (OWNER, MEMBER) and screen.status == 200:
            path = screen.path.format(**world["examples"])
            pages.setdefault(route_of(path), path)
    return pages


def snapshot() -> dict:
    """Every row of every table but the sessions, to prove that nothing changed."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session
    }


def test_a_member_opens_every_page_and_finds_nothing_to_change():
    world = seed_world()
    client = member_client(world)
    write_pages_seen, problems = set(), []
    for route, path in sorted(workspace_pages(world).items()):
        response = client.get(path, follow=True)  # /settings/ is a redirect to its first page
        if route in WRITE_PAGES:
            write_pages_seen.add(route)
            if response.status_code != 403:
                problems.append(f"{path}: {response.status_code}, not 403")
            continue
        if response.status_code != 200:
            problems.append(f"{path}: {response.status_code}, not 200")
            continue
        page = Controls()
        page.feed(response.content.decode())
        for form in page.forms:
            target = route_of(urljoin(path, form["action"]))
            if target not in MEMBER_POSTS and form["enabled"]:
                problems.append(f"{path}: a form posting to {target} with {form['enabled']}")
        for href in page.links:
            if route_of(urljoin(path, href)) in WRITE_PAGES:
                problems.append(f"{path}: a link to {href}, a page the member cannot open")
    assert problems == [], "\n".join(problems)
    assert write_pages_seen == WRITE_PAGES, "write pages SCREENS does not load"


def test_a_forged_post_from_a_member_is_refused_and_changes_nothing():
    world = seed_world()
    client = member_client(world, enforce_csrf_checks=True)
    home = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home).group(1)

    examples = {
        route: example.format(**world["examples"]) for route, example in POST_ONLY_ROUTES.items()
    }
    for screen in SCREENS:
        if screen.login != ANONYMOUS:
            path = screen.path.format(**world["examples"])
            examples.setdefault(route_of(path), urlsplit(path).path)
    routes = {r for r in url_routes() if not r.startswith(EXCLUDED_PREFIXES)}
    writes = routes - NOT_WORKSPACE_WRITES - set(NOT_PAGES)
    assert routes >= NOT_WORKSPACE_WRITES, "routes listed here that are gone"
    assert writes - set(examples) == set(), "routes with no example path in world.py"

    forged = {
        **FORGED,
        "variant": world["examples"]["unlisted_variant"],
        "csrfmiddlewaretoken": token,
    }
    before = snapshot()
    answers = {}
    for route in sorted(writes):
        response = client.post(examples[route], forged)
        # Our 403 page, not the CSRF failure: the token was good, the role was not. A page
        # that only reads answers 405: it takes no POST from anyone.
        refused = response.status_code == 405 or (
            response.status_code == 403 and "403.html" in (t.name for t in response.templates)
        )
        if not refused:
            answers[examples[route]] = response.status_code
    assert answers == {}, f"forged POSTs a member got through (path: status): {answers}"
    assert snapshot() == before

    # The same token opens a door the member does have: the refusals above were the role's.
    _own, workspace = world["people"][MEMBER]
    response = client.post(
        "/workspaces/switch/", {"workspace": workspace.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
