"""Plan & usage says what is true today: webhooks are included in Pro, and only in Pro."""

import re

import pytest
from django.test import Client

from accounts.plans import Plan
from tests.factories import MembershipFactory


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
def test_pro_says_webhooks_are_included_and_links_to_them():
    body = plan_page(Plan.PRO)
    assert webhooks_fact(body) == "Included"
    assert '<a href="/settings/webhooks/">Webhooks</a>' in body
    assert "coming soon" not in body.lower()


@pytest.mark.django_db
@pytest.mark.parametrize("plan", [Plan.FREE, Plan.GROWTH])
def test_other_plans_say_not_included(plan):
    body = plan_page(plan)
    assert webhooks_fact(body) == "Not included"
    assert "Webhooks are available on the Pro plan." in body
    assert "coming soon" not in body.lower()


@pytest.mark.django_db
def test_plans_table_says_included_for_pro_only():
    body = plan_page(Plan.GROWTH)
    assert plans_table_webhooks(body) == {"Free": "—", "Growth": "—", "Pro": "Included"}
