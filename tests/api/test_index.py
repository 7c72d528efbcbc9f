"""``GET /api/v1/`` lists the resources mounted behind the front door, whichever app they come
from: the front door itself names none."""

import pytest

from tests.api.conftest import INDEX


def test_the_index_lists_every_mounted_collection(api, api_key):
    response = api.get(INDEX, auth=api_key)
    assert response.status_code == 200
    resources = response.json()["resources"]
    assert resources == {
        "products": "https://testserver/api/v1/products",
        "locations": "https://testserver/api/v1/locations",
        "stock": "https://testserver/api/v1/stock",
        "stock-adjustments": "https://testserver/api/v1/stock/adjustments",
        "suppliers": "https://testserver/api/v1/suppliers",
        "purchase-orders": "https://testserver/api/v1/purchase-orders",
        "channels": "https://testserver/api/v1/channels",
        "listings": "https://testserver/api/v1/listings",
        "events": "https://testserver/api/v1/events",
        "webhook-endpoints": "https://testserver/api/v1/webhook-endpoints",
    }
    # Growth has every collection but the webhooks' (Pro): those say what to upgrade to.
    for name, url in resources.items():
        answered = api.get(url.removeprefix("https://testserver"), auth=api_key)
        assert answered.status_code == (403 if name == "webhook-endpoints" else 200), name
    refused = api.get("/api/v1/webhook-endpoints", auth=api_key).json()["error"]
    assert refused["code"] == "plan_upgrade_required"
    assert refused["message"] == (
        "Your workspace's plan does not include webhooks. Upgrade to Pro."
    )


@pytest.mark.urls("tests.api.urls_with_extra_app")
def test_an_app_mounted_in_the_urlconf_appears_in_the_index(api, api_key):
    resources = api.get(INDEX, auth=api_key).json()["resources"]
    assert resources["gadgets"] == "https://testserver/api/v1/gadgets"
    assert "products" in resources
    assert api.get("/api/v1/gadgets", auth=api_key).status_code == 200
