"""Every page at 360 px (a small phone) and at 1280 px: the page itself never scrolls sideways
(SPEC §4); wide tables scroll inside their own box. Each page is loaded as the person who sees
it, in workspaces seeded with worst cases: long names, long emails, many keys.

``SCREENS`` is the one list of pages. ``test_every_page_route_is_in_the_layout_list`` walks the
URLconf and fails when a GET page exists that the list does not load, so it cannot fall behind.
"""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from accounts.middleware import SESSION_KEY
from accounts.models import Membership, Role
from accounts.plans import Plan
from accounts.services import invitation_create
from apikeys.models import Access
from apikeys.services import api_key_create, api_key_revoke
from core import events
from saleschannels.services import channel_connect
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from webhooks import delivery
from webhooks.representations import endpoint_represent
from webhooks.services import endpoint_create, endpoint_send_test

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

ANONYMOUS = "anonymous"
OWNER = "owner"  # of a Pro workspace with many keys, member of two more workspaces
MEMBER = "member"  # read-only, in the owner's workspace
FREE_OWNER = "free owner"  # of a Free workspace that still holds keys from an earlier plan


@dataclass(frozen=True)
class Screen:
    path: str  # "{…}" names an example from seed_world()["examples"], e.g. a key's id
    login: str
    generate_key: bool = False  # submit "Generate new API key" first: the full key is shown
    reveal_secret: bool = False  # press "Reveal" first: the webhook signing secret is shown
    status: int = 200

    def __str__(self):
        then = " after generating a key" if self.generate_key else ""
        then += " after revealing the secret" if self.reveal_secret else ""
        return f"{self.path} as {self.login}{then}"


SCREENS = [
    Screen("/login/", ANONYMOUS),
    Screen("/signup/", ANONYMOUS),
    Screen("/password-reset/", ANONYMOUS),
    Screen("/password-reset/sent/", ANONYMOUS),
    Screen("/password-reset/{reset_link}/", ANONYMOUS),  # redirects to the new-password form
    Screen("/password-reset/MQ/not-a-token/", ANONYMOUS),  # the invalid-link page
    Screen("/password-reset/done/", ANONYMOUS),
    Screen("/invitations/{invitation}/", ANONYMOUS),
    Screen("/invitations/not-a-token/", ANONYMOUS, status=404),
    Screen("/developers/", ANONYMOUS),
    Screen("/no-such-page/", ANONYMOUS, status=404),
    Screen("/", OWNER),
    Screen("/settings/", OWNER),
    Screen("/settings/workspace/", OWNER),
    Screen("/settings/workspace/members/{member}/remove/", OWNER),
    Screen("/settings/workspace/members/{owner}/remove/", OWNER),  # the last owner's
    Screen("/settings/plan/", OWNER),
    Screen("/settings/api-keys/", OWNER),
    Screen("/settings/api-keys/", OWNER, generate_key=True),
    Screen("/settings/api-keys/{active_key}/revoke/", OWNER),
    Screen("/settings/channels/", OWNER),
    Screen("/settings/channels/{channel}/edit/", OWNER),
    Screen("/settings/channels/{channel}/edit/", MEMBER, status=403),
    Screen("/settings/webhooks/", OWNER),
    Screen("/settings/webhooks/{endpoint}/", OWNER),
    Screen("/settings/webhooks/{endpoint}/", OWNER, reveal_secret=True),
    Screen("/settings/webhooks/{endpoint}/edit/", OWNER),
    Screen("/settings/webhooks/{endpoint}/delete/", OWNER),
    Screen("/settings/webhooks/{endpoint}/rotate-secret/", OWNER),
    Screen("/workspaces/new/", OWNER),
    Screen("/developers/", OWNER),
    Screen("/no-such-page/", OWNER, status=404),
    Screen("/", MEMBER),
    Screen("/settings/workspace/", MEMBER),
    Screen("/settings/api-keys/", MEMBER),
    Screen("/settings/api-keys/{active_key}/revoke/", MEMBER, status=403),
    Screen("/settings/channels/", MEMBER),
    Screen("/settings/webhooks/", MEMBER),
    Screen("/settings/webhooks/{endpoint}/", MEMBER),
    Screen("/settings/webhooks/{endpoint}/edit/", MEMBER, status=403),
    Screen("/settings/plan/", FREE_OWNER),
    Screen("/settings/api-keys/", FREE_OWNER),
    Screen("/settings/webhooks/", FREE_OWNER),  # an endpoint kept from an earlier plan: paused
    Screen("/settings/webhooks/{free_endpoint}/", FREE_OWNER),
    Screen("/invitations/{invitation}/", FREE_OWNER),  # signed in as someone else
]

# Routes that are not pages. POST-only ones (forms on other pages) are checked to answer GET
# with 405 at the example path given, so this list cannot hide a page.
POST_ONLY_ROUTES = {
    "logout/": "/logout/",
    "workspaces/switch/": "/workspaces/switch/",
    "settings/workspace/invitations/": "/settings/workspace/invitations/",
    "settings/workspace/invitations/<int:pk>/revoke/": "/settings/workspace/invitations/1/revoke/",
    "settings/workspace/members/<int:pk>/role/": "/settings/workspace/members/1/role/",
    "settings/webhooks/<int:pk>/secret/": "/settings/webhooks/1/secret/",
    "settings/webhooks/<int:pk>/enable/": "/settings/webhooks/1/enable/",
    "settings/webhooks/<int:pk>/disable/": "/settings/webhooks/1/disable/",
    "settings/webhooks/<int:pk>/test/": "/settings/webhooks/1/test/",
    "settings/webhooks/<int:pk>/retry-failed/": "/settings/webhooks/1/retry-failed/",
    "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/": (
        "/settings/webhooks/1/deliveries/1/resend/"
    ),
}
NOT_PAGES = {
    "favicon.ico": "a redirect to the static icon",
}
EXCLUDED_PREFIXES = ("api", "admin/")

# Realistic worst cases: the longest names the models take, and words with no break in them.
LONG_EMAIL = (
    "inventory.and.purchasing.coordinator.north-west-region@distribution-centre.example.com"
)
MEMBER_EMAIL = "warehouse.night-shift.supervisor.goeteborg-hisingen@logistics-partner.example.org"
WORKSPACE_NAME = (
    "Nordisk Lagerhållning & Distribution AB — Centrallager Göteborg Hisingen Nordöstra Kajen 12"
)
OTHER_WORKSPACE_NAMES = [
    "Fjällräven-Outdoor-Equipment-Wholesale-Scandinavia-and-Baltic-States-Regional-Office",
    "Second Warehouse With A Rather Long Descriptive Name For The Seasonal Overflow Stock",
]
KEY_NAMES = [
    "ERP integration (Microsoft Dynamics 365 Business Central, production tenant, EU-North-1)",
    "Warehouse-management-system-nightly-synchronisation-job-running-on-the-on-premise-server",
    "Shopify storefront stock sync",
    "Read-only reporting for the finance team's Power BI dashboards and month-end exports",
    "Zapier",
    "Amazon Seller Central listing updater — FBA and merchant-fulfilled, all marketplaces",
    "Staging environment for the new integration partner (do not use in production please)",
    "Barcode scanner app on the warehouse handhelds, goods-in and picking stations 1 to 24",
]
INVITED_EMAILS = [
    "new.colleague.from.the.purchasing-department@distribution-centre.example.com",
    "external-accountant-for-the-quarterly-stock-valuation@accounting-firm.example.net",
]
# A receiver that is not there: port 9 on the loopback refuses at once, so the seeded delivery
# has a failed attempt (headers, error, next retry) without reaching anything.
ENDPOINT_URL = (
    "http://127.0.0.1:9/integrations/salync/webhooks/inventory-events-for-the-north-west-"
    "distribution-centre?tenant=nordisk-lagerhallning-centrallager-goeteborg&verify=signature"
)
ENDPOINT_DESCRIPTION = (
    "ERP event inbox (Microsoft Dynamics 365 Business Central, production, EU-North-1 region)"
)
NEW_KEY_NAME = "Freshly-generated-key-for-the-new-3PL-partner-onboarding-with-a-very-long-name"


def seed_world():
    """The people and workspaces every screen is loaded in; returns who logs in as whom."""
    owner = UserFactory(email=LONG_EMAIL)
    workspace = WorkspaceFactory(name=WORKSPACE_NAME, plan=Plan.PRO)
    MembershipFactory(user=owner, workspace=workspace, role=Role.OWNER)
    for name in OTHER_WORKSPACE_NAMES:
        MembershipFactory(user=owner, workspace=WorkspaceFactory(name=name), role=Role.ADMIN)
    member = MembershipFactory(
        user=UserFactory(email=MEMBER_EMAIL), workspace=workspace, role=Role.MEMBER
    ).user
    keys = []
    for index, name in enumerate(KEY_NAMES):
        access = Access.READ_ONLY if index % 3 == 1 else Access.READ_WRITE
        creator = owner if index % 2 else member
        keys.append(
            api_key_create(workspace=workspace, name=name, access=access, created_by=creator)[0]
        )
    api_key_revoke(api_key=keys[1], revoked_by=owner)

    free = WorkspaceFactory(name=OTHER_WORKSPACE_NAMES[0] + " Free", plan=Plan.FREE)
    free_owner = MembershipFactory(
        user=UserFactory(email="free." + LONG_EMAIL), workspace=free, role=Role.OWNER
    ).user
    for name in KEY_NAMES[:2]:
        api_key_create(workspace=free, name=name, created_by=free_owner)

    for index, email in enumerate(INVITED_EMAILS):
        _invitation, token = invitation_create(
            workspace=workspace,
            email=email,
            role=Role.ADMIN if index else Role.MEMBER,
            invited_by=owner,
        )
    channel = channel_connect(
        workspace=workspace, type="amazon", name="Amazon Europe — Marketplace with a long name"
    )
    with override_settings(SALYNC_WEBHOOK_ALLOW_PRIVATE=True):
        endpoint = endpoint_create(
            workspace=workspace,
            url=ENDPOINT_URL,
            description=ENDPOINT_DESCRIPTION,
            event_types=list(events.EVENT_TYPES),
        )
        sent = endpoint_send_test(endpoint=endpoint, object=endpoint_represent(endpoint))
        delivery.send(sent.pk)
        free_endpoint = endpoint_create(
            workspace=free, url=ENDPOINT_URL, event_types=[events.STOCK_BELOW_THRESHOLD]
        )
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    reset_link = f"{uid}/{default_token_generator.make_token(owner)}"
    return {
        "people": {
            OWNER: (owner, workspace),
            MEMBER: (member, workspace),
            FREE_OWNER: (free_owner, free),
        },
        "examples": {
            "active_key": keys[0].pk,
            "member": Membership.objects.get(user=member).pk,
            "owner": Membership.objects.get(user=owner, workspace=workspace).pk,
            "invitation": token,
            "reset_link": reset_link,
            "channel": channel.pk,
            "endpoint": endpoint.pk,
            "free_endpoint": free_endpoint.pk,
        },
    }


def log_in(context, live_server, user, workspace) -> None:
    """A session made by Django's test client, handed to the browser as its cookie."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = workspace.pk
    session.save()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


# Elements whose right edge passes the viewport, outside any box that scrolls on its own:
# named in the failure message so a broken layout says where it breaks.
OVERFLOW_REPORT = """() => {
  const width = window.innerWidth;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getBoundingClientRect().right <= width + 0.5) continue;
    let parent = el.parentElement, inside = false;
    while (parent && parent !== document.body) {
      if (scrolls(parent)) { inside = true; break; }
      parent = parent.parentElement;
    }
    const right = Math.round(el.getBoundingClientRect().right);
    if (!inside) out.push(`${el.tagName.toLowerCase()}.${el.className} (${right} px)`);
  }
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth, innerWidth: width, out: out.slice(0, 8)};
}"""


def assert_no_page_scroll(page: Page, screen: Screen, size: dict) -> None:
    page.set_viewport_size(size)
    report = page.evaluate(OVERFLOW_REPORT)
    assert report["scrollWidth"] <= report["innerWidth"], (
        f"{screen} at {size['width']} px is {report['scrollWidth']} px wide; "
        f"sticking out: {report['out']}"
    )


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_page_never_scrolls_sideways(page: Page, context, live_server, screen: Screen):
    world = seed_world()
    if screen.login != ANONYMOUS:
        log_in(context, live_server, *world["people"][screen.login])
    failed = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.request.is_navigation_request()
            else None
        ),
    )
    page.set_viewport_size(PHONE)
    response = page.goto(screen.path.format(**world["examples"]))
    assert response.status == screen.status, f"{screen}: {response.status}"
    if screen.generate_key:
        page.get_by_label("Name", exact=True).fill(NEW_KEY_NAME)
        page.get_by_role("button", name="Generate new API key").click()
        expect(page.get_by_label("New API key", exact=True)).to_have_value(re.compile("^slk_"))
    if screen.reveal_secret:
        page.get_by_role("button", name="Reveal", exact=True).click()
        expect(page.get_by_label("Signing secret", exact=True)).to_have_text(re.compile("^whsec_"))
        page.get_by_role("group").filter(has_text="Request and response").first.click()
    page.wait_for_load_state("load")

    assert_no_page_scroll(page, screen, PHONE)
    assert_no_page_scroll(page, screen, DESKTOP)
    assert_no_page_scroll(page, screen, PHONE)  # and back: nothing kept its desktop width
    assert failed == [], f"{screen}: requests that failed: {failed}"


@pytest.mark.browser
def test_revoke_is_reachable_on_a_phone(page: Page, context, live_server):
    """The keys table may scroll in its box, but every Revoke button can be reached and used."""
    world = seed_world()
    log_in(context, live_server, *world["people"][OWNER])
    page.set_viewport_size(PHONE)
    page.goto("/settings/api-keys/")
    page.get_by_role("link", name=f"Revoke {KEY_NAMES[-1]}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revoke “{KEY_NAMES[-1]}”?")
    assert_no_page_scroll(page, Screen(page.url, OWNER), PHONE)


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


@pytest.mark.django_db
def test_every_page_route_is_in_the_layout_list(client):
    """A page added to the URLconf without a line in SCREENS fails here, not in production."""
    world = seed_world()
    loaded = {
        resolve(screen.path.format(**world["examples"])).route
        for screen in SCREENS
        if not screen.path.startswith("/no-such-page")
    }
    routes = {
        r for r in _routes(get_resolver().url_patterns) if not r.startswith(EXCLUDED_PREFIXES)
    }
    missing = routes - loaded - set(POST_ONLY_ROUTES) - set(NOT_PAGES)
    assert missing == set(), f"pages the layout test does not load: {sorted(missing)}"
    assert set(POST_ONLY_ROUTES) | set(NOT_PAGES) <= routes, "excluded routes that are gone"

    owner, _workspace = world["people"][OWNER]
    client.force_login(owner)
    for route, example in POST_ONLY_ROUTES.items():
        assert resolve(example).route == route, example
        assert client.get(example).status_code == 405, route
