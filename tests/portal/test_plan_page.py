"""Plan & usage says what is true today: webhooks belong to Pro but do not exist yet."""

import re

import pytest
from django.test import Client

from accounts.plans import Plan
from tests.factories import MembershipFactory

COMING_SOON = "Included in Pro — coming soon: webhooks are not available yet"


def plan_page(plan) -> str:
    client = Client()
    client.force_login(MembershipFactory(workspace__plan=plan).user)
    response = client.get("/settings/plan/")
    assert response.status_code == 200
    return response.content.decode()


def webhooks_fact(body) -> str:
    return re.search(r"<dt>Webhooks</dt>\s*<dd[^>]*>(.*?)</dd>", body, re.S).group(1)


def plans_table_webhooks(body) -> dict[str, str]:
    """Plan label -> the Webhooks cell of the Plans table."""
    rows = re.findall(
        r'<th scope="row">(\w+).*?</th>(?:\s*<td>.*?</td>){2}\s*<td>(.*?)</td>', body, re.S
    )
    return dict(rows)


@pytest.mark.django_db
def test_pro_says_webhooks_are_coming_not_included():
    body = plan_page(Plan.PRO)
    assert webhooks_fact(body) == COMING_SOON


@pytest.mark.django_db
@pytest.mark.parametrize("plan", [Plan.FREE, Plan.GROWTH])
def test_other_plans_say_not_included_and_where_it_is_coming(plan):
    assert webhooks_fact(plan_page(plan)) == (
        "Not included — coming soon in Pro: webhooks are not available yet"
    )


@pytest.mark.django_db
def test_plans_table_says_coming_soon_for_pro_only():
    body = plan_page(Plan.GROWTH)
    assert plans_table_webhooks(body) == {
        "Free": "—",
        "Growth": "—",
        "Pro": "Coming soon: not available yet",
    }
    assert "Webhooks are coming soon: they are not available on any plan yet." in body
    assert "<td>Included</td>" not in body
