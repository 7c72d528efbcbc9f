import secrets

from django import forms

from apikeys.models import Access


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Say what uses it, e.g. “ERP integration” or “Warehouse system”.",
    )
    access = forms.ChoiceField(
        label="Access level",
        choices=Access.choices,
        initial=Access.READ_WRITE,
        widget=forms.RadioSelect,
    )
    # One-time token: resubmitting the same form (reload after POST) never creates a second key.
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = secrets.token_urlsafe(16)
