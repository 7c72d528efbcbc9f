"""Strict input (SPEC §5.3, step 4 part C): a request is refused for its size before any item is
looked at, error bodies stay small, JSON types are what the schema says, money is a decimal
string matching the documented pattern, text carries no control characters, and every filter
refuses an invalid, empty or repeated value."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from api.fields import MAX_REPORTED_ERRORS, StrictCharField
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.serializers import AdjustmentInputSerializer, VariantInputSerializer
from tests.factories import UserFactory
from tests.inventory.conftest import assert_fields, snapshot

SMALL_BODY = 2048  # bytes: an error body that does not grow with the request
CONTROL_CHARACTERS = {
    "esc": "\x1b[31m",
    "bel": "\x07",
    "nul": "\x00",
    "del": "\x7f",
    "c1-nel": "\x85",
    "c1-csi": "\x9b",
    "unit-separator": "\x1f",
}
CONTROL_MESSAGE = "Must not contain control characters."
STRING_MESSAGE = "Must be a string."


@pytest.fixture
def sku(api) -> str:
    api.create_product(skus=("MER-M",))
    return "MER-M"


@pytest.fixture
def calls(monkeypatch):
    """Counts item validations: ``calls["AdjustmentInputSerializer"]`` and so on. The real
    method runs; the count shows whether a refused body was looked at item by item."""
    counted = {}

    def count(cls):
        original = cls.run_validation

        def run_validation(self, *args, **kwargs):
            counted[cls.__name__] = counted.get(cls.__name__, 0) + 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "run_validation", run_validation)
        counted[cls.__name__] = 0

    for cls in (AdjustmentInputSerializer, VariantInputSerializer, StrictCharField):
        count(cls)
    return counted


def _items(count: int, item: str = "{}") -> str:
    return "[" + ",".join([item] * count) + "]"


# --- Size before items ---------------------------------------------------------------------------


def test_a_batch_of_250000_empty_lines_is_refused_by_its_length_alone(api, calls):
    raw = '{"adjustments": ' + _items(250_000) + "}"
    assert 700_000 < len(raw) < 1024 * 1024  # under the body cap: it reaches the serializer

    response = api.send("POST", "stock/adjustments/batch", raw=raw)

    fields = assert_fields(response, "adjustments")
    assert fields == {"adjustments": ["Send at most 100 items."]}
    assert len(response.content) < SMALL_BODY
    assert calls["AdjustmentInputSerializer"] == 0


def test_a_product_with_250000_empty_variants_is_refused_by_its_length_alone(api, calls):
    raw = '{"name": "Tee", "variants": ' + _items(250_000) + "}"
    assert len(raw) < 1024 * 1024

    response = api.send("POST", "products", raw=raw)

    fields = assert_fields(response, "variants")
    assert fields == {"variants": ["Send at most 100 items."]}
    assert len(response.content) < SMALL_BODY
    assert calls["VariantInputSerializer"] == 0
    assert not Product.objects.filter(workspace=api.workspace).exists()


def test_a_batch_of_150_valid_looking_lines_names_the_list_not_150_lines(api, sku, calls):
    line = {"sku": sku, "quantity": 1, "reason": "received"}
    before = snapshot(api.workspace)

    response = api.post("stock/adjustments/batch", {"adjustments": [line] * 150})

    assert assert_fields(response, "adjustments") == {"adjustments": ["Send at most 100 items."]}
    assert calls["AdjustmentInputSerializer"] == 0
    assert snapshot(api.workspace) == before


def test_a_batch_reports_at_most_20_line_errors_and_counts_the_rest(api, sku):
    bad = {"sku": sku, "quantity": 0, "reason": "received"}

    response = api.post("stock/adjustments/batch", {"adjustments": [bad] * 30})

    fields = assert_fields(response, "adjustments")
    lines = [name for name in fields if name.startswith("adjustments.")]
    assert lines == [f"adjustments.{index}.quantity" for index in range(MAX_REPORTED_ERRORS)]
    assert fields["adjustments"] == ["…and 10 more items have errors."]


def test_a_batch_of_20_bad_lines_names_each_and_adds_no_note(api, sku):
    bad = {"sku": sku, "quantity": 0, "reason": "received"}

    response = api.post("stock/adjustments/batch", {"adjustments": [bad] * 20})

    fields = assert_fields(response, "adjustments.19.quantity")
    assert "adjustments" not in fields


def test_duplicate_skus_in_a_product_are_reported_for_at_most_20_variants(api):
    variants = [{"sku": "TEE-1"}] * 60

    response = api.post("products", {"name": "Tee", "variants": variants})

    fields = assert_fields(response, "variants.1.sku", "variants")
    assert len([name for name in fields if name.startswith("variants.")]) == MAX_REPORTED_ERRORS
    assert fields["variants"] == ["…and 39 more items have errors."]


def test_options_are_counted_before_any_is_validated(api, calls):
    options = {f"option-{number}": "x" for number in range(50_000)}
    body = {"name": "Tee", "variants": [{"sku": "TEE-1", "options": options}]}

    response = api.post("products", body)

    assert assert_fields(response) == {"variants.0.options": ["At most 20 options."]}
    assert len(response.content) < SMALL_BODY
    # The body's own text fields (given or not), never one per option.
    assert calls["StrictCharField"] < 10


def test_20_options_are_fine_and_21_are_not(api):
    options = {f"option-{number}": "x" for number in range(21)}
    too_many = api.post("products", {"name": "Tee", "variants": [{"sku": "A", "options": options}]})
    options.pop("option-20")
    enough = api.post("products", {"name": "Tee", "variants": [{"sku": "B", "options": options}]})

    assert_fields(too_many, "variants.0.options")
    assert enough.status_code == 201, enough.content[:300]
    assert len(enough.json()["variants"][0]["options"]) == 20


def test_thousands_of_unknown_fields_are_named_20_at_a_time(api):
    body = {"name": "Tee", "variants": [{"sku": "A"}]} | {f"x{n}": 1 for n in range(50_000)}

    response = api.post("products", body)

    fields = assert_fields(response, "x0", "x19")
    assert "x20" not in fields
    assert fields["non_field_errors"] == ["…and 49980 more unknown fields."]
    assert len(response.content) < SMALL_BODY


def test_a_very_long_note_is_refused_by_its_length(api, sku):
    body = {"sku": sku, "quantity": 1, "reason": "received", "note": "n" * 900_000}

    response = api.post("stock/adjustments", body)

    assert assert_fields(response) == {
        "note": ["Ensure this field has no more than 500 characters."]
    }


# --- Money -------------------------------------------------------------------------------------

MONEY_ACCEPTED = ["0", "0.5", "19.90", "19.9", "007.00", "9999999999.99"]
MONEY_REFUSED = [
    "1e5",
    "1E5",
    "-1",
    "+1",
    "-0",
    "1.234",
    "12345678901",
    ".5",
    "5.",
    " 1",
    "1 ",
    "",
    "NaN",
    "Infinity",
    "1_000",
    "\u0661\u0662",  # Arabic-Indic digits: Python's Decimal reads them
    "0x10",
]


@pytest.fixture
def money_pattern(api) -> str:
    """The pattern the schema documents for price and cost."""
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    properties = schema["components"]["schemas"]["VariantInputRequest"]["properties"]
    assert properties["price"]["pattern"] == properties["cost"]["pattern"]
    assert properties["price"]["type"] == "string"
    return properties["price"]["pattern"]


@pytest.mark.parametrize("field", ["price", "cost"])
@pytest.mark.parametrize("value", MONEY_ACCEPTED + MONEY_REFUSED)
def test_money_is_accepted_exactly_when_the_schema_pattern_allows_it(
    api, money_pattern, field, value
):
    body = {"name": "Tee", "variants": [{"sku": "TEE-1", field: value}]}

    response = api.post("products", body)

    documented = re.search(money_pattern, value) is not None
    assert documented == (value in MONEY_ACCEPTED)
    if documented:
        assert response.status_code == 201, response.content[:300]
        stored = getattr(Variant.objects.get(sku="TEE-1"), field)
        assert stored == type(stored)(value)
    else:
        assert_fields(response, f"variants.0.{field}")


def test_the_schema_money_pattern_has_no_sign(money_pattern):
    assert "-" not in money_pattern.replace("0-9", "")


@pytest.mark.parametrize("value", [19.9, 100, 0, True, ["1"], {"amount": "1"}])
def test_money_as_a_json_number_or_anything_but_a_string_is_refused(api, value):
    body = {"name": "Tee", "variants": [{"sku": "TEE-1", "price": value, "cost": value}]}

    response = api.post("products", body)

    assert_fields(response, "variants.0.price", "variants.0.cost")


def test_money_may_be_null(api):
    product = api.create_product(variants=[{"sku": "TEE-1", "price": None, "cost": None}])

    assert product["variants"][0]["price"] is None


def test_a_patch_refuses_exponent_money_too(api):
    variant = api.create_product(skus=("TEE-1",))["variants"][0]

    response = api.patch(f"variants/{variant['id']}", {"price": "1e5"})

    assert_fields(response, "price")
    assert Variant.objects.get(pk=variant["id"]).price is None


# --- JSON strings are strings ------------------------------------------------------------------

NOT_STRINGS = [100.0, 100, True, ["A"], {"a": "b"}]


@pytest.mark.parametrize("value", NOT_STRINGS, ids=repr)
@pytest.mark.parametrize(
    ("field", "make_body"),
    [
        ("name", lambda v: {"name": v, "variants": [{"sku": "A"}]}),
        ("description", lambda v: {"name": "Tee", "description": v, "variants": [{"sku": "A"}]}),
        ("variants.0.sku", lambda v: {"name": "Tee", "variants": [{"sku": v}]}),
        ("variants.0.name", lambda v: {"name": "Tee", "variants": [{"sku": "A", "name": v}]}),
        ("variants.0.barcode", lambda v: {"name": "Tee", "variants": [{"sku": "A", "barcode": v}]}),
        (
            "variants.0.options.size",
            lambda v: {"name": "Tee", "variants": [{"sku": "A", "options": {"size": v}}]},
        ),
    ],
)
def test_a_product_refuses_a_non_string_for_a_string(api, field, make_body, value):
    response = api.post("products", make_body(value))

    assert assert_fields(response, field)[field] == [STRING_MESSAGE]
    assert not Product.objects.filter(workspace=api.workspace).exists()


def test_a_json_number_is_never_stringified_into_a_sku(api):
    response = api.send("POST", "products", raw='{"name": "Tee", "variants": [{"sku": 1e2}]}')

    assert assert_fields(response, "variants.0.sku")["variants.0.sku"] == [STRING_MESSAGE]
    assert not Variant.objects.filter(sku="100.0").exists()


@pytest.mark.parametrize("value", NOT_STRINGS, ids=repr)
def test_a_location_name_and_an_adjustment_refuse_non_strings(api, sku, value):
    location = api.post("locations", {"name": value})
    adjustment = api.post(
        "stock/adjustments", {"sku": sku, "quantity": 1, "reason": "received", "note": value}
    )
    by_number = api.post("stock/adjustments", {"sku": value, "quantity": 1, "reason": "received"})

    assert assert_fields(location, "name")["name"] == [STRING_MESSAGE]
    assert assert_fields(adjustment, "note")["note"] == [STRING_MESSAGE]
    assert assert_fields(by_number, "sku")["sku"] == [STRING_MESSAGE]


def test_a_barcode_sent_as_a_number_is_refused(api):
    body = {"name": "Tee", "variants": [{"sku": "A", "barcode": 4006381333931}]}

    assert_fields(api.post("products", body), "variants.0.barcode")


# --- Control characters ------------------------------------------------------------------------

ONE_LINE_BODIES = {
    "name": lambda t: {"name": f"Tee{t}", "variants": [{"sku": "A"}]},
    "variants.0.sku": lambda t: {"name": "Tee", "variants": [{"sku": f"A{t}"}]},
    "variants.0.name": lambda t: {"name": "Tee", "variants": [{"sku": "A", "name": f"Navy{t}"}]},
    "variants.0.options": lambda t: {
        "name": "Tee",
        "variants": [{"sku": "A", "options": {f"size{t}": "M"}}],
    },
    "variants.0.options.size": lambda t: {
        "name": "Tee",
        "variants": [{"sku": "A", "options": {"size": f"M{t}"}}],
    },
}


@pytest.mark.parametrize("text", list(CONTROL_CHARACTERS.values()), ids=list(CONTROL_CHARACTERS))
@pytest.mark.parametrize("field", list(ONE_LINE_BODIES))
def test_a_product_refuses_control_characters_in_one_line_text(api, field, text):
    response = api.post("products", ONE_LINE_BODIES[field](text))

    messages = assert_fields(response, field)[field]
    assert any("control characters" in message for message in messages), messages
    assert not Product.objects.filter(workspace=api.workspace).exists()


@pytest.mark.parametrize("text", ["\n", "\t", "\r\n", "a\nb"], ids=repr)
@pytest.mark.parametrize("field", list(ONE_LINE_BODIES))
def test_one_line_text_refuses_tabs_and_line_breaks(api, field, text):
    response = api.post("products", ONE_LINE_BODIES[field](text))

    assert_fields(response, field)


@pytest.mark.parametrize("text", list(CONTROL_CHARACTERS.values()), ids=list(CONTROL_CHARACTERS))
def test_multi_line_text_refuses_control_characters(api, sku, text):
    before = snapshot(api.workspace)
    product = api.post("products", {"name": "Tee", "description": f"Soft{text}", "variants": []})
    note = api.post(
        "stock/adjustments",
        {"sku": sku, "quantity": 1, "reason": "received", "note": f"Box{text}"},
    )
    batch = api.post(
        "stock/adjustments/batch",
        {"adjustments": [{"sku": sku, "quantity": 1, "reason": "received", "note": f"B{text}"}]},
    )
    location = api.post("locations", {"name": f"Shelf{text}"})

    assert assert_fields(product, "description")["description"] == [CONTROL_MESSAGE]
    assert assert_fields(note, "note")["note"] == [CONTROL_MESSAGE]
    assert assert_fields(batch, "adjustments.0.note")["adjustments.0.note"] == [CONTROL_MESSAGE]
    assert assert_fields(location, "name")["name"] == [CONTROL_MESSAGE]
    assert snapshot(api.workspace) == before


def test_a_patch_refuses_control_characters(api):
    product = api.create_product(skus=("TEE-1",))
    variant = product["variants"][0]

    renamed = api.patch(f"products/{product['id']}", {"name": "Tee\x07"})
    described = api.patch(f"products/{product['id']}", {"description": "\x1b[2J"})
    relabelled = api.patch(f"variants/{variant['id']}", {"sku": "TEE\x1b"})

    assert_fields(renamed, "name")
    assert_fields(described, "description")
    assert_fields(relabelled, "sku")
    assert Product.objects.get(pk=product["id"]).name == "Merino crew"
    assert Variant.objects.get(pk=variant["id"]).sku == "TEE-1"


def test_multi_line_text_keeps_tabs_and_line_breaks(api, sku):
    description = "Soft merino.\n\n\tMachine wash cold.\r\nMade in Portugal."
    product = api.create_product(skus=("TEE-1",), description=description)
    note = "Delivery 42:\n\t3 boxes"
    api.adjust(3, sku=sku, note=note)

    assert product["description"] == description
    assert StockAdjustment.objects.get(variant__sku=sku).note == note


def test_ordinary_unicode_text_is_fine(api):
    product = api.create_product(
        name="Pull mérinos, 北京 🧶",
        variants=[{"sku": "PULL-É", "name": "Bleu nuit", "options": {"taille": "M\u00a0L"}}],
    )

    assert product["name"] == "Pull mérinos, 北京 🧶"
    assert product["variants"][0]["options"] == {"taille": "M\u00a0L"}


@pytest.mark.parametrize(
    ("model", "fields", "field"),
    [
        (Product, {"name": "Tee\x1b"}, "name"),
        (Product, {"name": "Tee", "description": "\x07"}, "description"),
        (Variant, {"sku": "A\x1b"}, "sku"),
        (Variant, {"sku": "A", "name": "N\n"}, "name"),
        (Location, {"name": "Shelf\x9b"}, "name"),
        (StockAdjustment, {"note": "\x1b]0;pwned\x07"}, "note"),
    ],
)
def test_models_refuse_control_characters_for_every_form(model, fields, field):
    with pytest.raises(ValidationError) as caught:
        model(**fields).clean_fields()

    assert caught.value.message_dict[field] == [CONTROL_MESSAGE]


def test_the_admin_refuses_a_note_with_control_characters(client, api, sku):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    level_pk = api.adjust(5, sku=sku)["level"]["id"]
    url = reverse("admin:inventory_stocklevel_adjust", args=[level_pk])

    response = client.post(url, {"quantity": 1, "reason": "received", "note": "Box\x1b[31m"})

    assert response.status_code == 200  # the form again, with the error
    assert CONTROL_MESSAGE in response.content.decode()
    assert StockLevel.objects.get(pk=level_pk).on_hand == 5


# --- Filters -----------------------------------------------------------------------------------

INVALID_FILTERS = [
    ("products", "status", ""),
    ("products", "status", "ACTIVE"),
    ("products", "status", "nope"),
    ("products", "q", ""),
    ("products", "q", "   "),
    ("products", "q", "q" * 201),
    ("products", "sku", ""),
    ("products", "updated_since", ""),
    ("products", "updated_since", "yesterday"),
    ("locations", "updated_since", ""),
    ("stock", "sku", ""),
    ("stock", "variant_id", ""),
    ("stock", "variant_id", "abc"),
    ("stock", "variant_id", "1.0"),
    ("stock", "variant_id", "+1"),
    ("stock", "variant_id", "0"),
    ("stock", "location_id", ""),
    ("stock", "below_threshold", "1"),
    ("stock", "below_threshold", "0"),
    ("stock", "below_threshold", "yes"),
    ("stock", "below_threshold", "maybe"),
    ("stock", "below_threshold", "True"),
    ("stock", "below_threshold", ""),
    ("stock", "updated_since", ""),
    ("stock/adjustments", "variant_id", ""),
    ("stock/adjustments", "sku", ""),
    ("stock/adjustments", "location_id", "x"),
    ("stock/adjustments", "reason", "nope"),
    ("stock/adjustments", "reason", ""),
    ("stock/adjustments", "created_after", ""),
    ("stock/adjustments", "created_after", "2024-13-01"),
    ("stock/adjustments", "created_before", ""),
]


@pytest.mark.parametrize(("path", "name", "value"), INVALID_FILTERS)
def test_an_invalid_or_empty_filter_is_400_naming_it(api, sku, path, name, value):
    response = api.get(f"{path}?{name}={value}")

    assert list(assert_fields(response, name)) == [name]
    assert len(response.content) < SMALL_BODY


@pytest.mark.parametrize("name", ["status", "updated_since"])
def test_a_product_variant_list_refuses_empty_filters_too(api, name):
    product = api.create_product(skus=("TEE-1",))

    response = api.get(f"products/{product['id']}/variants?{name}=")

    assert_fields(response, name)


def test_a_filter_given_twice_is_400_not_the_last_one_wins(api, sku):
    response = api.get("stock?below_threshold=true&below_threshold=false")

    assert assert_fields(response, "below_threshold") == {
        "below_threshold": ["Give this parameter once."]
    }


def test_booleans_are_true_or_false(api, sku):
    assert api.get("stock", {"below_threshold": "true"}).status_code == 200
    assert api.get("stock", {"below_threshold": "false"}).status_code == 200
    message = assert_fields(api.get("stock?below_threshold=yes"), "below_threshold")
    assert message == {"below_threshold": ["Must be true or false."]}


def test_parameters_that_are_not_filters_are_left_alone(api, sku):
    """Not in the contract: an unknown parameter (a client's cache buster, say) is ignored."""
    response = api.get("stock", {"_": "1700000000"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_the_schema_documents_strict_filters(api):
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    stock = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/stock/"]["get"]["parameters"]}
    products = schema["paths"]["/api/v1/products/"]["get"]["parameters"]
    by_name = {p["name"]: p for p in products}

    assert stock["below_threshold"] == {"type": "boolean"}
    assert stock["sku"] == {"type": "string", "minLength": 1, "maxLength": 64}
    assert stock["variant_id"]["minimum"] == 1
    assert by_name["q"]["schema"] == {"type": "string", "minLength": 1, "maxLength": 200}
    assert by_name["q"]["description"] == "Search product names and variant SKUs."


def test_the_schema_documents_text_without_control_characters(api):
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    variant = schema["components"]["schemas"]["VariantInputRequest"]["properties"]
    product = schema["components"]["schemas"]["ProductCreateRequest"]["properties"]
    one_line = variant["sku"]["pattern"]
    # A field that may be blank is documented as the pattern or "" (oneOf: they must not overlap).
    text, blank = product["description"]["oneOf"]
    multi_line = text["pattern"]
    assert blank == {"type": "string", "maxLength": 0}
    assert not re.search(multi_line, "")

    assert re.search(one_line, "MER-CREW-M")
    assert not re.search(one_line, "MER\x1b")
    assert not re.search(one_line, "a\nb")
    assert re.search(multi_line, "a\n\tb\r\n")
    assert not re.search(multi_line, "a\x07")
    assert variant["options"]["additionalProperties"]["pattern"] == one_line
    assert variant["options"]["maxProperties"] == 20
    assert json.dumps(schema).count(one_line.replace("\\", "\\\\")) >= 5
