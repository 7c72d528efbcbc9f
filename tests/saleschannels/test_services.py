"""The channel services' rules, and the database's own last line behind them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.services import location_create
from saleschannels.models import Channel
from saleschannels.services import channel_connect, channel_update
from tests.factories import make_workspace
from tests.saleschannels.factories import make_channel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]


def test_a_channels_locations_must_belong_to_its_workspace(workspace):
    theirs = location_create(workspace=make_workspace("Other"), name="Their shop")

    with pytest.raises(ValidationError) as refused:
        channel_connect(workspace=workspace, type="ebay", name="eBay", locations=[theirs])

    assert "locations" in refused.value.message_dict
    assert not Channel.objects.exists()
    channel = make_channel(workspace, "ebay")
    with pytest.raises(ValidationError):
        channel_update(channel=channel, locations=[theirs])
    assert list(channel.locations.all()) == []


@pytest.mark.parametrize("buffer", [-1, 1_000_001, "3", 2.5])
def test_a_buffer_is_a_whole_number_of_zero_or_more(workspace, buffer):
    with pytest.raises(ValidationError) as refused:
        channel_connect(workspace=workspace, type="ebay", name="eBay", stock_buffer=buffer)
    assert "stock_buffer" in refused.value.message_dict


def test_the_database_refuses_a_negative_buffer(workspace):
    channel = make_channel(workspace)
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.filter(pk=channel.pk).update(stock_buffer=-1)


def test_an_unknown_type_is_refused(workspace):
    with pytest.raises(ValidationError) as refused:
        channel_connect(workspace=workspace, type="myspace", name="Old")
    assert "type" in refused.value.message_dict


def test_names_are_unique_in_a_workspace_not_across(workspace):
    make_channel(workspace, "ebay", "Main shop")
    with pytest.raises(ValidationError) as refused:
        make_channel(workspace, "etsy", "Main shop")
    assert "name" in refused.value.message_dict
    make_channel(make_workspace("Other"), "etsy", "Main shop")


def test_a_channels_repr_names_it_and_nothing_else(workspace):
    channel = make_channel(workspace, "amazon", "Amazon EU")
    assert str(channel) == "Amazon EU"
    assert "Amazon EU" in repr(channel)
