"""How events become deliveries and deliveries reach endpoints (SPEC §5.5): fan-out, sending,
the retry schedule, and the sweep that makes a lost message, a crashed worker or a broker
outage delay a delivery but never drop it. The Celery tasks (``webhooks.tasks``) call these.

- **Fan-out** takes events whose ``fanned_out_at`` is empty (``FOR UPDATE SKIP LOCKED``), creates
  a delivery for every enabled endpoint of the workspace subscribed to the type and existing
  when the event happened, and sets the marker, in one transaction: each event fans out once.
- **Sending** first takes a lease: one conditional ``UPDATE`` moves ``next_attempt_at`` a lease
  ahead, so a second message for the same delivery finds it not due and does nothing, and a
  worker killed mid-send leaves a delivery that falls due again when the lease ends. The POST
  happens outside any transaction; the attempt and the next state are written afterwards.
- **The sweep** fans out events whose hand-off never ran and queues deliveries that are due
  but were not picked up. Rows another sweep holds are skipped, so two sweeps at once share
  the work instead of doubling it.
"""

import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Membership, Role
from accounts.plans import entitlements_for
from core import outbound
from core.models import DomainEvent
from webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from webhooks.representations import EVENT_COLUMNS, EVENTS

logger = logging.getLogger("salync.webhooks")

# Seconds before each attempt (SPEC §5.5): the first at once, then 5 s, 5 min, 30 min, 2 h,
# 5 h, 10 h and 10 h: eight attempts over about 27.5 hours.
SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(SCHEDULE)
JITTER = 0.1  # each retry moves by up to ±10 %, so a receiver's outage is not hit in step
FAILING_DAYS = 5  # an endpoint failing this long is disabled and its owners are told
BATCH = 500  # rows per sweep transaction
REQUEUE_GRACE = timedelta(seconds=10)  # due this long and not taken: the message was lost
REQUEUE_AFTER = timedelta(minutes=2)  # the sweep queues a delivery at most this often

GONE_REASON = "Your server answered 410 Gone, so Salync stopped sending to this endpoint."
PAUSED_REASON = "Not sent: the workspace's plan does not include webhooks."
DISABLED_REASON = "Not sent: the endpoint was disabled."


def lease() -> timedelta:
    return timedelta(seconds=settings.SALYNC_WEBHOOK_LEASE_SECONDS)


def retry_delay(attempts_made: int) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` failed ones, with jitter; None
    when the schedule is used up."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    base = SCHEDULE[attempts_made]
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (not a secret)


# --- Fan-out ---------------------------------------------------------------------------------


def _entitled_endpoints(workspace_ids: set[int]) -> dict[int, list[Endpoint]]:
    """The enabled endpoints of those workspaces whose plan includes webhooks (one query)."""
    found: dict[int, list[Endpoint]] = {}
    endpoints = Endpoint.objects.filter(workspace_id__in=workspace_ids, enabled=True)
    for endpoint in endpoints.select_related("workspace").order_by("pk"):
        if entitlements_for(endpoint.workspace).webhooks:
            found.setdefault(endpoint.workspace_id, []).append(endpoint)
    return found


@dataclass(frozen=True)
class FanOut:
    events: int  # how many events this run fanned out
    deliveries: list[int]  # the deliveries it created, to be queued after commit


def fan_out(event_ids: list[int] | None = None, *, limit: int = BATCH) -> FanOut:
    """Fan out these events (None: any not yet fanned out, oldest first, up to ``limit``) that
    nobody else is fanning out."""
    with transaction.atomic():
        pending = DomainEvent.objects.filter(fanned_out_at__isnull=True)
        if event_ids is not None:
            pending = pending.filter(pk__in=event_ids)
        events = list(
            pending.select_for_update(skip_locked=True)
            .order_by("pk")
            .only("pk", "workspace_id", "type", "created_at")[:limit]
        )
        if not events:
            return FanOut(0, [])
        endpoints = _entitled_endpoints({event.workspace_id for event in events})
        deliveries = [
            Delivery(endpoint=endpoint, event=event, next_attempt_at=event.created_at)
            for event in events
            for endpoint in endpoints.get(event.workspace_id, ())
            if event.type in endpoint.event_types and endpoint.created_at <= event.created_at
        ]
        created = Delivery.objects.bulk_create(deliveries)
        DomainEvent.objects.filter(pk__in=[event.pk for event in events]).update(
            fanned_out_at=timezone.now()
        )
    return FanOut(len(events), [delivery.pk for delivery in created])


# --- Sending ---------------------------------------------------------------------------------


def body_of(event: DomainEvent) -> bytes:
    """The bytes every attempt of the event sends: its payload (SPEC §5.5), exactly what the
    events API answers for it, as compact JSON."""
    [payload] = EVENTS.many([{name: getattr(event, name) for name in EVENT_COLUMNS}])
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(endpoint: Endpoint, event_id: str, body: bytes, now: datetime) -> dict:
    """The Standard Webhooks headers: one ``v1`` signature per valid secret."""
    text = body.decode()
    signatures = [
        Webhook(secret).sign(msg_id=event_id, timestamp=now, data=text)
        for secret in endpoint.signing_secrets(now)
    ]
    return {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


@dataclass(frozen=True)
class Outcome:
    """What one run of ``send`` did: ``retry_in`` seconds until the next attempt, if any."""

    delivery_id: int
    sent: bool
    status: str
    retry_in: float | None = None


def _claim(delivery_id: int, now: datetime) -> datetime | None:
    """Take the delivery if it is pending and due: the lease's end, or None."""
    until = now + lease()
    taken = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=until, updated_at=now)
    return until if taken else None


def send(delivery_id: int) -> Outcome | None:
    """Make the delivery's next attempt if it is due and nobody else is making it (None when
    there was nothing to do)."""
    now = timezone.now()
    until = _claim(delivery_id, now)
    if until is None:
        return None
    delivery = Delivery.objects.select_related("endpoint__workspace", "event").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.enabled or not entitlements_for(endpoint.workspace).webhooks:
        reason = DISABLED_REASON if not endpoint.enabled else PAUSED_REASON
        Delivery.objects.filter(pk=delivery_id, next_attempt_at=until).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=reason, updated_at=now
        )
        return Outcome(delivery_id, sent=False, status=DeliveryStatus.FAILED)

    body = body_of(delivery.event)
    headers = signed_headers(endpoint, delivery.event.public_id, body, now)
    result = outbound.post(
        endpoint.url,
        body=body,
        headers=headers,
        timeout=settings.SALYNC_WEBHOOK_TIMEOUT,
        **outbound.policy_from_settings(),
    )
    return _record(delivery, until, now, headers, result)


def _record(delivery, until, started, headers, result) -> Outcome:
    """Write the attempt and the delivery's next state; disable a gone or long-failing
    endpoint. A delivery resent while this attempt was out keeps its new state."""
    endpoint = delivery.endpoint
    finished = timezone.now()
    with transaction.atomic():
        current = Delivery.objects.select_for_update().get(pk=delivery.pk)
        Attempt.objects.create(
            delivery=current,
            created_at=started,
            request_headers={k: v for k, v in headers.items() if k.startswith("webhook-")},
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            response_excerpt=result.excerpt,
            error=result.error[:500],
        )
        ours = current.next_attempt_at == until and current.status == DeliveryStatus.PENDING
        attempts = current.attempts + 1 if ours else current.attempts
        retry_in = None
        if not ours:
            status = current.status
        elif result.ok:
            status = DeliveryStatus.SUCCEEDED
        elif result.status_code == 410:
            status = DeliveryStatus.FAILED
        else:
            retry_in = retry_delay(attempts)
            status = DeliveryStatus.FAILED if retry_in is None else DeliveryStatus.PENDING
        if ours:
            Delivery.objects.filter(pk=current.pk).update(
                status=status,
                attempts=attempts,
                next_attempt_at=finished + timedelta(seconds=retry_in) if retry_in else None,
                last_attempt_at=started,
                last_status_code=result.status_code,
                last_error=result.error[:500],
                updated_at=finished,
            )
        _endpoint_health(endpoint, result, finished)
    return Outcome(current.pk, sent=True, status=status, retry_in=retry_in)


def _endpoint_health(endpoint: Endpoint, result, now: datetime) -> None:
    """Success clears ``failing_since``; a 410, or failing for FAILING_DAYS, disables it. Reads
    the endpoint as loaded for this attempt: a healthy endpoint's success costs no query."""
    rows = Endpoint.objects.filter(pk=endpoint.pk)
    if result.ok:
        if endpoint.failing_since is not None:
            rows.update(failing_since=None)
        return
    if result.status_code == 410:
        _disable(endpoint, GONE_REASON)
        return
    if endpoint.failing_since is None:
        rows.filter(failing_since__isnull=True).update(failing_since=now)
    elif endpoint.failing_since <= now - timedelta(days=FAILING_DAYS):
        _disable(
            endpoint,
            f"Every delivery failed for {FAILING_DAYS} days (last: {result.error}), so Salync "
            "stopped sending to this endpoint.",
        )


def _disable(endpoint: Endpoint, reason: str) -> None:
    """Disable it (once) and tell the workspace's owners after commit."""
    changed = Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason[:300], updated_at=timezone.now()
    )
    if not changed:
        return
    from webhooks.services import subscriptions_changed  # a cache flag, no cycle at import

    subscriptions_changed(endpoint.workspace_id)
    owners = list(
        Membership.objects.filter(workspace_id=endpoint.workspace_id, role=Role.OWNER)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
    subject = f"Salync disabled a webhook endpoint of {endpoint.workspace.name}"
    body = (
        f"Salync stopped sending events to {endpoint.url}.\n\n{reason}\n\n"
        "Events keep being recorded. Once the endpoint works again, enable it in Settings → "
        "Webhooks and use “Retry all failed since …”, or read GET /api/v1/events, to catch up.\n"
    )
    logger.warning("webhooks: disabled endpoint %s: %s", endpoint.pk, reason)
    transaction.on_commit(lambda: send_mail(subject, body, None, owners, fail_silently=True))


# --- The sweep -------------------------------------------------------------------------------


def due_deliveries(*, limit: int = BATCH) -> list[int]:
    """Pending deliveries due for a while and not queued lately, which another sweep does not
    hold: marked queued now, to be queued after commit."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=now - REQUEUE_GRACE
            )
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - REQUEUE_AFTER))
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(queued_at=now)
    return ids


def purge(*, days: int = 30, batch: int = 1000) -> int:
    """Delete events older than ``days`` with their deliveries and attempts, and attempts that
    old of newer deliveries (resent ones); the number of events deleted."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(
            DomainEvent.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        with transaction.atomic():
            Attempt.objects.filter(delivery__event_id__in=ids).delete()
            Delivery.objects.filter(event_id__in=ids).delete()
            DomainEvent.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    Attempt.objects.filter(created_at__lt=cutoff).delete()
    return deleted
