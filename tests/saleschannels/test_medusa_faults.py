"""The Medusa channel against servers that are not a working Medusa (no Node needed: the
suite's plain HTTP receiver, which answers GET with 501). The real store's own failures are in
test_medusa_connector.py."""

import pytest
from django.core.exceptions import ValidationError

from core.crypto import secret_encrypt
from saleschannels.models import Channel
from saleschannels.sync import listings_sync
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]

KEY = "sk_" + "7" * 64


@pytest.fixture(autouse=True)
def _private_store_allowed(settings):
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = True


def test_a_server_that_is_not_medusa_is_refused_at_connect(workspace, receiver):
    with pytest.raises(ValidationError) as refused:
        make_channel(workspace, "medusa", store_url=receiver.url(""), api_key=KEY)

    assert list(refused.value.message_dict) == ["store_url"]
    assert "The Medusa store failed (your server answered 501" in str(refused.value)
    assert KEY not in str(refused.value)
    assert not Channel.objects.exists()


def test_connecting_needs_both_the_url_and_the_key(workspace):
    with pytest.raises(ValidationError) as refused:
        make_channel(workspace, "medusa")

    assert refused.value.message_dict == {
        "store_url": ["Medusa needs the store's URL."],
        "api_key": ["Medusa needs a secret API key of the store."],
    }


def test_a_store_failing_on_the_push_puts_the_channel_and_listing_in_error(
    workspace, receiver, caplog
):
    """Made directly (connecting for real needs a store), as connecting would leave it."""
    channel = Channel.objects.create(
        workspace=workspace,
        type="medusa",
        name="Medusa shop",
        store_url=receiver.url(""),
        credentials=secret_encrypt(KEY),
        external_location_id="sloc_01",
    )
    listing = make_listing(channel, make_variant(workspace, "FAIL-1", barcode=""))

    listings_sync([listing.pk])

    listing.refresh_from_db()
    channel.refresh_from_db()
    assert listing.state == "error"
    assert listing.error_message.startswith("The Medusa store failed (your server answered 501")
    assert (channel.status, channel.failures) == ("error", 1)
    assert channel.status_message == listing.error_message
    assert KEY not in caplog.text + channel.status_message
    assert receiver.paths() == []  # GETs only: the store was never written to
