"""SPEC §5.3: a body that is not JSON we accept is 400 ``malformed_json``, never a 500, however
deeply it nests (Python's json recursed once per level: ~1,000 levels raised RecursionError)."""

import json

import pytest
from django.conf import settings

from api.parsers import MAX_JSON_DEPTH
from tests.api.urls_for_tests import WIDGETS, widget_rows
from tests.api_client import assert_api_error

pytestmark = pytest.mark.urls("tests.api.urls_for_tests")


def nested_arrays(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def nested_objects(depth: int, inner: str = "1") -> str:
    return '{"a":' * depth + inner + "}" * depth


NESTINGS = {"arrays": nested_arrays, "objects": nested_objects}


@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_deeply_nested_json_is_malformed_json(api, api_key, kind, depth):
    body = NESTINGS[kind](depth)
    assert len(body) <= settings.SALYNC_API_MAX_BODY_BYTES  # refused as JSON, not by size

    response = api.post(WIDGETS, body=body, auth=api_key)

    error = assert_api_error(response, 400, "malformed_json")
    assert "fields" not in error


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_deep_nesting_inside_a_field_is_malformed_json(api, api_key, kind):
    inner = NESTINGS[kind](5_000)
    body = f'{{"name": "Deep", "items": [{{"sku": {inner}}}]}}'

    response = api.post(WIDGETS, body=body, auth=api_key)

    assert_api_error(response, 400, "malformed_json")
    assert widget_rows("Deep") == 0


def test_nesting_up_to_the_limit_is_parsed(api, api_key):
    """At the limit the body is JSON, and the fields' own rules answer; one more is refused."""
    at_limit = f'{{"name": {nested_arrays(MAX_JSON_DEPTH - 1)}}}'
    over_limit = f'{{"name": {nested_arrays(MAX_JSON_DEPTH)}}}'

    error = assert_api_error(
        api.post(WIDGETS, body=at_limit, auth=api_key), 400, "validation_error"
    )
    assert set(error["fields"]) == {"name"}
    assert_api_error(api.post(WIDGETS, body=over_limit, auth=api_key), 400, "malformed_json")


def test_mixed_arrays_and_objects_count_every_level(api, api_key):
    mixed = "1"
    for level in range(MAX_JSON_DEPTH + 1):
        mixed = f'{{"a": {mixed}}}' if level % 2 else f"[{mixed}]"

    response = api.post(WIDGETS, body=mixed, auth=api_key)

    assert_api_error(response, 400, "malformed_json")


@pytest.mark.parametrize(
    "name",
    ["[" * 10_000, "]" * 500 + "{" * 500, '\\"[[[[' * 2_000, "{" * 200 + "\\\\" + "[" * 200],
    ids=["open-brackets", "closing-then-opening", "escaped-quotes", "escaped-backslash"],
)
def test_brackets_inside_strings_are_not_nesting(api, api_key, name):
    text = json.loads(f'"{name}"')[:80]
    body = json.dumps({"name": text, "items": [{"sku": json.loads(f'"{name}"')}]})

    response = api.post(WIDGETS, body=body, auth=api_key)

    assert response.status_code == 201, response.content[:300]
    assert widget_rows(text) == 1


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000, "]" * 100_000, "[" * 70 + "}" * 70, '{"name": "x"' + "}" * 100],
    ids=["unclosed", "unopened", "mismatched", "extra-closing"],
)
def test_unbalanced_brackets_are_malformed_json(api, api_key, body):
    assert_api_error(api.post(WIDGETS, body=body, auth=api_key), 400, "malformed_json")
