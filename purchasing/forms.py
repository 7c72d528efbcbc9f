"""Purchase orders and Suppliers forms. Labels are contract copy (SPEC §4): "Supplier",
"Location", "Expected date", and per line "SKU", "Quantity", "Unit cost"; "Quantity to receive".
The forms parse; the services decide (so a page says what the API says)."""

from django import forms
from django.forms import formset_factory

from purchasing.currencies import CURRENCY_CHOICES, DEFAULT_CURRENCY
from purchasing.limits import MAX_LEAD_TIME_DAYS, MAX_ORDER_LINES
from purchasing.models import OrderStatus, PurchaseOrderLine


class ServiceErrorsMixin:
    # Service field names that a form calls otherwise (the API names ids, the page objects).
    service_fields: dict[str, str] = {}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """A service's errors by field, each beside its field (unknown ones above the form)."""
        for name, messages in errors.items():
            name = self.service_fields.get(name, name)
            self.add_error(name if name in self.fields else None, messages)


def error_dict(error) -> dict[str, list[str]]:
    """A ValidationError's messages by field (``__all__`` for those that name none)."""
    return getattr(error, "message_dict", None) or {"__all__": error.messages}


class SupplierForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="Email", required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    address = forms.CharField(
        label="Address", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    currency = forms.ChoiceField(
        label="Currency",
        choices=CURRENCY_CHOICES,
        initial=DEFAULT_CURRENCY,
        help_text="The currency of this supplier's prices.",
    )
    lead_time_days = forms.IntegerField(
        label="Lead time (days)",
        min_value=0,
        max_value=MAX_LEAD_TIME_DAYS,
        initial=0,
        help_text="Days from ordering to delivery, usually.",
    )
    notes = forms.CharField(
        label="Notes", max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OrderStatusFilterForm(forms.Form):
    """The orders list's filters (a GET form: every choice optional)."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *OrderStatus.choices]
    )
    due = forms.BooleanField(label="Due or overdue", required=False)


class OrderForm(ServiceErrorsMixin, forms.Form):
    """A new order's header; its lines are :data:`LineFormSet`."""

    service_fields = {"supplier_id": "supplier", "location_id": "location"}

    supplier = forms.ModelChoiceField(label="Supplier", queryset=None, empty_label=None)
    location = forms.ModelChoiceField(label="Location", queryset=None, empty_label=None)
    expected_date = forms.DateField(
        label="Expected date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the delivery should arrive. From then on the order counts as due.",
    )

    def __init__(self, *args, suppliers, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers
        self.fields["location"].queryset = locations


class LineForm(ServiceErrorsMixin, forms.Form):
    """One line of a new order. Ranges are the service's to check, in its words."""

    service_fields = {"variant_id": "sku"}

    sku = forms.CharField(label="SKU", max_length=64)
    quantity = forms.IntegerField(label="Quantity")
    unit_cost = forms.DecimalField(label="Unit cost", max_digits=12, decimal_places=2)


class BaseLineFormSet(forms.BaseFormSet):
    def add_service_errors(self, errors: dict[str, list[str]], positions: list[int]) -> None:
        """The service's ``lines.<n>.<field>`` errors beside the fields of the form that made
        line ``n`` (``positions[n]``: blank forms are not sent), ``lines`` above the lines."""
        for name, messages in errors.items():
            _, index, field = name.split(".", 2)
            self.forms[positions[int(index)]].add_service_errors({field: messages})

    def filled(self) -> list[tuple[int, dict]]:
        """The lines that were filled in, with their forms' positions (call after is_valid)."""
        return [(i, form.cleaned_data) for i, form in enumerate(self.forms) if form.has_changed()]


# Every line may be left blank (it is skipped): the service says when no line is left.
LineFormSet = formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    max_num=MAX_ORDER_LINES,
    absolute_max=MAX_ORDER_LINES,
    validate_max=True,
)


class ReceiveForm(forms.Form):
    """Per open line a "Quantity to receive (SKU)", prefilled with what is outstanding."""

    def __init__(self, *args, lines: list[PurchaseOrderLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.outstanding]
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"Quantity to receive ({line.variant.sku})",
                min_value=0,
                initial=line.outstanding,
                # The line's "SKU: 5 of 10 outstanding" beside it (receive_form.html).
                widget=forms.NumberInput(attrs={"aria-describedby": f"id_line_{line.pk}_line"}),
            )

    def rows(self):
        """Each open line with its bound field, for the template's table."""
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]

    def receipt(self) -> list[tuple[int, int]]:
        """(line id, quantity) for every line with something to receive (after is_valid)."""
        return [
            (line.pk, self.cleaned_data[f"line_{line.pk}"])
            for line in self.lines
            if self.cleaned_data[f"line_{line.pk}"]
        ]

    def add_service_errors(self, errors: dict[str, list[str]], sent: list[int]) -> None:
        """The service's ``lines.<n>.quantity`` errors beside the field of line ``sent[n]``."""
        for name, messages in errors.items():
            parts = name.split(".")
            field = f"line_{sent[int(parts[1])]}" if len(parts) == 3 else None
            self.add_error(field, messages)
