"""Settings → Channels: the channels with their status and listing counts, "Connect channel"
and each channel's settings. Members read; owners and admins change (the services write)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import manager_required, manager_required_for_writes
from saleschannels import services
from saleschannels.connectors import registry
from saleschannels.forms import ChannelConnectForm, ChannelSettingsForm
from saleschannels.models import Channel, ListingState


def _channels(workspace):
    counts = {
        state: Count("listings", filter=Q(listings__state=state)) for state in ListingState.values
    }
    return (
        Channel.objects.filter(workspace=workspace)
        .annotate(**{f"{state}_count": count for state, count in counts.items()})
        .prefetch_related("locations")
        .order_by("name")
    )


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
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Connected “{channel.name}”.")
            return redirect("saleschannels:list")
    rows = [
        {
            "channel": channel,
            "label": registry.label(channel.type),
            "simulated": registry.is_simulated(channel.type),
            "counts": {state: getattr(channel, f"{state}_count") for state in ListingState.values},
        }
        for channel in _channels(workspace)
    ]
    return render(
        request,
        "saleschannels/list.html",
        {"rows": rows, "form": form, "settings_section": "channels"},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def channel_edit(request, pk):
    """A channel's locations and stock buffer."""
    channel = get_object_or_404(Channel.objects.filter(workspace=request.workspace), pk=pk)
    initial = {"locations": list(channel.locations.all()), "stock_buffer": channel.stock_buffer}
    form = ChannelSettingsForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_update(
                channel=channel,
                locations=form.cleaned_data["locations"],
                stock_buffer=form.cleaned_data["stock_buffer"],
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
