"""Every write to webhook endpoints and deliveries: the API, the Settings pages and the admin
call these. Sending is ``webhooks.delivery``'s."""

import time
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace
from core import events, outbound
from core.models import DomainEvent
from webhooks import tasks
from webhooks.models import Delivery, DeliveryStatus, Endpoint, new_secret

ROTATION_GRACE = timedelta(hours=24)  # a rotated secret keeps signing this long
MAX_ENDPOINTS = 20  # per workspace
URL_MAX = 2000

# --- Which event types a workspace's endpoints want (asked after every event's commit) ------

# Each process keeps the answer for a second and the shared cache for SUBSCRIPTIONS_TTL;
# endpoint changes clear both here and the shared one everywhere. A stale "nothing" only
# delays an event until the sweep fans it out; a stale "something" costs a query.
LOCAL_SECONDS = 1.0
SUBSCRIPTIONS_TTL = 300
_LOCAL_MAX = 10_000
_local: dict[int, tuple[frozenset[str], float]] = {}


def _subscriptions_key(workspace_id: int) -> str:
    return f"webhooks:subscribed:{workspace_id}"


def subscribed_types(workspace_id: int) -> frozenset[str]:
    """The event types the workspace's enabled endpoints receive (no query when warm)."""
    now = time.monotonic()
    known = _local.get(workspace_id)
    if known is not None and known[1] > now:
        return known[0]
    key = _subscriptions_key(workspace_id)
    types = cache.get(key)
    if types is None:
        rows = Endpoint.objects.filter(workspace_id=workspace_id, enabled=True)
        types = sorted({t for row in rows.values_list("event_types", flat=True) for t in row})
        cache.set(key, types, SUBSCRIPTIONS_TTL)
    answer = frozenset(types)
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[workspace_id] = (answer, now + LOCAL_SECONDS)
    return answer


def subscriptions_changed(workspace_id: int) -> None:
    """Forget the workspace's subscriptions now and again after commit."""

    def forget():
        cache.delete(_subscriptions_key(workspace_id))
        _local.pop(workspace_id, None)

    forget()
    transaction.on_commit(forget)


def forget_local_subscriptions() -> None:
    """Drop this process's remembered answers (tests: ids repeat between them)."""
    _local.clear()


# --- Endpoints --------------------------------------------------------------------------------


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint (SSRF, https), as a sentence; None when it can."""
    if len(url) > URL_MAX:
        return f"A URL has at most {URL_MAX} characters."
    try:
        outbound.url_check(url, **outbound.policy_from_settings())
    except outbound.UnsafeURL as exc:
        return f"This URL cannot receive webhooks: {exc.message}."
    return None


def _clean(*, url=None, description=None, event_types=None) -> dict:
    errors, clean = {}, {}
    if url is not None:
        url = url.strip()
        problem = url_problem(url)
        if problem:
            errors["url"] = [problem]
        clean["url"] = url
    if description is not None:
        clean["description"] = description.strip()
    if event_types is not None:
        unknown = sorted(set(event_types) - set(events.EVENT_TYPES))
        if unknown:
            errors["event_types"] = [f"Unknown event type: {', '.join(unknown)}."]
        elif not event_types:
            errors["event_types"] = ["Choose at least one event type."]
        clean["event_types"] = [t for t in events.EVENT_TYPES if t in set(event_types)]
    if errors:
        raise ValidationError(errors)
    return clean


def endpoint_create(
    *,
    workspace: Workspace,
    url: str,
    event_types: list[str],
    description: str = "",
    enabled: bool = True,
) -> Endpoint:
    """A new endpoint with its own secret; the URL is checked now (and at every send)."""
    clean = _clean(url=url, description=description, event_types=event_types)
    with transaction.atomic():
        # The workspace row serialises creations, so the limit holds under concurrency.
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        if Endpoint.objects.filter(workspace=workspace).count() >= MAX_ENDPOINTS:
            raise ValidationError(
                {"url": [f"A workspace has at most {MAX_ENDPOINTS} webhook endpoints."]}
            )
        endpoint = Endpoint.objects.create(workspace=workspace, enabled=enabled, **clean)
        subscriptions_changed(workspace.pk)
    return endpoint


def endpoint_update(
    *,
    endpoint: Endpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: list[str] | None = None,
    enabled: bool | None = None,
) -> Endpoint:
    """Change what is given; enabling clears the reason it was disabled and its failing spell."""
    changes = _clean(url=url, description=description, event_types=event_types)
    if enabled is not None and enabled != endpoint.enabled:
        changes["enabled"] = enabled
        changes["disabled_reason"] = "" if enabled else "Disabled by a member of the workspace."
        changes["failing_since"] = None
    for field, value in changes.items():
        setattr(endpoint, field, value)
    with transaction.atomic():
        endpoint.save(update_fields=[*changes, "updated_at"])
        subscriptions_changed(endpoint.workspace_id)
    return endpoint


def endpoint_enable(*, endpoint: Endpoint) -> Endpoint:
    return endpoint_update(endpoint=endpoint, enabled=True)


def endpoint_disable(*, endpoint: Endpoint) -> Endpoint:
    return endpoint_update(endpoint=endpoint, enabled=False)


def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Delete it with its deliveries and their attempts (the events stay)."""
    with transaction.atomic():
        workspace_id = endpoint.workspace_id
        endpoint.delete()
        subscriptions_changed(workspace_id)


def endpoint_rotate_secret(*, endpoint: Endpoint) -> Endpoint:
    """A new secret; the current one keeps signing beside it for ROTATION_GRACE."""
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + ROTATION_GRACE
        locked.secret = new_secret()
        locked.save(
            update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
        )
    return locked


def endpoint_send_test(*, endpoint: Endpoint, object: dict) -> Delivery:
    """A ``webhook.test`` event for this endpoint alone (whatever it subscribes to), sent now.
    ``object`` is the endpoint's representation, the event's ``data.object``."""
    with transaction.atomic():
        event = DomainEvent.objects.create(
            workspace_id=endpoint.workspace_id,
            type=events.WEBHOOK_TEST,
            data={"object": object},
            fanned_out_at=timezone.now(),
        )
        delivery = Delivery.objects.create(
            endpoint=endpoint, event=event, next_attempt_at=event.created_at
        )
        transaction.on_commit(lambda: tasks.queue_deliveries([delivery.pk]))
    return delivery


def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send it again now with a fresh schedule, whatever became of it (same ``webhook-id``)."""
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            queued_at=None,
            updated_at=now,
        )
        transaction.on_commit(lambda: tasks.queue_deliveries([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


def deliveries_retry_failed(*, endpoint: Endpoint, since: datetime) -> int:
    """Resend every delivery of the endpoint that failed, for events since ``since``; how many."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(
                endpoint=endpoint, status=DeliveryStatus.FAILED, event__created_at__gte=since
            ).values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            queued_at=None,
            updated_at=now,
        )
        transaction.on_commit(lambda: tasks.queue_deliveries(ids))
    return len(ids)
