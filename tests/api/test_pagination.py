"""SPEC §5.3: ``?cursor=`` takes only the next and previous links the API gave: anything else,
even valid base64 (DRF's own decoding read any of it as "the first page"), is 400
``validation_error`` naming ``cursor``."""

from base64 import b64encode
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api_client import assert_api_error
from tests.factories import ProductFactory

PRODUCTS = "/api/v1/products"


def b64(text: str) -> str:
    return b64encode(text.encode()).decode()


@pytest.fixture
def product_ids(workspace):
    return [ProductFactory(workspace=workspace).pk for _ in range(5)]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [product["id"] for product in response.json()["results"]]


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


@pytest.mark.parametrize(
    "cursor",
    [
        "aGVsbG8=",  # "hello"
        b64("x=1"),
        b64("o=1"),
        b64("r=1"),
        b64("o=1&r=1"),
        b64("p="),
        b64("p=abc"),
        b64("p=-1"),
        b64("p=1.5"),
        b64("p=1&x=2"),
        b64("p=1&p=2"),
        b64("r=0&p=1"),
        b64("r=2&p=1"),
        b64("p=1&r=1"),
        b64("o=0&p=1"),
        b64("o=1001&p=1"),
        b64("o=99999999999999999999&p=1"),
        b64("p=1" + "0" * 18),  # 19 digits: not a 64-bit id
        b64("p=1\n"),
        b64(""),
        "",
        "cD0xMg",  # "p=12" without its padding
        "cD0x\n",
        "cD0x!",
        "é",
    ],
)
def test_a_cursor_the_api_did_not_issue_is_refused(api, api_key, product_ids, cursor):
    response = api.get(PRODUCTS, params={"cursor": cursor}, auth=api_key)

    error = assert_api_error(response, 400, "validation_error")
    assert set(error["fields"]) == {"cursor"}


def test_the_links_given_walk_every_page_both_ways(api, api_key, product_ids):
    first = api.get(PRODUCTS, params={"limit": 2}, auth=api_key)
    second = api.get(first.json()["next"], auth=api_key)
    third = api.get(second.json()["next"], auth=api_key)
    back = api.get(third.json()["previous"], auth=api_key)
    front = api.get(back.json()["previous"], auth=api_key)

    assert ids(first) + ids(second) + ids(third) == product_ids
    assert third.json()["next"] is None
    assert ids(back) == product_ids[2:4]
    assert ids(front) == product_ids[:2]
    assert front.json()["previous"] is None


def test_issued_cursors_are_the_forms_accepted(api, api_key, product_ids):
    """A forward cursor is a position; a backward one adds the reverse flag."""
    first = api.get(PRODUCTS, params={"limit": 2}, auth=api_key)
    second = api.get(first.json()["next"], auth=api_key)

    assert cursor_of(first.json()["next"]) == b64(f"p={product_ids[1]}")
    assert cursor_of(second.json()["previous"]) == b64(f"r=1&p={product_ids[2]}")


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [("p=0", slice(0, 5)), ("p={second}", slice(2, 5)), ("r=1&p={third}", slice(0, 3))],
)
def test_a_well_formed_cursor_is_read_as_a_position(api, api_key, product_ids, cursor, expected):
    cursor = cursor.format(second=product_ids[1], third=product_ids[3])

    response = api.get(PRODUCTS, params={"cursor": b64(cursor)}, auth=api_key)

    assert ids(response) == product_ids[expected]


def test_a_cursor_past_the_end_is_an_empty_page_that_links_back(api, api_key, product_ids):
    response = api.get(PRODUCTS, params={"cursor": b64(f"p={product_ids[-1]}")}, auth=api_key)

    assert ids(response) == []
    assert response.json()["next"] is None
    assert ids(api.get(response.json()["previous"], auth=api_key)) == product_ids[:-1]
