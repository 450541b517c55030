"""Forms for the candidate pipeline and recognition. They turn text into typed values;
recruitment.services validates the rest and its errors are attached to the named field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.members.models import Person
from chibo.recruitment.models import RECEIVED_FILES, Decider, FileCode, Recognition
from chibo.web.forms import PersonFields, ServiceFormMixin, date_field, set_choices

COUNT = forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "step": "1"})


def _count(label: Any, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=10000, widget=COUNT, help_text=help_text,
                              error_messages={"required": _("Enter a whole number (0 if none)."),
                                              "invalid": _("Enter a whole number (0 if none).")})


def _number(label: Any, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=50, required=required)


class CandidateForm(ServiceFormMixin, PersonFields):
    """A new outstanding citizen: an existing resident who is not a member, or a new person."""
    existing = forms.ModelChoiceField(label=_("a resident already recorded"), queryset=Person.objects.none(),
                                      required=False, help_text=_("Or leave empty and fill in the person below."))
    introduced_on = date_field(_("introduced on"))
    introduced_by = forms.CharField(label=_("introduced by"), max_length=200,
                                    help_text=_("The mass organisation, for example “Chi đoàn thôn Đông”."))
    number = _number(_("number of the introduction"), required=False)

    def __init__(self, *args: Any, people: Any, localities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "existing", people)
        set_choices(self, "residence", localities.order_by("sort_key"))
        if self.data.get("existing"):
            for name in self.PERSON_NAMES:
                self.fields[name].required = False


class OnForm(ServiceFormMixin, forms.Form):
    on = date_field(_("date"))


class NumberedForm(OnForm):
    number = _number(_("number"))


class OptionalNumberForm(OnForm):
    number = _number(_("number"), required=False)


class HelperForm(OnForm):
    person = forms.ModelChoiceField(label=_("official member who helps"), queryset=Person.objects.none(),
                                    error_messages={"required": _("Choose an official member of the cell.")})

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            set_choices(self, "person", people)


class TestTaskForm(ServiceFormMixin, forms.Form):
    title = forms.CharField(label=_("test task"), max_length=300)
    given_on = date_field(_("given on"))
    due_on = date_field(_("to be done by"), required=False)


class FileForm(ServiceFormMixin, forms.Form):
    code = forms.ChoiceField(label=_("document"), choices=[(c, FileCode(c).label) for c in RECEIVED_FILES])
    received_on = date_field(_("received on"))


class VerificationForm(OnForm):
    result = forms.CharField(label=_("result"), max_length=300)


class ConsentForm(NumberedForm):
    pass


class VoteFields(forms.Form):
    votes_for = _count(_("for"))
    against = _count(_("against"))
    abstain = _count(_("abstaining"))
    present = _count(_("official members present with a vote"),
                     _("Not probationary members, nor members here on temporary activity: they do not vote here."))
    official = _count(_("official members called"),
                      _("The cell's official members, less those on temporary activity elsewhere, suspended or "
                        "prosecuted, absent with the committee's approval, and exempt members who did not attend and "
                        "vote."))

    VOTE_NAMES = ["votes_for", "against", "abstain", "present", "official"]


class ResolutionForm(ServiceFormMixin, VoteFields):
    on = date_field(_("date"))
    number = _number(_("number"))


class DecidedByForm(NumberedForm):
    decided_by = forms.CharField(label=_("decided by"), max_length=200,
                                 initial="Ban Thường vụ Đảng ủy xã")


class DecisionForm(DecidedByForm):
    decider = forms.ChoiceField(label=_("level that decided"), choices=Decider.choices, initial=Decider.SUPERIOR,
                                help_text=_("An applicant over 60 is decided by the provincial standing committee."))
    received_on = date_field(_("decision received by the cell on"), required=False)
    received_on.help_text = _("The ceremony's 30 working days count from this day. Leave it empty until the "
                              "decision arrives.")


class ReceivedForm(ServiceFormMixin, forms.Form):
    on = date_field(_("decision received by the cell on"))


class WithdrawForm(OnForm):
    reason = forms.CharField(label=_("reason"), max_length=300)


class RecognitionForm(ServiceFormMixin, VoteFields):
    proposal = forms.ChoiceField(label=_("the cell proposes to"), choices=Recognition.Proposal.choices,
                                 widget=forms.RadioSelect, initial=Recognition.Proposal.RECOGNISE)
    grounds = forms.CharField(label=_("grounds (for a removal)"), max_length=300, required=False)
    on = date_field(_("date"))
    number = _number(_("number"))


class RecognitionDecisionForm(DecidedByForm):
    recognition = forms.IntegerField(widget=forms.HiddenInput)


class RecognitionExtensionForm(ServiceFormMixin, forms.Form):
    recognition = forms.IntegerField(widget=forms.HiddenInput)
    on = date_field(_("date"))
    number = _number(_("number"), required=False)
    reason = forms.CharField(label=_("special case justifying the extension"), max_length=300, required=False)


class SuperiorDecisionForm(DecidedByForm):
    proposal = forms.ChoiceField(label=_("the superior committee decided to"), choices=Recognition.Proposal.choices,
                                 widget=forms.RadioSelect, initial=Recognition.Proposal.RECOGNISE)
    grounds = forms.CharField(label=_("grounds (for a removal)"), max_length=300, required=False)
