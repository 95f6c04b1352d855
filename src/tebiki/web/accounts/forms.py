from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                               "autocomplete": "email"}))


NEW_PASSWORD = forms.PasswordInput(attrs={"autocomplete": "new-password"})


class SignUpForm(forms.Form):
    """Create an account from an invitation; the email comes from the invitation."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    password1 = forms.CharField(label=_("Password"), strip=False, widget=NEW_PASSWORD,
                                help_text=_("At least 12 characters and hard to guess: a few uncommon words beat a keyboard row, "
                                            "a name, a date or a common phrase."))
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=NEW_PASSWORD)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            from tebiki.web.accounts.models import User
            try:
                password_validation.validate_password(p1, User(email=self.email, name=data.get("name", "")))
            except forms.ValidationError as err:
                self.add_error("password1", err)
        return data


class StartForm(SignUpForm):
    """A newcomer's own account, on an installation that allows starting without an invitation."""

    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    field_order = ["email", "name", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, email="", **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_email(self) -> str:
        from tebiki.web.accounts.models import User

        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        self.email = email
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("This email already has an account. Sign in instead."))
        return email
