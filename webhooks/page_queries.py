"""The reads of the Settings → Webhooks pages: endpoint rows with their last 24 hours, and the
delivery log. Each costs a fixed number of queries whatever the number of rows (pinned in
tests/webhooks/test_page_query_counts.py)."""

import json
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.models import DomainEvent
from webhooks.delivery import GONE_REASON, MAX_ATTEMPTS, body_of
from webhooks.models import Attempt, Delivery, Endpoint

RATE_WINDOW = timedelta(hours=24)
LOG_PAGE_SIZE = 50


def endpoint_failing() -> Q:
    """Endpoints that need their owner: failing now (enabled, no success since a failure), or
    disabled by Salync (410 Gone, or five days of failures), not those a member switched off.

    A member's disable or enable clears ``failing_since``; Salync's own disable keeps it, but a
    410 on the first failure disables before any was recorded, hence its reason too."""
    return Q(failing_since__isnull=False) | Q(enabled=False, disabled_reason=GONE_REASON)


def endpoint_get(workspace, pk: int) -> Endpoint:
    """The workspace's endpoint ``pk``; another workspace's answers 404 as an unknown id does."""
    return get_object_or_404(Endpoint.objects.filter(workspace=workspace), pk=pk)


def _count(attempts, **filters):
    counted = attempts.filter(**filters).values("delivery__endpoint_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def endpoint_rows(workspace, *, now: datetime, failing: bool = False) -> list[dict]:
    """Every endpoint of the workspace (one query), or only the failing ones: its columns,
    attempts and 2xx answers over the last 24 hours, and its newest delivery's status and time."""
    attempts = Attempt.objects.filter(
        delivery__endpoint_id=OuterRef("pk"), created_at__gte=now - RATE_WINDOW
    )
    newest = Delivery.objects.filter(endpoint_id=OuterRef("pk")).order_by("-pk")
    endpoints = Endpoint.objects.filter(workspace=workspace)
    if failing:
        endpoints = endpoints.filter(endpoint_failing())
    rows = (
        endpoints.annotate(
            attempts_24h=_count(attempts),
            succeeded_24h=_count(attempts, status_code__gte=200, status_code__lt=300),
            last_status=Subquery(newest.values("status")[:1]),
            last_created_at=Subquery(newest.values("created_at")[:1]),
            last_attempt_at=Subquery(newest.values("last_attempt_at")[:1]),
        )
        .order_by("pk")
        .values(
            "pk",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_reason",
            "attempts_24h",
            "succeeded_24h",
            "last_status",
            "last_created_at",
            "last_attempt_at",
        )
    )
    return [
        {
            **row,
            "success_rate": (
                round(100 * row["succeeded_24h"] / row["attempts_24h"])
                if row["attempts_24h"]
                else None
            ),
            "last_at": row["last_attempt_at"] or row["last_created_at"],
        }
        for row in rows
    ]


DELIVERY_FIELDS = (
    "pk", "status", "attempts", "last_status_code", "last_error", "next_attempt_at",
    "last_attempt_at", "created_at", "event_id", "event__public_id", "event__type",
    "event__created_at", "event__data",
)  # fmt: skip


def deliveries_page(
    endpoint: Endpoint, *, status: str = "", event_type: str = "", page_number=1
) -> Page:
    """One page of the endpoint's deliveries, newest first (a count, the page, and the last
    attempt of each in one more query), each with its request body pretty-printed."""
    rows = Delivery.objects.filter(endpoint=endpoint)
    if status:
        rows = rows.filter(status=status)
    if event_type:
        rows = rows.filter(event__type=event_type)
    page = Paginator(rows.order_by("-pk").values(*DELIVERY_FIELDS), LOG_PAGE_SIZE).get_page(
        page_number
    )
    deliveries = list(page.object_list)
    last_ids = (
        Attempt.objects.filter(delivery_id__in=[row["pk"] for row in deliveries])
        .values("delivery_id")
        .annotate(last=Max("pk"))
        .values("last")
    )
    last_attempts = {a.delivery_id: a for a in Attempt.objects.filter(pk__in=Subquery(last_ids))}
    page.object_list = [_delivery_row(row, last_attempts.get(row["pk"])) for row in deliveries]
    return page


def _delivery_row(row: dict, attempt: Attempt | None) -> dict:
    event = DomainEvent(
        id=row["event_id"],
        public_id=row["event__public_id"],
        type=row["event__type"],
        created_at=row["event__created_at"],
        data=row["event__data"],
    )
    return {
        **row,
        "max_attempts": MAX_ATTEMPTS,
        "attempt": attempt,
        "hint": (attempt.error if attempt else "") or row["last_error"],
        "request_headers": sorted(attempt.request_headers.items()) if attempt else [],
        "body": json.dumps(json.loads(body_of(event)), indent=2, ensure_ascii=False),
    }
