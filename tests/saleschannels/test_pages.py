"""Settings → Channels (SPEC §4): everyone in the workspace sees the channels; owners and
admins connect one ("Connect channel": "Channel type", "Name", "Locations", "Stock buffer")
and change its locations and buffer; members are refused (403)."""

import re

import pytest

from accounts.models import Role
from inventory.services import location_create, location_default
from saleschannels.models import Channel
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]

LIST = "/settings/channels/"


@pytest.fixture
def shop(owner):
    location_default(owner.workspace)
    return location_create(workspace=owner.workspace, name="High Street shop")


def connect(client, **fields):
    body = {"type": "amazon", "name": "Amazon EU", "stock_buffer": "2", **fields}
    return client.post(LIST, body)


def test_the_page_labels_every_field_and_lists_the_types(owner_client, shop):
    page = owner_client.get(LIST).content.decode()

    assert '<label for="id_type">Channel type</label>' in page
    assert '<label for="id_name">Name</label>' in page
    assert "<legend>Locations</legend>" in page
    assert '<label for="id_locations_1">High Street shop</label>' in page
    assert '<label for="id_stock_buffer">Stock buffer</label>' in page
    assert ">Connect channel</button>" in page
    assert 'name="csrfmiddlewaretoken"' in page
    for label in ("Shopify", "Amazon", "eBay", "Etsy", "WooCommerce"):
        assert f">{label} (simulated)</option>" in page
    assert 'href="/settings/channels/" aria-current="page">Channels</a>' in page


def test_an_owner_connects_a_channel(owner_client, owner, shop):
    response = connect(owner_client, locations=[shop.pk])

    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.workspace, channel.type, channel.name, channel.stock_buffer) == (
        owner.workspace,
        "amazon",
        "Amazon EU",
        2,
    )
    assert list(channel.locations.all()) == [shop]
    page = owner_client.get(LIST).content.decode()
    assert "Connected “Amazon EU”." in page
    assert "simulated</span>" in page
    assert "High Street shop" in page


def test_no_location_ticked_means_all_locations(owner_client, owner, shop):
    connect(owner_client)
    assert list(Channel.objects.get().locations.all()) == []
    assert "All locations" in owner_client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"stock_buffer": "-1"}, "stock_buffer", "greater than or equal to 0"),
        ({"stock_buffer": "many"}, "stock_buffer", "Enter a whole number."),
        ({"type": "myspace"}, "type", "Select a valid choice."),
        ({"locations": ["987654"]}, "locations", "Select a valid choice."),
    ],
)
def test_errors_are_shown_beside_their_field_and_nothing_is_saved(
    owner_client, shop, fields, field, message
):
    response = connect(owner_client, **fields)

    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(rf'<div class="error" id="id_{field}_error">(.*?)</div>', page, re.S)
    assert error, page
    assert message in error.group(1)
    assert not Channel.objects.exists()


def test_another_workspaces_location_is_not_a_choice(owner_client, shop):
    other = WorkspaceFactory()
    theirs = location_create(workspace=other, name="Theirs")

    response = connect(owner_client, locations=[theirs.pk])

    assert 'id="id_locations_error"' in response.content.decode()
    assert not Channel.objects.exists()


def test_a_taken_name_is_an_error_beside_the_name(owner_client, owner, shop):
    make_channel(owner.workspace, "ebay", "Amazon EU")
    response = connect(owner_client)
    assert "There is already a channel named" in response.content.decode()
    assert Channel.objects.count() == 1


@pytest.fixture
def member_client(client, owner):
    member = MembershipFactory(workspace=owner.workspace, role=Role.MEMBER)
    client.force_login(member.user)
    return client


def test_a_member_sees_the_channels_but_cannot_connect_or_edit(member_client, owner, shop):
    channel = make_channel(owner.workspace, "etsy", "Etsy shop")
    make_listing(channel, make_variant(owner.workspace, "M-1"))

    page = member_client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Etsy shop" in text
    assert "1 pending" in text
    assert "Connect channel" not in text
    assert "/edit/" not in text

    assert connect(member_client).status_code == 403
    assert member_client.get(f"/settings/channels/{channel.pk}/edit/").status_code == 403
    edit = member_client.post(f"/settings/channels/{channel.pk}/edit/", {"stock_buffer": "9"})
    assert edit.status_code == 403
    channel.refresh_from_db()
    assert channel.stock_buffer == 0
    assert Channel.objects.count() == 1


def test_an_admin_may_connect(client, owner, shop):
    admin = MembershipFactory(workspace=owner.workspace, role=Role.ADMIN)
    client.force_login(admin.user)
    assert connect(client).status_code == 302


def test_an_owner_changes_the_locations_and_buffer(owner_client, owner, shop):
    channel = make_channel(owner.workspace, "ebay", "eBay UK")
    path = f"/settings/channels/{channel.pk}/edit/"

    form = owner_client.get(path).content.decode()
    assert "<legend>Locations</legend>" in form
    assert ">Save</button>" in form

    invalid = owner_client.post(path, {"stock_buffer": "-3", "locations": [shop.pk]})
    assert 'id="id_stock_buffer_error"' in invalid.content.decode()

    saved = owner_client.post(path, {"stock_buffer": "4", "locations": [shop.pk]})
    assert saved.status_code == 302
    channel.refresh_from_db()
    assert channel.stock_buffer == 4
    assert list(channel.locations.all()) == [shop]


def test_another_workspaces_channel_is_404(owner_client):
    other = make_channel(WorkspaceFactory(), "ebay")
    assert owner_client.get(f"/settings/channels/{other.pk}/edit/").status_code == 404


def test_the_empty_state_offers_connecting(owner_client, shop):
    assert "No channels yet." in owner_client.get(LIST).content.decode()


def test_the_forms_need_csrf(client, owner, shop):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner.user)
    assert strict.post(LIST, {"type": "ebay", "name": "X", "stock_buffer": "0"}).status_code == 403
    assert not Channel.objects.exists()
