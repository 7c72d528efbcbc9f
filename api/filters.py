"""Query-string filters as strict as the contract (SPEC §5.3): booleans are ``true`` or
``false``, and an invalid, empty or repeated value of any filter is 400 ``validation_error``
naming the parameter, never ignored. Parameters that are not filters are left alone."""

import re
from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field

from api.limits import MAX_ID

_DIGITS = re.compile(r"[0-9]{1,20}")

EMPTY_MESSAGE = "Must not be empty."
REPEATED_MESSAGE = "Give this parameter once."


class _StrictFilterForm:
    """Mixed into a filter set's form: a filter present in the query string must have one
    non-empty value (Django reads an empty one as "no filter", and only the last of several)."""

    def clean(self):
        cleaned_data = super().clean()
        for name in self.fields:
            if name in self.errors or name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            if len(values) > 1:
                self.add_error(name, ValidationError(REPEATED_MESSAGE, code="repeated"))
            elif not str(values[0]).strip():
                self.add_error(name, ValidationError(EMPTY_MESSAGE, code="empty"))
        return cleaned_data


class StrictFilterSet(django_filters.FilterSet):
    """The base of every API filter set."""

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (_StrictFilterForm, form_class), {})


class WorkspaceFilterSet(StrictFilterSet):
    """The base of a workspace-scoped list's filters. A filter that looks into another table
    scopes its subquery by ``workspace_id`` (the key's workspace, also the list's), so it reads
    one workspace's rows through a (workspace, …) index, never every workspace's."""

    @property
    def workspace_id(self) -> int:
        return self.request.auth.workspace_id


class StrictBooleanField(forms.Field):
    """``true`` or ``false``, exactly."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value == "true":
            return True
        if value == "false":
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean filter (documented as a boolean) that refuses ``1``, ``yes`` or ``True``."""

    field_class = StrictBooleanField


class TextFilter(django_filters.CharFilter):
    """A text filter of 1 to ``max_length`` characters, documented with both bounds."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        schema = {"type": "string", "minLength": 1, "maxLength": max_length}
        if self.label:  # the schema override replaces drf-spectacular's description
            schema["description"] = str(self.label)
        set_override(self, "field", schema)


class UtcDateTimeField(IsoDateTimeField):
    """ISO 8601 with any offset, converted to UTC; a moment outside the years 1 to 9999 in UTC is
    a validation error, not a database error."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class IdField(forms.IntegerField):
    """ASCII digits only: Django's IntegerField also takes "1.0", "+1" and other scripts' digits."""

    def to_python(self, value):
        if value not in self.empty_values and not _DIGITS.fullmatch(str(value)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in range, never silently truncated."""

    field_class = IdField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
