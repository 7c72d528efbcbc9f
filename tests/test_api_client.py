"""The shared API test client: its default key, its overrides, its paths and its error checks."""

import pytest

from tests.api_client import ApiClient, assert_api_error, assert_error, assert_fields
from tests.factories import make_key, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient.for_workspace(client, make_workspace())


def test_relative_paths_and_next_links_become_api_paths():
    assert ApiClient.url("products") == "/api/v1/products"
    assert ApiClient.url("/api/v1/stock") == "/api/v1/stock"
    assert ApiClient.url("https://testserver/api/v1/products?cursor=abc") == (
        "/api/v1/products?cursor=abc"
    )
    assert ApiClient.url("https://testserver/api/v1/products") == "/api/v1/products"
    assert ApiClient.url("products", {"limit": 2}) == "/api/v1/products?limit=2"
    assert ApiClient.url("products?status=all", {"limit": 2}) == (
        "/api/v1/products?status=all&limit=2"
    )


def test_a_bound_client_sends_its_key_and_tells_whose_it_is(api):
    response = api.get("products", {"limit": 1})

    assert response.status_code == 200, response.content
    assert api.key.name == "ERP sync"
    assert api.raw.startswith("slk_")
    assert api.workspace == api.key.workspace


def test_auth_none_sends_no_header_and_auth_names_another_key(api, client):
    assert_api_error(api.get("products", auth=None), 401, "authentication_required")
    assert_api_error(api.get("products", auth="Bearer slk_nope"), 401, "invalid_api_key")
    elsewhere = make_key(make_workspace("Other Co"))
    api.create_product("Ours", ["OURS-1"])

    theirs = api.get("products", auth=elsewhere).json()["results"]

    assert theirs == []


def test_a_header_the_test_gives_wins_over_the_bound_key(api):
    for response in (
        api.get("products", headers={"Authorization": "Bearer slk_nope"}),
        api.get("products", HTTP_AUTHORIZATION="Bearer slk_nope"),
    ):
        assert_api_error(response, 401, "invalid_api_key")


def test_an_unbound_client_sends_no_key_unless_told(client):
    api = ApiClient(client)
    key = make_key(make_workspace())

    assert_api_error(api.get(), 401, "authentication_required")
    assert api.get(auth=key).status_code == 200
    assert api.get(auth=key.authorization).status_code == 200


def test_bodies_go_as_json_or_as_given(api):
    product = api.create_product("Merino crew", ["MER-M"])
    entry = api.adjust(4, sku="MER-M")

    assert entry["adjustment"]["on_hand_after"] == entry["level"]["on_hand"] == 4
    assert_api_error(api.post("products", raw="{"), 400, "malformed_json")
    assert_api_error(api.post("products", body=b"{"), 400, "malformed_json")
    renamed = api.patch(f"products/{product['id']}", {"name": "Merino crew neck"})
    assert renamed.json()["name"] == "Merino crew neck"


def test_the_error_checks_refuse_what_is_not_the_contracts_error(api):
    ok = api.get("products")
    refused = api.post("products", {"name": ""})

    with pytest.raises(AssertionError):
        assert_api_error(ok, 200, "validation_error")  # no error body at all
    with pytest.raises(AssertionError):
        assert_error(refused, 400, "not_found")  # the wrong code
    with pytest.raises(AssertionError):
        assert_fields(refused, "no_such_field")
    assert set(assert_fields(refused, "name", "variants")) >= {"name", "variants"}
