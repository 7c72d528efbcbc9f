"""The Channels pages' forms: connecting and configuring a channel (Settings → Channels) and
publishing a variant on one. Their fields' labels are contract copy (SPEC §4)."""

from django import forms
from django.core.exceptions import ValidationError

from core.errors import DomainError
from inventory.models import Location, Variant
from saleschannels.connectors import registry
from saleschannels.limits import MAX_STOCK_BUFFER


def _type_choices():
    return [
        (type, f"{label} (simulated)" if registry.is_simulated(type) else label)
        for type, label in registry.choices()
    ]


class ChannelSettingsForm(forms.Form):
    locations = forms.ModelMultipleChoiceField(
        label="Locations",
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The locations whose stock this channel sells. None ticked: all of them.",
    )
    stock_buffer = forms.IntegerField(
        label="Stock buffer",
        min_value=0,
        max_value=MAX_STOCK_BUFFER,
        initial=0,
        help_text="Units held back on this channel: it is offered the stock on hand minus this.",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = Location.objects.filter(workspace=workspace)

    def add_service_errors(self, error) -> None:
        """A service's ValidationError, each message beside its field."""
        for name, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            self.add_error(name if name in self.fields else None, messages)


class LiveChannelSettingsForm(ChannelSettingsForm):
    """A live store's settings: its URL and, to replace the stored one, a new secret key."""

    store_url = forms.CharField(
        label="Store URL",
        max_length=500,
        widget=forms.URLInput(),
        help_text="The address of the store's Medusa server.",
    )
    api_key = forms.CharField(
        label="Secret API key",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Leave it blank to keep the stored key. A new one is checked against the "
        "store, stored encrypted and never shown again.",
    )

    field_order = ["store_url", "api_key", "locations", "stock_buffer"]


class ChannelConnectForm(ChannelSettingsForm):
    type = forms.ChoiceField(label="Channel type", choices=_type_choices)
    name = forms.CharField(
        label="Name", max_length=100, help_text="How you tell your channels apart."
    )
    # A live store's (Medusa): checked against the store on "Connect channel".
    store_url = forms.CharField(
        label="Store URL",
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://shop.example.com"}),
        help_text="Medusa only: the address of the store's Medusa server.",
    )
    api_key = forms.CharField(
        label="Secret API key",
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Medusa only: a secret API key (sk_…) made in the store's settings. "
        "It is stored encrypted and never shown again.",
    )

    field_order = ["type", "name", "store_url", "api_key", "locations", "stock_buffer"]


class ListingPublishForm(forms.Form):
    """The variant to publish: one of the workspace's not yet listed on the channel."""

    variant = forms.ModelChoiceField(
        label="Variant",
        queryset=Variant.objects.none(),
        empty_label="Choose a variant",
        help_text="Its listing is pending until the sync publishes it, moments later.",
    )

    def __init__(self, *args, variants, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["variant"]
        field.queryset = variants
        field.label_from_instance = _variant_label

    def add_service_errors(self, error: ValidationError | DomainError) -> None:
        """The service's refusal beside the variant: every message it gives is about it."""
        messages = error.messages if isinstance(error, ValidationError) else [error.message]
        self.add_error("variant", messages)


def _variant_label(variant: Variant) -> str:
    name = f"{variant.product.name} — {variant.name}" if variant.name else variant.product.name
    return f"{variant.sku} · {name}"
