"""Settings → Webhooks forms. Their labels are contract copy (SPEC §4): "Endpoint URL", and one
checkbox per event type labelled with the type's name."""

from datetime import UTC, datetime

from django import forms

from core.events import EVENT_TYPES
from webhooks.models import DeliveryStatus
from webhooks.services import URL_MAX


def _event_type_choices():
    return [(name, name) for name in EVENT_TYPES]


class ServiceErrorsMixin:
    def add_service_errors(self, error) -> None:
        """A service's ValidationError, each message beside its field."""
        for name, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            self.add_error(name if name in self.fields else None, messages)


class EndpointForm(ServiceErrorsMixin, forms.Form):
    """Add or edit an endpoint. The URL and the types are checked by the service alone, so the
    page says exactly what the API says (an unsafe URL, no type chosen)."""

    url = forms.CharField(
        label="Endpoint URL",
        max_length=URL_MAX,
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text="Where Salync POSTs each event, e.g. https://example.com/hooks/salync.",
    )
    description = forms.CharField(
        label="Description",
        max_length=200,
        required=False,
        help_text="What receives these events, for you and your colleagues.",
    )
    # Not required here: the service's "Choose at least one event type." is the one message.
    event_types = forms.MultipleChoiceField(
        label="Event types",
        choices=_event_type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def event_type_rows(self):
        """Each event type's checkbox with its description, for the template's hint."""
        field = self["event_types"]
        return [{"choice": choice, "hint": EVENT_TYPES[choice.data["value"]]} for choice in field]


class DeliveryFilterForm(forms.Form):
    """The delivery log's filters (a GET form: every choice optional)."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *DeliveryStatus.choices]
    )
    event_type = forms.ChoiceField(
        label="Event type",
        required=False,
        choices=[("", "Any event type"), *_event_type_choices()],
    )


class RetryFailedForm(forms.Form):
    since = forms.DateTimeField(
        label="Failed since (UTC)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Every failed delivery of an event since then is sent again.",
    )

    def clean_since(self) -> datetime:
        # The label says UTC, whatever the server's time zone is.
        since = self.cleaned_data["since"]
        return since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
