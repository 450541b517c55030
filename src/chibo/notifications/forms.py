"""The reminder setting form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.web.forms import ServiceFormMixin


class PreferenceForm(ServiceFormMixin, forms.Form):
    due_soon_days = forms.IntegerField(label=_("remind me this many days before a deadline"), min_value=0,
                                       max_value=30, error_messages={
                                           "min_value": _("Choose a number of days from 0 to 30."),
                                           "max_value": _("Choose a number of days from 0 to 30."),
                                           "invalid": _("Choose a number of days from 0 to 30.")})
    daily = forms.BooleanField(label=_("send me a daily reminder"), required=False)
