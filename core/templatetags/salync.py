"""Template helpers every app's pages share: times that show their zone, "x ago" with the
exact time a hover (or focus) away."""

from datetime import UTC

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

register = template.Library()

EXACT = "%-d %b %Y, %H:%M:%S UTC"
SHORT = "%-d %b %Y, %H:%M UTC"


@register.filter
def in_utc(value) -> str:
    """A datetime as "1 Dec 2026, 17:35 UTC": every time on a page names its zone. (Not
    ``utc``: that is Django's ``tz`` filter, which returns a datetime.)"""
    if not value:
        return ""
    return timezone.localtime(value, UTC).strftime(SHORT)


@register.simple_tag
def ago(value, empty="Never"):
    """``<time>`` saying "5 minutes ago", its exact UTC time as the tooltip and machine value."""
    if not value:
        return empty
    moment = timezone.localtime(value, UTC)
    now = timezone.now()
    words = "just now" if (now - value).total_seconds() < 60 else f"{timesince(value, now)} ago"
    if value > now:
        words = f"in {timesince(now, value)}"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        moment.strftime(EXACT),
        words,
    )


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """This list's URL for another page: the query string kept, only ``page`` changed."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
