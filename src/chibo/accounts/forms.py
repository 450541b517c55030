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
