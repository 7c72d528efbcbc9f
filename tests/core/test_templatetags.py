"""The shared template helpers: times name their zone; "x ago" carries the exact time."""

from datetime import UTC, datetime, timedelta

from django.template import Context, Template
from django.utils import timezone


def render(source: str, **context) -> str:
    return Template("{% load salync %}" + source).render(Context(context))


def test_ago_gives_words_and_the_exact_utc_time_as_tooltip():
    moment = timezone.now() - timedelta(minutes=5, seconds=3)
    html = render("{% ago t %}", t=moment)
    assert ">5\xa0minutes ago</time>" in html
    assert f'datetime="{moment.isoformat()}"' in html
    assert f'title="{moment.strftime("%-d %b %Y, %H:%M:%S")} UTC"' in html


def test_ago_under_a_minute_future_and_never():
    assert ">just now<" in render("{% ago t %}", t=timezone.now())
    assert ">in 2\xa0days<" in render("{% ago t %}", t=timezone.now() + timedelta(days=2, hours=1))
    assert render("{% ago t %}", t=None) == "Never"
    assert render('{% ago t empty="No expiry" %}', t=None) == "No expiry"


def test_utc_filter_names_the_zone():
    moment = datetime(2026, 12, 1, 17, 5, tzinfo=UTC)
    assert render("{{ t|in_utc }}", t=moment) == "1 Dec 2026, 17:05 UTC"
    assert render("{{ t|in_utc }}", t=None) == ""


def test_values_are_escaped():
    assert render("{% ago t empty=label %}", t=None, label="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
