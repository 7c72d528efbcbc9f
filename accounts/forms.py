from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.auth import LAST_ATTEMPT_WARNING, login_attempts_left
from accounts.models import Role, Workspace


def add_service_errors(form, error: ValidationError, field_map: dict[str, str]) -> None:
    """Show a service's ValidationError on the form fields it concerns."""
    if not hasattr(error, "error_dict"):
        form.add_error(field_map.get("__all__"), error)
        return
    for field, field_errors in error.error_dict.items():
        target = field_map.get(field, field if field in form.fields else None)
        form.add_error(target, field_errors)


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True}
        )
        self.fields["username"].label = "Email"

    def get_invalid_login_error(self):
        error = super().get_invalid_login_error()
        if login_attempts_left(self.request) == 1:
            warning = ValidationError(LAST_ATTEMPT_WARNING, code="last_attempt")
            return ValidationError([error, warning])
        return error


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password.",
    )
    workspace_name = forms.CharField(
        label="Workspace name",
        max_length=100,
        help_text="Usually your company or shop name. You can change it later.",
    )


class WorkspaceNameForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name"]
        labels = {"name": "Workspace name"}


class NewWorkspaceForm(forms.Form):
    name = forms.CharField(label="Workspace name", max_length=100)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text="Owners manage members; owners and admins change settings and keys; "
        "members read everything.",
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class InvitationSignUpForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password.",
    )
