"""Forms for transfer letters and exemptions; lifecycle.services and lifecycle.exemptions validate the rest (errors attached to the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lifecycle.models import Exemption, TransferLetter
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


# --- Exemption from party work and meetings ------------------------------------------------------

AGREED_CHOICES = [("yes", _("agreed")), ("no", _("not agreed"))]


class ExemptionRequestForm(ServiceFormMixin, forms.Form):
    origin = forms.ChoiceField(label=_("origin"), widget=forms.RadioSelect, initial=Exemption.Origin.REQUEST,
                               choices=[(Exemption.Origin.REQUEST, Exemption.Origin.REQUEST.label),
                                        (Exemption.Origin.PROPOSAL, Exemption.Origin.PROPOSAL.label)])
    request_on = date_field(_("date of the request or proposal"))
    grounds = forms.ChoiceField(label=_("grounds"), choices=Exemption.Grounds.choices, widget=forms.RadioSelect,
                                initial=Exemption.Grounds.AGE_HEALTH)
    reason = forms.CharField(label=_("reason"), max_length=500, required=False,
                             help_text=_("For example the illness and its treatment, or where and how long the member travels."))
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class ExemptionResolveForm(ServiceFormMixin, forms.Form):
    agreed = forms.ChoiceField(label=_("the cell's resolution"), choices=AGREED_CHOICES, initial="yes",
                               widget=forms.RadioSelect)
    resolution_on = date_field(_("date of the cell's resolution"))
    resolution_number = forms.CharField(label=_("resolution number"), max_length=50, required=False,
                                        help_text=_("As written in the cell's resolution book."))
    votes_for = forms.IntegerField(label=_("votes for"), min_value=0, max_value=999, required=False)
    votes_against = forms.IntegerField(label=_("votes against"), min_value=0, max_value=999, required=False)


class ExemptionDecideForm(ServiceFormMixin, forms.Form):
    agreed = forms.ChoiceField(label=_("the decision"), choices=AGREED_CHOICES, initial="yes", widget=forms.RadioSelect)
    decided_by = forms.ChoiceField(label=_("decided by"), choices=Exemption.DecidedBy.choices, widget=forms.RadioSelect,
                                   initial=Exemption.DecidedBy.CELL_COMMITTEE)
    decision_on = date_field(_("decision date"))
    decision_number = forms.CharField(label=_("decision number"), max_length=50, required=False)
    start_on = date_field(_("exempt from"), required=False)
    start_on.help_text = _("The day the exemption takes effect, as the decision says — usually the decision date. "
                           "Required when agreed.")


class ExemptionReturnForm(ServiceFormMixin, forms.Form):
    return_request_on = date_field(_("date of the request to return"), required=False)
    return_on = date_field(_("date of the return decision"))
    return_number = forms.CharField(label=_("return decision number"), max_length=50, required=False)
    end_on = date_field(_("back in activity from"))
