"""Settings → Webhooks (SPEC §4, §5.5): the endpoints with their last 24 hours, "Add endpoint",
each endpoint's page with its delivery log, and the commands on it. Everyone in the workspace
reads; owners and admins change, through ``webhooks.services``; the secret is shown only to
them, only when asked for."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import manager_required, manager_required_for_writes
from accounts.plans import plans_with
from core.events import EVENT_TYPES
from webhooks import page_queries, services
from webhooks.delivery import MAX_ATTEMPTS
from webhooks.forms import DeliveryFilterForm, EndpointForm, RetryFailedForm
from webhooks.models import Delivery
from webhooks.representations import endpoint_represent

SECTION = "webhooks"
PLAN_REFUSAL = "Webhooks are not included in this workspace's plan."


def _require_webhooks(workspace) -> None:
    """Sending and new endpoints need a plan with webhooks; reading and tidying up do not."""
    if not workspace.entitlements.webhooks:
        raise PermissionDenied(PLAN_REFUSAL)


def _status(endpoint: dict, entitled: bool) -> dict:
    """The endpoint's status badge as words (never colour alone)."""
    if not entitled:
        return {"label": "Paused", "ok": False, "reason": "Your plan does not include webhooks."}
    if endpoint["enabled"]:
        return {"label": "Enabled", "ok": True, "reason": ""}
    return {"label": "Disabled", "ok": False, "reason": endpoint["disabled_reason"]}


@never_cache
@manager_required_for_writes
@require_http_methods(["GET", "POST"])
def endpoints(request):
    """The endpoints (``?failing=on``: only the failing ones, as the Overview counts them);
    owners and admins of a plan with webhooks add one below them."""
    workspace = request.workspace
    failing = request.GET.get("failing") == "on"
    entitled = workspace.entitlements.webhooks
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        _require_webhooks(workspace)
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(workspace=workspace, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Added the endpoint {endpoint.url}.")
                return redirect("webhooks:detail", endpoint.pk)
    rows = [
        {**row, "status": _status(row, entitled)}
        for row in page_queries.endpoint_rows(workspace, now=timezone.now(), failing=failing)
    ]
    return render(
        request,
        "webhooks/list.html",
        {
            "rows": rows,
            "failing": failing,
            "form": form,
            "entitled": entitled,
            "entitlements": workspace.entitlements,
            "webhook_plans": plans_with("webhooks"),
            "limit": services.MAX_ENDPOINTS,
            "settings_section": SECTION,
        },
    )


@sensitive_variables("secret")
def _detail(request, endpoint, *, secret=None, retry_form=None):
    """The endpoint's page: details, commands and the delivery log (``secret`` only when a
    manager asked to see it)."""
    entitled = request.workspace.entitlements.webhooks
    filters = DeliveryFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    log = page_queries.deliveries_page(
        endpoint,
        status=chosen.get("status", ""),
        event_type=chosen.get("event_type", ""),
        page_number=request.GET.get("page"),
    )
    row = {"enabled": endpoint.enabled, "disabled_reason": endpoint.disabled_reason}
    previous_until = endpoint.previous_secret_expires_at
    if not endpoint.previous_secret or not previous_until or previous_until <= timezone.now():
        previous_until = None
    return render(
        request,
        "webhooks/detail.html",
        {
            "endpoint": endpoint,
            "event_types": [(name, EVENT_TYPES.get(name, "")) for name in endpoint.event_types],
            "status": _status(row, entitled),
            "entitled": entitled,
            "secret": secret,
            "previous_until": previous_until,
            "entitlements": request.workspace.entitlements,
            "webhook_plans": plans_with("webhooks"),
            "filtered": bool(chosen.get("status") or chosen.get("event_type")),
            "log": log,
            "filters": filters,
            "retry_form": retry_form or RetryFailedForm(),
            "max_attempts": MAX_ATTEMPTS,
            "settings_section": SECTION,
        },
    )


@never_cache
@manager_required_for_writes
@require_http_methods(["GET"])
def endpoint_detail(request, pk):
    """An endpoint, its commands and its delivery log (filters in the query string)."""
    return _detail(request, page_queries.endpoint_get(request.workspace, pk))


@never_cache
@manager_required
@require_POST
@sensitive_variables("secret")
def endpoint_reveal_secret(request, pk):
    """The page again with the signing secret in it (a POST: never in a cached or linked page)."""
    endpoint = page_queries.endpoint_get(request.workspace, pk)
    secret = endpoint.secret
    return _detail(request, endpoint, secret=secret)


@manager_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, pk):
    """Change the URL, the description and the event types."""
    endpoint = page_queries.endpoint_get(request.workspace, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Saved the endpoint {endpoint.url}.")
            return redirect("webhooks:detail", endpoint.pk)
    return render(
        request,
        "webhooks/edit.html",
        {"endpoint": endpoint, "form": form, "settings_section": SECTION},
    )


@manager_required
@require_POST
def endpoint_enable(request, pk):
    endpoint = services.endpoint_enable(endpoint=page_queries.endpoint_get(request.workspace, pk))
    messages.success(request, f"Enabled {endpoint.url}: new events are sent to it again.")
    return redirect("webhooks:detail", endpoint.pk)


@manager_required
@require_POST
def endpoint_disable(request, pk):
    endpoint = services.endpoint_disable(endpoint=page_queries.endpoint_get(request.workspace, pk))
    messages.success(request, f"Disabled {endpoint.url}: nothing is sent to it until enabled.")
    return redirect("webhooks:detail", endpoint.pk)


@manager_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, pk):
    """A confirmation page (works without JavaScript), then the deletion."""
    endpoint = page_queries.endpoint_get(request.workspace, pk)
    if request.method == "POST":
        url = endpoint.url
        services.endpoint_delete(endpoint=endpoint)
        messages.success(request, f"Deleted the endpoint {url} and its delivery log.")
        return redirect("webhooks:list")
    return render(
        request,
        "webhooks/delete.html",
        {"endpoint": endpoint, "settings_section": SECTION},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def endpoint_rotate_secret(request, pk):
    """A confirmation page, then a new secret (the current one keeps signing for 24 hours)."""
    endpoint = page_queries.endpoint_get(request.workspace, pk)
    if request.method == "POST":
        services.endpoint_rotate_secret(endpoint=endpoint)
        messages.success(
            request,
            "Rotated the signing secret. The previous one keeps signing beside it for 24 hours: "
            "reveal the new secret and put it in your receiver before then.",
        )
        return redirect("webhooks:detail", endpoint.pk)
    return render(
        request,
        "webhooks/rotate.html",
        {"endpoint": endpoint, "settings_section": SECTION},
    )


@manager_required
@require_POST
def endpoint_send_test(request, pk):
    """A ``webhook.test`` event to this endpoint alone, sent at once."""
    _require_webhooks(request.workspace)
    endpoint = page_queries.endpoint_get(request.workspace, pk)
    services.endpoint_send_test(endpoint=endpoint, object=endpoint_represent(endpoint))
    messages.success(request, "Sent a test event: it appears in the delivery log below.")
    return redirect("webhooks:detail", endpoint.pk)


@manager_required
@require_POST
def delivery_resend(request, pk, delivery_pk):
    """Send one delivery again now, with a fresh retry schedule."""
    _require_webhooks(request.workspace)
    endpoint = page_queries.endpoint_get(request.workspace, pk)
    delivery = get_object_or_404(
        Delivery.objects.filter(endpoint=endpoint).select_related("event"), pk=delivery_pk
    )
    services.delivery_resend(delivery=delivery)
    messages.success(request, f"Resending {delivery.event.type} {delivery.event.public_id}.")
    return redirect("webhooks:detail", endpoint.pk)


@manager_required
@require_POST
def deliveries_retry_failed(request, pk):
    """Resend every failed delivery of events since a time (UTC)."""
    _require_webhooks(request.workspace)
    endpoint = page_queries.endpoint_get(request.workspace, pk)
    form = RetryFailedForm(request.POST)
    if not form.is_valid():
        return _detail(request, endpoint, retry_form=form)
    count = services.deliveries_retry_failed(endpoint=endpoint, since=form.cleaned_data["since"])
    if count:
        messages.success(
            request, f"Resending {count} failed deliver{'y' if count == 1 else 'ies'}."
        )
    else:
        messages.info(request, "No failed deliveries since then: nothing to resend.")
    return redirect("webhooks:detail", endpoint.pk)
