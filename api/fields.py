"""Strict request-body building blocks every resource shares (SPEC §5.3): JSON types as the
schema says them (no number passed off as a string, no string as a number), no control
characters, money as decimal strings, and lists and objects whose size is checked before any
item is looked at, so that no body under the size cap costs more than a few milliseconds to
refuse and no error body grows with the request."""

import itertools
import re
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from core.validators import CONTROL_CHARACTERS_MESSAGE, has_control_characters

# Errors reported per list, object or unknown-field set: enough to fix a request, and an error
# body that stays small however long the request is.
MAX_REPORTED_ERRORS = 20

MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"  # max_digits 12, decimal_places 2, no sign
_MONEY = re.compile(MONEY_PATTERN.strip("^$"))


def capped_errors(errors: dict, *, what: str) -> dict:
    """The first ``MAX_REPORTED_ERRORS`` of ``errors`` (index or name → detail), and a note,
    on the list or object itself, saying how many more there are."""
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    kept = dict(itertools.islice(errors.items(), MAX_REPORTED_ERRORS))
    more = len(errors) - MAX_REPORTED_ERRORS
    kept[api_settings.NON_FIELD_ERRORS_KEY] = [f"…and {more} more {what} have errors."]
    return kept


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: no strings, booleans or fractions."""

    default_error_messages = {"invalid": "Must be a whole number (a JSON integer)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string (a number is refused, never stringified) without control characters;
    ``multiline`` text may hold tabs and line breaks."""

    default_error_messages = {
        "invalid": "Must be a string.",
        "control_characters": CONTROL_CHARACTERS_MESSAGE,
    }

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)
        # NUL is a control character: one message for it, not two.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def run_validation(self, data=empty):
        # Before DRF's blank check, which stringifies whatever it is given and trims it.
        if isinstance(data, str):
            if has_control_characters(data, multiline=self.multiline):
                self.fail("control_characters")
        elif data is not empty and data is not None:
            self.fail("invalid")
        return super().run_validation(data)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "19.90"}
)
class MoneyField(serializers.DecimalField):
    """Money as a decimal string (``"19.90"``): up to 10 digits, a point and up to 2 decimals;
    no sign, no exponent, no JSON number, no empty string (send null for none)."""

    default_error_messages = {
        "invalid": 'Must be a decimal string such as "19.90": up to 10 digits before the point '
        "and 2 after, no sign.",
    }

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)

    def validate_empty_values(self, data):
        # DecimalField reads "" as null; the schema's pattern does not allow it.
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _MONEY.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class BoundedListField(serializers.ListField):
    """A JSON array of ``min_length`` to ``max_length`` items. The length is checked before any
    item is validated, and at most ``MAX_REPORTED_ERRORS`` item errors are reported."""

    default_error_messages = {
        "min_length": "Send at least {min_length} items.",
        "max_length": "Send at most {max_length} items.",
    }

    def __init__(self, *, max_length: int, min_length: int = 1, **kwargs):
        super().__init__(max_length=max_length, min_length=min_length, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if len(data) < self.min_length:
            self.fail("min_length", min_length=self.min_length)
        return self.run_child_validation(data)

    def run_child_validation(self, data):
        result, errors = [], {}
        for index, item in enumerate(data):
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as error:
                errors[index] = error.detail
            except DjangoValidationError as error:
                errors[index] = error.messages
        if errors:
            raise serializers.ValidationError(capped_errors(errors, what="items"))
        return result


class BoundedDictField(serializers.DictField):
    """A JSON object of at most ``max_length`` entries, counted before any entry is validated;
    ``key`` (a field) validates the names, each value is validated by ``child``."""

    default_error_messages = {
        "max_length": "At most {max_length} entries.",
        "invalid_key": "Names must be valid strings.",
    }

    def __init__(self, *, max_length: int, key: serializers.Field | None = None, **kwargs):
        self.max_length = max_length
        self.key = key
        super().__init__(**kwargs)
        # Already checked first in to_internal_value; declared so the schema says maxProperties.
        message = self.error_messages["max_length"].format(max_length=max_length)
        self.validators.append(MaxLengthValidator(max_length, message=message))

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if self.key is not None:
            for name in data:
                try:
                    self.key.run_validation(name)
                except serializers.ValidationError:
                    self.fail("invalid_key")
        return self.run_child_validation(data)


class StrictSerializer(serializers.Serializer):
    # Refuses fields it does not know, so a typo never passes silently; at most
    # MAX_REPORTED_ERRORS of them are named. (A comment, not a docstring: the schema would show
    # it as every request body's description.)

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            known = {name for name, f in self.fields.items() if not f.read_only}
            names = [name for name in data if name not in known]
            unknown = {name: ["Unknown field."] for name in names[:MAX_REPORTED_ERRORS]}
            if len(names) > MAX_REPORTED_ERRORS:
                more = len(names) - MAX_REPORTED_ERRORS
                unknown[api_settings.NON_FIELD_ERRORS_KEY] = [f"…and {more} more unknown fields."]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
