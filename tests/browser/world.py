"""The world the browser tests load pages in: who logs in, what their workspaces hold (worst
cases: long names and SKUs, long emails, many keys and products, a listing with a long error
message), and ``SCREENS``, the one list of pages: test_layout.py loads each one,
test_member_read_only.py walks them as a member.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.middleware import SESSION_KEY
from accounts.models import Membership, Role
from accounts.plans import Plan
from accounts.services import invitation_create
from apikeys.models import Access
from apikeys.services import api_key_create, api_key_revoke
from core import events
from inventory.models import Reason, StockLevel, Variant
from inventory.services import (
    Actor,
    AdjustmentLine,
    location_create,
    location_default,
    product_archive,
    product_create,
    stock_adjust,
    stock_adjust_batch,
)
from purchasing.models import OrderStatus
from purchasing.services import (
    OrderLine,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_receive,
    supplier_create,
)
from saleschannels import sync
from saleschannels.services import channel_connect, listing_publish
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from webhooks import delivery
from webhooks.representations import endpoint_represent
from webhooks.services import endpoint_create, endpoint_send_test

ANONYMOUS = "anonymous"
OWNER = "owner"  # of a Pro workspace with many keys, member of two more workspaces
MEMBER = "member"  # read-only, in the owner's workspace
FREE_OWNER = "free owner"  # of a Free workspace that still holds keys from an earlier plan
NEW_OWNER = "new owner"  # of a workspace just created: nothing in it yet


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

    @property
    def slug(self) -> str:
        """The screenshot's file name: "settings-api-keys--owner--generate-key"."""
        words = [self.path.strip("/") or "overview", self.login]
        words += [flag for flag in ("generate_key", "reveal_secret") if getattr(self, flag)]
        return "--".join(re.sub(r"[^a-z0-9]+", "-", word.lower()).strip("-") for word in words)


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
    Screen("/settings/api-keys/?status=inactive", OWNER),  # revoked and expired keys
    Screen("/settings/api-keys/{active_key}/rename/", OWNER),
    Screen("/settings/api-keys/{active_key}/roll/", OWNER),
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
    Screen("/", NEW_OWNER),  # "Get started" instead of what needs attention
    Screen("/products/", OWNER),
    Screen("/products/?page=2", OWNER),
    Screen("/products/?q=FOREST-GREEN&status=active", OWNER),
    Screen("/products/new/", OWNER),
    Screen("/products/{product}/", OWNER),
    Screen("/products/{product}/edit/", OWNER),
    Screen("/products/{product}/archive/", OWNER),
    Screen("/products/?status=archived", OWNER),
    Screen("/products/{archived_product}/", OWNER),  # "Unarchive" instead of "Archive"
    Screen("/stock/", OWNER),
    Screen("/stock/?below_reorder_point=on", OWNER),
    Screen("/stock/{level}/adjust/", OWNER),
    Screen("/stock/history/", OWNER),
    Screen("/purchase-orders/", OWNER),
    Screen("/purchase-orders/?due=on", OWNER),
    Screen("/purchase-orders/new/", OWNER),
    Screen("/purchase-orders/{order}/", OWNER),
    Screen("/purchase-orders/{order}/receive/", OWNER),
    Screen("/purchase-orders/{draft_order}/", OWNER),
    Screen("/purchase-orders/{order}/cancel/", OWNER),
    Screen("/suppliers/", OWNER),
    Screen("/suppliers/new/", OWNER),
    Screen("/suppliers/{supplier}/edit/", OWNER),
    Screen("/channels/", OWNER),
    Screen("/channels/{channel}/", OWNER),
    Screen("/channels/listings/", OWNER),
    Screen("/channels/listings/?state=error", OWNER),
    # The empty states, each with its one main action.
    Screen("/products/", NEW_OWNER),
    Screen("/stock/", NEW_OWNER),
    Screen("/stock/history/", NEW_OWNER),
    Screen("/purchase-orders/", NEW_OWNER),
    Screen("/suppliers/", NEW_OWNER),
    Screen("/channels/", NEW_OWNER),
    Screen("/channels/listings/", NEW_OWNER),
    Screen("/workspaces/new/", OWNER),
    Screen("/developers/", OWNER),
    Screen("/no-such-page/", OWNER, status=404),
    Screen("/", MEMBER),
    Screen("/settings/workspace/", MEMBER),
    Screen("/settings/api-keys/", MEMBER),
    Screen("/settings/api-keys/{active_key}/rename/", MEMBER, status=403),
    Screen("/settings/api-keys/{active_key}/roll/", MEMBER, status=403),
    Screen("/settings/api-keys/{active_key}/revoke/", MEMBER, status=403),
    Screen("/settings/channels/", MEMBER),
    Screen("/settings/webhooks/", MEMBER),
    Screen("/settings/webhooks/{endpoint}/", MEMBER),
    Screen("/settings/webhooks/{endpoint}/edit/", MEMBER, status=403),
    Screen("/products/", MEMBER),
    Screen("/products/{product}/", MEMBER),
    Screen("/products/new/", MEMBER, status=403),
    Screen("/products/{product}/edit/", MEMBER, status=403),
    Screen("/stock/", MEMBER),
    Screen("/stock/history/", MEMBER),
    Screen("/stock/{level}/adjust/", MEMBER, status=403),
    Screen("/purchase-orders/", MEMBER),
    Screen("/purchase-orders/{order}/", MEMBER),
    Screen("/purchase-orders/{order}/receive/", MEMBER, status=403),
    Screen("/suppliers/", MEMBER),
    Screen("/suppliers/{supplier}/edit/", MEMBER),  # the supplier's details, read-only
    Screen("/channels/", MEMBER),
    Screen("/channels/{channel}/", MEMBER),
    Screen("/settings/plan/", FREE_OWNER),
    Screen("/settings/api-keys/", FREE_OWNER),
    Screen("/settings/webhooks/", FREE_OWNER),  # an endpoint kept from an earlier plan: paused
    Screen("/settings/webhooks/{free_endpoint}/", FREE_OWNER),
    Screen("/invitations/{invitation}/", FREE_OWNER),  # signed in as someone else
]

# Routes that are not pages: POST-only ones (forms on other pages), with an example path ("{…}"
# as in SCREENS). Each is checked to answer GET with 405, so this list cannot hide a page.
POST_ONLY_ROUTES = {
    "logout/": "/logout/",
    "workspaces/switch/": "/workspaces/switch/",
    "settings/workspace/invitations/": "/settings/workspace/invitations/",
    "settings/workspace/invitations/<int:pk>/revoke/": (
        "/settings/workspace/invitations/{invitation_pk}/revoke/"
    ),
    "settings/workspace/members/<int:pk>/role/": "/settings/workspace/members/{member}/role/",
    "settings/webhooks/<int:pk>/secret/": "/settings/webhooks/{endpoint}/secret/",
    "settings/webhooks/<int:pk>/enable/": "/settings/webhooks/{endpoint}/enable/",
    "settings/webhooks/<int:pk>/disable/": "/settings/webhooks/{endpoint}/disable/",
    "settings/webhooks/<int:pk>/test/": "/settings/webhooks/{endpoint}/test/",
    "settings/webhooks/<int:pk>/retry-failed/": "/settings/webhooks/{endpoint}/retry-failed/",
    "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/": (
        "/settings/webhooks/{endpoint}/deliveries/{delivery}/resend/"
    ),
    "products/<int:pk>/unarchive/": "/products/{archived_product}/unarchive/",
    "purchase-orders/<int:pk>/place/": "/purchase-orders/{draft_order}/place/",
    "channels/<int:pk>/publish/": "/channels/{channel}/publish/",
    "channels/<int:pk>/sync/": "/channels/{channel}/sync/",
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
# The catalogue: more products than a page holds, names at their 200-character limit, SKUs at
# 64 characters with no break in them.
PRODUCT_COUNT = 51  # a page of 50 and a second page
PRODUCT_NAME = (
    "Merino wool hiking sock with cushioned heel and toe, reinforced arch support and "
    "flat-knit seams — Nordic Trail Pro series, sustainably sourced, 3-pack gift box edition, "
    "winter colourways no."
)
LONG_SKU = "NORDIC-TRAIL-PRO-MERINO-HIKING-SOCK-CUSHIONED-XL-CHARCOAL-GRY-"  # + 2 digits: 64
VALID_GTIN = "4006381333931"  # EAN-13s with a correct check digit
OTHER_GTIN = "5901234123457"
LOCATION_NAME = "Overflow warehouse Göteborg Hisingen — Nordöstra Kajen 12, hall B, racks 40-96"
SUPPLIER_NAME = (
    "Scandinavian Technical Textiles & Outdoor Apparel Manufacturing Cooperative (Tampere) Oy"
)
SUPPLIER_EMAIL = "purchase-orders.and.order-confirmations@scandinavian-technical-textiles.example"
ADJUST_NOTE = (
    "Cycle count after the night shift found two cartons mislabelled as the previous season's "
    "colourway; corrected on the handheld and reported to the supplier's quality team."
)


@transaction.atomic  # one commit, not hundreds: the test database is a file on disk
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
        invitation, token = invitation_create(
            workspace=workspace,
            email=email,
            role=Role.ADMIN if index else Role.MEMBER,
            invited_by=owner,
        )
    channel = channel_connect(
        workspace=workspace, type="amazon", name="Amazon Europe — Marketplace with a long name"
    )
    # Before the endpoints, so its events are not deliveries to fan out and queue.
    stock = seed_stock(workspace, owner, channel)
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
    new_owner = MembershipFactory(
        user=UserFactory(email="new." + LONG_EMAIL),
        workspace=WorkspaceFactory(name=OTHER_WORKSPACE_NAMES[1] + " (new)", plan=Plan.PRO),
        role=Role.OWNER,
    )
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    reset_link = f"{uid}/{default_token_generator.make_token(owner)}"
    return {
        "people": {
            OWNER: (owner, workspace),
            MEMBER: (member, workspace),
            FREE_OWNER: (free_owner, free),
            NEW_OWNER: (new_owner.user, new_owner.workspace),
        },
        "examples": {
            "active_key": keys[0].pk,
            "member": Membership.objects.get(user=member).pk,
            "owner": Membership.objects.get(user=owner, workspace=workspace).pk,
            "invitation": token,
            "invitation_pk": invitation.pk,
            "reset_link": reset_link,
            "channel": channel.pk,
            "endpoint": endpoint.pk,
            "delivery": sent.pk,
            "free_endpoint": free_endpoint.pk,
            **stock,
        },
    }


def seed_stock(workspace, owner, channel) -> dict:
    """Products, stock, suppliers, orders and listings through the services, with something in
    every state the Overview asks about: a level below its reorder point, an order due, a
    listing in error (a long message). Returns the examples the screens open."""
    actor = Actor.user(owner)
    overflow = location_create(workspace=workspace, name=LOCATION_NAME)
    products = []
    for index in range(PRODUCT_COUNT):
        variants = [
            {"sku": f"{LONG_SKU}{index:02}", "name": "XL / Charcoal grey", "reorder_point": 10}
        ]
        if index == 0:  # one product with several variants, barcodes and prices
            variants += [
                {
                    "sku": f"{LONG_SKU[:-16]}FOREST-GREEN-{size}",
                    "name": f"{size} / Forest green with reflective heel tab",
                    "barcode": VALID_GTIN if size == "M" else "",
                    "price": Decimal("1249999.95"),
                    "cost": Decimal("799999.50"),
                    "reorder_point": 250,
                }
                for size in ("S", "M", "L")
            ]
        products.append(
            product_create(
                workspace=workspace,
                name=f"{PRODUCT_NAME} {index:03}",
                description=ADJUST_NOTE,
                variants=variants,
            )
        )
    # A first count of every product at the default location: a page and more of history,
    # each level still below its reorder point of 10.
    main = location_default(workspace)
    stock_adjust_batch(
        workspace=workspace,
        lines=[
            AdjustmentLine(variant=v, location=main, quantity=3, reason=Reason.COUNT)
            for v in Variant.objects.filter(product__in=products[1:])
        ],
        actor=actor,
    )
    archived = product_archive(product=products[-1])
    first = list(products[0].variants.order_by("pk"))
    for variant in first:
        stock_adjust(
            workspace=workspace,
            variant=variant,
            location=overflow,
            quantity=120,
            reason=Reason.RECEIVED,
            actor=actor,
        )
        stock_adjust(
            workspace=workspace,
            variant=variant,
            location=overflow,
            quantity=-3,
            reason=Reason.COUNT,
            note=ADJUST_NOTE,
            actor=actor,
        )
    level = StockLevel.objects.get(variant=first[0], location=overflow)

    supplier = supplier_create(
        workspace=workspace,
        name=SUPPLIER_NAME,
        email=SUPPLIER_EMAIL,
        address="Hämeenkatu 1234 B 56\n33100 Tampere\nFinland",
        currency="EUR",
        lead_time_days=21,
    )
    lines = [OrderLine(variant=v, quantity=1000, unit_cost=Decimal("12345.67")) for v in first]
    past = timezone.now().date() - timedelta(days=3)
    due = purchase_order_create(
        workspace=workspace, supplier=supplier, location=overflow, lines=lines, expected_date=past
    )
    partial = purchase_order_create(
        workspace=workspace, supplier=supplier, location=overflow, lines=lines, expected_date=past
    )
    purchase_order_receive(
        order=partial, actor=actor, lines=[(line.pk, 400) for line in partial.lines.all()]
    )
    purchase_order_cancel(
        order=purchase_order_create(
            workspace=workspace, supplier=supplier, location=overflow, lines=lines
        )
    )
    draft = purchase_order_create(
        workspace=workspace,
        supplier=supplier,
        location=overflow,
        lines=lines[:1],
        status=OrderStatus.DRAFT,
    )

    # No price, no barcode and a title past Amazon's limit: the listing's error runs to three
    # sentences. The other listing has all three right: it goes active.
    refused = listing_publish(channel=channel, variant=first[0])
    gaiter = product_create(
        workspace=workspace,
        name="Trail running gaiter",
        variants=[{"sku": "GAITER-ONE-SIZE", "barcode": OTHER_GTIN, "price": Decimal("19.90")}],
    )
    listed = listing_publish(channel=channel, variant=gaiter.variants.get())
    sync.listings_sync([refused.pk, listed.pk])
    return {
        "product": products[0].pk,
        "archived_product": archived.pk,
        "draft_order": draft.pk,
        "unlisted_variant": first[1].pk,
        "level": level.pk,
        "supplier": supplier.pk,
        "order": due.pk,
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


def url_routes(patterns=None, prefix=""):
    """Every route in the URLconf, as Django spells it: "products/<int:pk>/edit/"."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            yield from url_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route
