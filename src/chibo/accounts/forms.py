"""The sign-in form (throttled, accounts/throttle.py) and the form naming a new API token."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chibo.accounts import throttle


def wait_text(seconds: int) -> str:
    """"30 giây", "2 phút": a wait as a person reads it (minutes rounded up)."""
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def wait_message(verdict: throttle.Verdict) -> str:
    if verdict.by_address:
        message = _("Too many wrong sign-ins have come from this place. Wait %(wait)s, then try again. "
                    "If you need help, ask the commune party committee office.")
    else:
        message = _("Sign-in to this account is paused for a moment after several wrong passwords. Wait "
                    "%(wait)s, then try again. If you have forgotten your password, ask the commune party "
                    "committee office to reset it.")
    return message % {"wait": wait_text(verdict.wait_seconds)}


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the throttle around the password check. `wait_seconds` is
    set when the person must wait before trying again (the view then answers 429)."""

    wait_seconds = 0

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        ip = throttle.client_ip(self.request) if self.request is not None else "unknown"
        verdict = throttle.attempt_start(username, ip)
        if verdict.wait_seconds:
            self.wait_seconds = verdict.wait_seconds
            raise ValidationError(wait_message(verdict), code="throttled")
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            after = throttle.attempt_failed(username, ip)
            wrong = _("The username or password is wrong.")
            if after.wait_seconds:
                self.wait_seconds = after.wait_seconds
                raise ValidationError(f"{wrong} {wait_message(after)}", code="invalid_login")
            raise ValidationError(f"{wrong} " + ngettext(
                "Check the spelling and that Caps Lock is off, then try again. "
                "%(n)d more try before you have to wait a moment.",
                "Check the spelling and that Caps Lock is off, then try again. "
                "%(n)d more tries before you have to wait a moment.",
                after.tries_left) % {"n": after.tries_left}, code="invalid_login")
        self.confirm_login_allowed(self.user_cache)
        throttle.attempt_succeeded(username, ip)
        return self.cleaned_data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What the token is for"), max_length=100,
        help_text=gettext_lazy("For example: the commune's reporting spreadsheet."),
        error_messages={"required": gettext_lazy("Write what the token is for, so that you can recognise it later.")})


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or username"), required=False, max_length=100)
    state = forms.ChoiceField(label=gettext_lazy("Accounts"), required=False, choices=[
        ("", gettext_lazy("all")), ("active", gettext_lazy("open")), ("inactive", gettext_lazy("closed"))])


class RoleGrantForm(forms.Form):
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=gettext_lazy("Organisation"),
                                                                       queryset=None)  # type: ignore[arg-type]
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    valid_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=gettext_lazy("Until (leave empty if open-ended)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organisations: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["role"].choices = roles  # type: ignore[attr-defined]

    def clean_valid_from(self) -> Any:
        from chibo.core.dates import in_range

        value = self.cleaned_data["valid_from"]
        if not in_range(value):
            raise ValidationError(_("Give a date between 1900 and 2099."))
        return value

    def clean_valid_to(self) -> Any:
        from chibo.core.dates import in_range

        value = self.cleaned_data.get("valid_to")
        if value is not None and not in_range(value):
            raise ValidationError(_("Give a date between 1900 and 2099."))
        return value


class RoleEndForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Last day of the role"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_on(self) -> Any:
        from chibo.core.dates import in_range

        value = self.cleaned_data["on"]
        if not in_range(value):
            raise ValidationError(_("Give a date between 1900 and 2099."))
        return value


class ActivationForm(forms.Form):
    """The slip's username and one-time code, and the password the person chooses."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "username",
                                                             "spellcheck": "false"}))
    code = forms.CharField(label=gettext_lazy("Code on the slip (10 digits)"), max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    password1 = forms.CharField(label=gettext_lazy("New password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=gettext_lazy("At least 10 characters; not a common password, not only "
                                                       "digits, not like your name."))
    password2 = forms.CharField(label=gettext_lazy("New password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same. Type the new password twice."))
        return data


class TwoStepCodeForm(forms.Form):
    """The 6 digits from the authenticator app (or, at sign-in, a recovery code)."""

    code = forms.CharField(label=gettext_lazy("Code from the authenticator app"), max_length=32,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "autocapitalize": "none", "spellcheck": "false",
                                                         "autofocus": True}),
                           error_messages={"required": gettext_lazy("Type the 6 digits the app shows now.")})


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               error_messages={"required": gettext_lazy("Type your password to confirm.")})

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not right. Type the password you sign in with."))
        return str(password)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of the pages"), required=False, choices=[
        ("", gettext_lazy("as the browser asks (Vietnamese first)")), ("vi", "Tiếng Việt"), ("en", "English")])
