"""The API key list's expiry badge: "Expires in 5 days", "Expired" or "No expiry", the exact
time (UTC) as its tooltip."""

from datetime import UTC

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apikeys.models import ApiKey
from apikeys.services import EXPIRY_WARNING
from core.templatetags.salync import EXACT

register = template.Library()

MINUTE, HOUR, DAY = 60, 3600, 86400


def _remaining(seconds: float) -> str:
    """A duration in one unit, to the nearest: "30 days", "24 hours", "5 minutes"."""
    if seconds >= 2 * DAY:
        count, unit = round(seconds / DAY), "day"
    elif seconds >= 2 * HOUR:
        count, unit = round(seconds / HOUR), "hour"
    elif seconds >= MINUTE:
        count, unit = round(seconds / MINUTE), "minute"
    else:
        return "less than a minute"
    return f"{count} {unit}{'' if count == 1 else 's'}"


@register.simple_tag
def expiry_badge(api_key: ApiKey) -> str:
    """The key's expiry as a text badge; a dash for a revoked key, which no longer expires."""
    if api_key.revoked_at is not None:
        return "—"
    if api_key.expires_at is None:
        return mark_safe('<span class="badge">No expiry</span>')
    left = (api_key.expires_at - timezone.now()).total_seconds()
    if left <= 0:
        words, kind = "Expired", "badge-off"
    else:
        words = f"Expires in {_remaining(left)}"
        kind = "badge-warn" if left <= EXPIRY_WARNING.total_seconds() else "badge-ok"
    moment = timezone.localtime(api_key.expires_at, UTC)
    return format_html(
        '<span class="badge {}"><time datetime="{}" title="{}">{}</time></span>',
        kind,
        moment.isoformat(),
        moment.strftime(EXACT),
        words,
    )
