"""Settings → API Keys forms. "Name" is contract copy (SPEC §4); "Access" and "Expires" are
radio groups, each rendered as a fieldset with its legend."""

import secrets

from django import forms

from apikeys.models import LIFETIME_DAYS, Access, ApiKey

NEVER = "never"


class ServiceErrorsMixin:
    def add_service_errors(self, error) -> None:
        """A service's ValidationError, each message beside its field."""
        for name, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            field = "expires" if name == "lifetime_days" else name
            self.add_error(field if field in self.fields else None, messages)


class ApiKeyCreateForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiKey._meta.get_field("name").max_length,
        help_text="Say what uses it, e.g. “ERP integration” or “Warehouse system”.",
    )
    # Least privilege: a key reads only unless someone chooses more.
    access = forms.ChoiceField(
        label="Access",
        choices=[(Access.READ_ONLY, "Read only"), (Access.READ_WRITE, "Read & write")],
        initial=Access.READ_ONLY,
        widget=forms.RadioSelect,
        help_text="Read only keys may only make GET requests.",
    )
    # Never by default, as Stripe's keys: a server's key that lapses unnoticed stops an
    # integration. Owners are emailed a week before a chosen expiry.
    expires = forms.ChoiceField(
        label="Expires",
        choices=[(str(days), f"{days} days") for days in LIFETIME_DAYS] + [(NEVER, "Never")],
        initial=NEVER,
        widget=forms.RadioSelect,
        help_text="The key stops working then; owners are emailed 7 days before.",
    )
    # One-time token: resubmitting the same form (reload after POST) never creates a second key.
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = secrets.token_urlsafe(16)

    def lifetime_days(self) -> int | None:
        """The chosen lifetime in days, None for "Never"."""
        expires = self.cleaned_data["expires"]
        return None if expires == NEVER else int(expires)


class ApiKeyRenameForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiKey._meta.get_field("name").max_length,
        help_text="The key itself does not change: whatever uses it keeps working.",
    )
