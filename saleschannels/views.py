"""The Channels pages (SPEC §4): the channels with their listing counts, each channel's page
with its listings by state, "Publish variant" and "Sync now", and the listings across channels;
under Settings → Channels, "Connect channel" and each channel's settings. Members read; owners
and admins change, through ``saleschannels.services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import manager_required, manager_required_for_writes
from saleschannels import page_queries, services
from saleschannels.connectors import registry
from saleschannels.errors import AlreadyListed
from saleschannels.forms import (
    ChannelConnectForm,
    ChannelSettingsForm,
    ListingPublishForm,
    LiveChannelSettingsForm,
)
from saleschannels.models import Channel, ListingState


@manager_required_for_writes
@require_http_methods(["GET", "POST"])
def channels(request):
    """The channels; owners and admins connect one with the form below them."""
    workspace = request.workspace
    form = ChannelConnectForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = services.channel_connect(
                workspace=workspace,
                type=data["type"],
                name=data["name"],
                locations=data["locations"],
                stock_buffer=data["stock_buffer"],
                store_url=data["store_url"],
                api_key=data["api_key"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Connected “{channel.name}”.")
            return redirect("saleschannels:list")
    return render(
        request,
        "saleschannels/list.html",
        {
            "rows": page_queries.channel_rows(workspace, locations=True),
            "form": form,
            "settings_section": "channels",
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def channel_edit(request, pk):
    """A channel's locations and stock buffer, and a live store's URL and key."""
    channel = get_object_or_404(Channel.objects.filter(workspace=request.workspace), pk=pk)
    live = registry.is_live(channel.type)
    initial = {"locations": list(channel.locations.all()), "stock_buffer": channel.stock_buffer}
    if live:
        initial["store_url"] = channel.store_url
    form_class = LiveChannelSettingsForm if live else ChannelSettingsForm
    form = form_class(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        store = (
            {"store_url": form.cleaned_data["store_url"], "api_key": form.cleaned_data["api_key"]}
            if live
            else {}
        )
        try:
            services.channel_update(
                channel=channel,
                locations=form.cleaned_data["locations"],
                stock_buffer=form.cleaned_data["stock_buffer"],
                **store,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Saved “{channel.name}”. Its listings sync shortly.")
            return redirect("saleschannels:list")
    return render(
        request,
        "saleschannels/edit.html",
        {
            "channel": channel,
            "label": registry.label(channel.type),
            "simulated": registry.is_simulated(channel.type),
            "form": form,
            "settings_section": "channels",
        },
    )


SECTION = "channels"


def _state(request) -> str:
    """The ``state`` filter of the query string; anything but a listing state means all."""
    state = request.GET.get("state", "")
    return state if state in page_queries.STATES else ""


def _state_links(counts: dict[str, int], chosen: str) -> list[dict]:
    """The "All" and per-state filter links, each with its count."""
    links = [{"state": "", "label": "All", "count": sum(counts.values()), "current": not chosen}]
    links += [
        {"state": state, "label": label, "count": counts[state], "current": state == chosen}
        for state, label in ListingState.choices
    ]
    return links


@manager_required_for_writes
@require_http_methods(["GET"])
def channel_overview(request):
    """The channels with their status and listing counts, each linking to its page."""
    return render(
        request,
        "saleschannels/channels.html",
        {"rows": page_queries.channel_rows(request.workspace), "section": SECTION},
    )


def _channel_page(request, row: dict, *, publish_form: ListingPublishForm | None = None):
    """A channel's page: its facts, its listings (filtered by ``state``) and, for owners and
    admins, "Publish variant" and "Sync now"."""
    channel = row["channel"]
    state = _state(request)
    if publish_form is None and request.membership.can_manage:
        publish_form = ListingPublishForm(variants=page_queries.publishable_variants(channel))
    return render(
        request,
        "saleschannels/detail.html",
        {
            **row,
            "state": state,
            "state_links": _state_links(row["counts"], state),
            "listings": page_queries.listings_page(
                request.workspace,
                channel=channel,
                state=state,
                page_number=request.GET.get("page"),
            ),
            "publish_form": publish_form,
            "section": SECTION,
        },
    )


@manager_required_for_writes
@require_http_methods(["GET"])
def channel_detail(request, pk):
    """A channel, its listings by state with their error messages, and its commands."""
    return _channel_page(request, page_queries.channel_get(request.workspace, pk))


@manager_required
@require_POST
def listing_publish(request, pk):
    """List the chosen variant ("Publish variant"); the sync publishes it right after."""
    row = page_queries.channel_get(request.workspace, pk)
    channel = row["channel"]
    form = ListingPublishForm(request.POST, variants=page_queries.publishable_variants(channel))
    if form.is_valid():
        variant = form.cleaned_data["variant"]
        try:
            services.listing_publish(channel=channel, variant=variant)
        except (ValidationError, AlreadyListed) as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Published {variant.sku} on {channel.name}: the listing is pending until the "
                "sync publishes it, in a few seconds. Reload this page to see the result.",
            )
            return redirect("saleschannels:channel", channel.pk)
    return _channel_page(request, row, publish_form=form)


@manager_required
@require_POST
def channel_sync(request, pk):
    """Sync every listing of the channel again, each quantity pushed again ("Sync now")."""
    row = page_queries.channel_get(request.workspace, pk)
    channel = row["channel"]
    count = services.channel_sync_now(channel=channel)
    orders = " Its new orders come back as stock movements too." if row["live"] else ""
    if count:
        listings = "1 listing" if count == 1 else f"{count} listings"
        messages.success(
            request,
            f"Syncing {listings} on {channel.name}: each is published or updated and its "
            f"quantity pushed again, in a few seconds.{orders} Reload this page to see the "
            "result.",
        )
    elif row["live"]:
        messages.info(request, f"{channel.name} has no listings yet.{orders}")
    else:
        messages.info(request, f"{channel.name} has no listings yet: nothing to sync.")
    return redirect("saleschannels:channel", channel.pk)


@manager_required_for_writes
@require_http_methods(["GET"])
def listings(request):
    """The listings across every channel, filtered by state (the Overview links to
    ``?state=error``)."""
    state = _state(request)
    return render(
        request,
        "saleschannels/listings.html",
        {
            "state": state,
            "state_links": _state_links(page_queries.state_counts(request.workspace), state),
            "listings": page_queries.listings_page(
                request.workspace, state=state, page_number=request.GET.get("page")
            ),
            "section": SECTION,
        },
    )
