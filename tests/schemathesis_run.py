"""The in-process Schemathesis run every app's API tests share (tests/<app>/test_schemathesis.py).

Each app names its paths and operations, seeds its objects, and says which seeded values
generated cases draw from; this runs each operation as documented: first one known-good
request (it must succeed), then generated ones, valid (positive) and invalid (negative), with
no 5xx and every response matching its documented status, content type, body and headers.
Generation is derandomized: the same cases run on every machine, on SQLite and PostgreSQL.
"""

import itertools
from collections.abc import Callable

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode

BASE_URL = "https://localhost"  # the in-process client's wsgi.url_scheme: request.is_secure()
SCHEMA_PATH = "/api/v1/schema?format=json"
IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_EXAMPLES = 30  # generated cases per operation and mode
SEED = 20240601
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# No 5xx, and every response as documented. (Schemathesis's other checks judge how strict the
# request schemas are, e.g. whether a body naming an unknown variant must be accepted.)
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]


def api_schema(dictionaries: dict[str, list], bindings: dict[str, str]):
    """The schema as the running application serves it, with each parameter of ``bindings``
    (``"body.sku"``) drawn half of the time from its list in ``dictionaries`` (seeded ids,
    SKUs), so that generated cases get past 404s and 400s."""
    from django.core.wsgi import get_wsgi_application  # settings are pytest-django's by now

    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "dictionaries": {name: {"values": items} for name, items in dictionaries.items()},
            "parameters": {
                key: {"dictionary": name, "probability": 0.5} for key, name in bindings.items()
            },
        }
    )
    return schemathesis.openapi.from_wsgi(
        SCHEMA_PATH, get_wsgi_application(), config=config, base_url=BASE_URL
    )


def operations(schema, path_regex: str) -> dict:
    """``{"GET /api/v1/products/": APIOperation, …}`` for the paths matching ``path_regex``."""
    found = {}
    for result in schema.include(path_regex=path_regex).get_all_operations():
        operation = result.ok()  # a malformed operation raises here, naming itself
        found[f"{operation.method.upper()} {operation.path}"] = operation
    return found


def declared_only(value, schema: dict, components: dict):
    """``value`` without the object properties that ``schema`` does not declare, recursively.

    The request schemas leave ``additionalProperties`` open, so positive generation adds
    unknown fields, which the API refuses (400): without this, hardly a generated write would
    succeed and their 2xx responses would go unchecked."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    properties = schema.get("properties")
    if isinstance(value, dict) and properties and not schema.get("additionalProperties"):
        return {
            name: declared_only(item, properties[name], components)
            for name, item in value.items()
            if name in properties
        }
    if isinstance(value, list) and "items" in schema:
        return [declared_only(item, schema["items"], components) for item in value]
    return value


def one_variant_reference(lines: list, variant_ids: list[int], marker: str | None = None) -> None:
    """Lines (those holding ``marker``, when given) name their variant by ``variant_id`` or
    ``sku``, exactly one: the schema cannot say so, so positive generation sends both or
    neither most of the time (400). Keeps the id where both are sent, adds a seeded one where
    neither is."""
    for line in lines:
        if not isinstance(line, dict) or (marker is not None and marker not in line):
            continue
        if "variant_id" in line and "sku" in line:
            del line["sku"]
        elif "variant_id" not in line and "sku" not in line:
            line["variant_id"] = variant_ids[len(line) % len(variant_ids)]


def check_operation(
    operation,
    mode: GenerationMode,
    *,
    authorization: str,
    known_good: dict,
    fix_body: Callable = lambda body: body,
) -> None:
    """Run ``operation``: in the positive mode its ``known_good`` request first, then the
    generated cases, each valid one's body cut to what the schema declares and passed through
    ``fix_body``. A generated ``Idempotency-Key`` is made unique and its request sent twice, so
    that the replayed response is checked as well."""
    headers = {"Authorization": authorization}
    positive = mode is GenerationMode.POSITIVE
    if positive:
        # The happy path first: it proves the key, HTTPS and the seed work, and checks a 2xx.
        response = operation.Case(**known_good).call_and_validate(
            base_url=BASE_URL, headers=headers
        )
        assert 200 <= response.status_code < 300, (response.status_code, response.content)

    raw = operation.schema.raw_schema
    body_schema = (
        raw["paths"][operation.path][operation.method]
        .get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema")
    )
    unique = itertools.count()

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if positive and body_schema is not None and isinstance(case.body, dict | list):
            case.body = fix_body(
                declared_only(case.body, body_schema, raw["components"]["schemas"])
            )
        key = case.headers.get(IDEMPOTENCY_KEY) if case.headers else None
        if positive and key is not None:
            # Generated keys repeat across different bodies (422 every time): make each unique.
            case.headers[IDEMPOTENCY_KEY] = f"{key[:200]}-{next(unique)}"
        first = case.call_and_validate(base_url=BASE_URL, headers=headers)
        if positive and key is not None:
            again = case.call_and_validate(base_url=BASE_URL, headers=headers)
            assert again.status_code == first.status_code

    run()
