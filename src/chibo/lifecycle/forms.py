"""Forms for transfer letters; lifecycle.services validates the rest (errors attached to the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lifecycle.models import TransferLetter
from chibo.organisations.models import Organisation
from chibo.web.forms import ServiceFormMixin, date_field, set_choices


class LetterForm(ServiceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind of transfer"), choices=TransferLetter.Kind.choices, widget=forms.RadioSelect)
    direction = forms.ChoiceField(label=_("direction"), choices=TransferLetter.Direction.choices,
                                  initial=TransferLetter.Direction.OUT, widget=forms.RadioSelect,
                                  help_text=_("In: a letter from an organisation outside the province for a member recorded here."))
    reason_date = date_field(_("date of the decision or move"))
    number = forms.CharField(label=_("letter number"), max_length=50)
    letter_date = date_field(_("letter date"))
    other_organisation = forms.ModelChoiceField(label=_("receiving organisation in chibo"),
                                                queryset=Organisation.objects.none(), required=False)
    other_name = forms.CharField(label=_("organisation outside chibo"), max_length=200, required=False,
                                 help_text=_("Outside the province: its name (the sending one for a letter in)."))
    temporary_end = date_field(_("end of the temporary activity"), required=False)
    study = forms.BooleanField(label=_("for full-time study"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "other_organisation", orgs)


class PresentForm(ServiceFormMixin, forms.Form):
    presented_on = date_field(_("presented on"))
    late_reason = forms.CharField(label=_("reason for the late presentation"), max_length=500, required=False)


class EndForm(ServiceFormMixin, forms.Form):
    ended_on = date_field(_("temporary activity ended on"))
