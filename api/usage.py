"""Usage history per key and UTC day (``ApiKeyUsageDay``), kept off the API's hot path: the
front door only counts in the cache (``api.ratelimit``); a periodic task copies those counters
into the database, and Plan & usage reads the two together."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import Workspace
from api.models import ApiKeyUsageDay
from api.ratelimit import usage_by_day
from apikeys.models import ApiKey
from apikeys.services import LAST_USED_RESOLUTION

KEEP_DAYS = 90
FLUSH_BATCH = 500  # keys per cache round trip and per upsert


def key_usage_flush(*, now: datetime | None = None) -> int:
    """Copy today's and yesterday's live counters of every key used since yesterday into the
    history (upserts), and forget days older than KEEP_DAYS. Returns the rows written."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    yesterday = today - timedelta(days=1)
    # Yesterday's counter outlives its day by an hour, so the first runs after midnight take
    # its final figure. ``last_used_at`` is written once per minute of use, so a key counted
    # just after yesterday's midnight may carry a time up to one resolution before it.
    since = datetime.combine(yesterday, time.min, tzinfo=UTC) - LAST_USED_RESOLUTION
    key_ids = list(
        ApiKey.objects.filter(last_used_at__gte=since).order_by("pk").values_list("pk", flat=True)
    )
    written = 0
    for start in range(0, len(key_ids), FLUSH_BATCH):
        counts = usage_by_day(key_ids[start : start + FLUSH_BATCH], [yesterday, today])
        rows = [
            ApiKeyUsageDay(api_key_id=api_key_id, day=day, requests=requests)
            for (api_key_id, day), requests in counts.items()
        ]
        ApiKeyUsageDay.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["api_key", "day"],
            update_fields=["requests"],
        )
        written += len(rows)
    ApiKeyUsageDay.objects.filter(day__lt=today - timedelta(days=KEEP_DAYS)).delete()
    return written


def key_usage_days(workspace: Workspace, days: list[date]) -> list[tuple[ApiKey, list[int]]]:
    """Each key that could have made requests on ``days`` (UTC, oldest first, the last one
    today) with its count per day: today's from the live counters, earlier days from the
    history. Keys revoked or expired before the first day are left out; two queries and one
    cache round trip."""
    today = days[-1]
    window_start = datetime.combine(days[0], time.min, tzinfo=UTC)
    keys = list(
        ApiKey.objects.filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gte=window_start),
            Q(expires_at__isnull=True) | Q(expires_at__gte=window_start),
            workspace=workspace,
        )
    )
    counts = {
        (row["api_key_id"], row["day"]): row["requests"]
        for row in ApiKeyUsageDay.objects.filter(
            api_key__in=keys, day__gte=days[0], day__lt=today
        ).values("api_key_id", "day", "requests")
    }
    counts.update(usage_by_day([key.pk for key in keys], [today]))
    return [(key, [counts.get((key.pk, day), 0) for day in days]) for key in keys]
