"""The Products and Stock pages' forms. Labels are contract copy (SPEC §4). The forms only
parse what was typed; the API's own request serializers and the services then check it, so a
page says exactly what the API says (``check_with``, ``add_errors``)."""

from django import forms
from django.core.exceptions import ValidationError

from inventory.limits import MAX_COUNT, MAX_QUANTITY, MAX_VARIANTS
from inventory.models import Reason

STATUS_CHOICES = [("active", "Active"), ("archived", "Archived"), ("all", "All")]


def _flatten(errors, prefix: str = ""):
    """(dotted field, messages) pairs from a DRF error tree (``{"variants": {0: {"sku": […]}}}``)
    or a service's dotted keys (``variants.0.sku``)."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = "__all__" if key in ("non_field_errors", "__all__") else str(key)
            yield from _flatten(value, f"{prefix}{name}." if name != "__all__" else prefix)
    else:
        yield prefix.rstrip("."), [str(message) for message in errors]


def add_errors(form, errors, rows=()) -> None:
    """Each message of ``errors`` beside its field: ``name`` on ``form``, ``variants.N.sku`` on
    the Nth of ``rows``, anything else at the top of ``form``."""
    for name, messages in _flatten(errors):
        head, _, rest = name.partition(".")
        if head == "variants" and rest:
            index, _, field = rest.partition(".")
            if index.isdigit() and int(index) < len(rows):
                row = rows[int(index)]
                row.add_error(field if field in row.fields else None, messages)
                continue
        form.add_error(name if name in form.fields else None, messages)


def add_service_errors(form, error: Exception, rows=()) -> None:
    """A service's refusal beside the fields it names: a ``ValidationError``, or a domain error
    (``SkuTaken``) with its ``fields`` or else its message."""
    if isinstance(error, ValidationError):
        add_errors(form, getattr(error, "message_dict", {"__all__": error.messages}), rows)
    elif error.fields:
        add_errors(form, error.fields, rows)
    else:
        form.add_error(None, error.message)


def check_with(serializer_class, payload: dict, form, rows=()) -> dict | None:
    """``payload`` validated by the API's request serializer: its data, or ``None`` with its
    messages added beside the form's fields."""
    serializer = serializer_class(data=payload)
    if serializer.is_valid():
        return serializer.validated_data
    add_errors(form, serializer.errors, rows)
    return None


class ProductFilterForm(forms.Form):
    """The products list's filters (a GET form: every field optional)."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)


class ProductForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def payload(self) -> dict:
        return {"name": self.cleaned_data["name"], "description": self.cleaned_data["description"]}


class VariantForm(forms.Form):
    """One variant row. Money is kept as typed: the API's decimal-string rules check it."""

    sku = forms.CharField(label="SKU", max_length=64)
    name = forms.CharField(label="Variant name", max_length=200, required=False)
    barcode = forms.CharField(
        label="Barcode", max_length=14, required=False, help_text="GTIN-8, 12, 13 or 14."
    )
    price = forms.CharField(label="Price", max_length=20, required=False)
    cost = forms.CharField(label="Cost", max_length=20, required=False)
    # No initial value: a row added and left blank must stay unchanged (see ``filled_rows``).
    reorder_point = forms.IntegerField(
        label="Reorder point",
        min_value=0,
        max_value=MAX_COUNT,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": "0"}),
        help_text="Flag the stock when on hand falls below it.",
    )

    def payload(self) -> dict:
        data = self.cleaned_data
        payload = {"sku": data["sku"], "name": data["name"], "barcode": data["barcode"]}
        payload["price"] = data["price"] or None
        payload["cost"] = data["cost"] or None
        payload["reorder_point"] = data["reorder_point"] or 0
        return payload


VariantFormSet = forms.formset_factory(
    VariantForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_VARIANTS,
    validate_max=True,
)


def filled_rows(formset) -> list[VariantForm]:
    """The rows something was typed into: a row added and left blank is no variant."""
    return [form for form in formset if form.has_changed()]


class LevelFilterForm(forms.Form):
    """The stock levels' filters; ``below_reorder_point=on`` is the Overview's link."""

    location = forms.TypedChoiceField(label="Location", required=False, coerce=int)
    below_reorder_point = forms.BooleanField(label="Below reorder point", required=False)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [
            ("", "All locations"),
            *((location.pk, location.name) for location in locations),
        ]


class HistoryFilterForm(forms.Form):
    """The ledger's filters: a variant (``variant=`` id, or ``sku=``) and a location."""

    sku = forms.CharField(label="SKU", required=False, max_length=64)
    # From links only (a product page's "History"): not one of the fields the form shows.
    variant = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    location = forms.TypedChoiceField(label="Location", required=False, coerce=int)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [
            ("", "All locations"),
            *((location.pk, location.name) for location in locations),
        ]


class AdjustForm(forms.Form):
    """A manual adjustment of one level. ``expected_on_hand`` is the on hand shown when the form
    was rendered: the service refuses the change if the stock moved since."""

    quantity = forms.IntegerField(
        label="Quantity",
        min_value=-MAX_QUANTITY,
        max_value=MAX_QUANTITY,
        help_text="The change: 5 adds five units, -2 takes two away.",
    )
    reason = forms.ChoiceField(label="Reason", choices=Reason.choices, initial=Reason.CORRECTION)
    note = forms.CharField(
        label="Note", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_on_hand = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
