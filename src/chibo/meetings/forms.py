"""Forms for meetings. They turn text into typed values (dates as dd/mm/yyyy, times as hh:mm
or "19h30"); meetings.services validates the rest and its errors are attached to the named
field (ServiceFormMixin)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.meetings.models import Attendance, Meeting, Vote
from chibo.members.models import Person
from chibo.web.forms import ServiceFormMixin, date_field

TIME_FORMATS = ["%H:%M", "%Hh%M", "%HH%M", "%H.%M", "%Hh", "%HH", "%H"]
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric",
                                                      "autocomplete": "off"})
COUNT_WIDGET = forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "step": "1"})


def time_field(label: Any, required: bool = False) -> forms.TimeField:
    return forms.TimeField(label=label, required=required, widget=TIME_WIDGET, input_formats=TIME_FORMATS,
                           error_messages={"invalid": _("Enter the time as hh:mm, for example 19:30.")})


def count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=10000, widget=COUNT_WIDGET,
                              error_messages={"invalid": _("Enter the number of votes as a whole number (0 if none)."),
                                              "min_value": _("Enter the number of votes as a whole number (0 if "
                                                             "none).")})


def person_choices(people: list[Person]) -> list[tuple[str, str]]:
    return [("", "—"), *[(str(p.pk), p.full_name) for p in people]]


class MeetingForm(ServiceFormMixin, forms.Form):
    """A new meeting (with its agenda) or a change to one (with the version read)."""

    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices, initial=Meeting.Kind.REGULAR)
    date = date_field(_("date"), required=False)
    start_time = time_field(_("starts at"))
    end_time = time_field(_("ends at"))
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    thematic_topic = forms.CharField(label=_("thematic topic"), max_length=300, required=False,
                                     help_text=_("For a thematic meeting, or a regular one that includes a theme "
                                                 "(then it lasts at least 120 minutes)."))
    chair = forms.ChoiceField(label=_("chaired by"), required=False)
    recorder = forms.ChoiceField(label=_("minutes taken by"), required=False)
    agenda = forms.CharField(label=_("agenda"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=_("One item a line. The four parts of a regular meeting are filled in; "
                                         "change them as the cell committee agreed."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: list[Person], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._people = {str(p.pk): p for p in people}
        for name in ("chair", "recorder"):
            self.fields[name].choices = person_choices(people)  # type: ignore[attr-defined]
        if editing:
            del self.fields["agenda"]
        else:
            del self.fields["end_time"]
            del self.fields["version"]

    def meeting_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        out = {"kind": d.get("kind") or Meeting.Kind.REGULAR, "date": d.get("date"), "start_time": d.get("start_time"),
               "place": d.get("place") or "", "thematic_topic": d.get("thematic_topic") or "",
               "chair": self._people.get(d.get("chair") or ""), "recorder": self._people.get(d.get("recorder") or "")}
        if "end_time" in self.fields:
            out["end_time"] = d.get("end_time")
        return out

    def agenda_items(self) -> list[str]:
        return [line.strip(" \t-•") for line in (self.cleaned_data.get("agenda") or "").splitlines()
                if line.strip(" \t-•")]


class MaterialForm(ServiceFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, required=False,
                            help_text=_("For example “Dự thảo nghị quyết tháng”. The file's name is used if empty."))
    file = forms.FileField(label=_("file"), required=False,
                           help_text=_("A PDF, Word, Excel or OpenDocument file, or a photo (JPEG, PNG)."))


class GuestForm(ServiceFormMixin, forms.Form):
    guest = forms.ChoiceField(label=_("guest"), required=False)
    title = forms.CharField(label=_("as"), max_length=120, required=False,
                            help_text=_("For example “Đảng ủy viên phụ trách chi bộ”."))

    def __init__(self, *args: Any, people: list[tuple[str, list[Person]]], **kwargs: Any) -> None:
        """`people`: groups of people to choose from, each with its heading."""
        super().__init__(*args, **kwargs)
        self._people = {str(p.pk): p for _heading, group in people for p in group}
        self.fields["guest"].choices = [("", "—"), *[  # type: ignore[attr-defined]
            (str(heading), [(str(p.pk), p.full_name) for p in group]) for heading, group in people if group]]
        self.fields["guest"].error_messages["invalid_choice"] = _("Choose the guest from the list.")

    def person(self) -> Person | None:
        return self._people.get(self.cleaned_data.get("guest") or "")


class VoteForm(ServiceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind of decision"), choices=Vote.Kind.choices, initial=Vote.Kind.GENERAL,
                             widget=forms.RadioSelect)
    title = forms.CharField(label=_("item voted on"), max_length=300, required=False)
    votes_for = count_field(_("for"))
    votes_against = count_field(_("against"))
    votes_abstain = count_field(_("abstaining"))
    decision = forms.CharField(label=_("decision"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("What the cell decided, as it goes in the resolution book."))
    vote = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the vote being corrected

    def vote_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d.get("kind") or "", "title": d.get("title") or "", "votes_for": d.get("votes_for"),
                "votes_against": d.get("votes_against"), "votes_abstain": d.get("votes_abstain"),
                "decision": d.get("decision") or ""}


class VoterForm(ServiceFormMixin, forms.Form):
    """Whether one member called is left out of the official members called, and why; for an
    exempt member who came, whether they voted."""

    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    excluded = forms.ChoiceField(label=_("counted for the votes"), required=False, choices=Attendance.Excluded.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False,
                           help_text=_("For example the decision or where the member is on temporary activity."))
    voted = forms.BooleanField(label=_("attended and voted"), required=False)

    def voter_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"person_id": d["person"], "excluded": d.get("excluded") or "", "note": d.get("note") or "",
                "voted": bool(d.get("voted"))}


class ExemptAddForm(ServiceFormMixin, forms.Form):
    """An exempt member of the cell who came to the meeting."""

    person = forms.ChoiceField(label=_("exempt member who came"), choices=())
    voted = forms.BooleanField(label=_("attended and voted"), required=False)

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = person_choices(people)  # type: ignore[attr-defined]
        self.fields["person"].error_messages["invalid_choice"] = _("Choose the member from the list.")
        self.fields["person"].error_messages["required"] = _("Choose the member from the list.")


class HeldForm(ServiceFormMixin, forms.Form):
    end_time = time_field(_("ended at"))


class CancelForm(ServiceFormMixin, forms.Form):
    reason = forms.CharField(label=_("why it is cancelled"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AbsenceNoticeForm(ServiceFormMixin, forms.Form):
    """A member tells the cell ahead that they will be absent; the service checks the reason."""
    reason = forms.CharField(label=_("reason for being absent"), max_length=200, required=False,
                             error_messages={"max_length": _("Write the reason in at most %(limit_value)d "
                                                             "characters.")},
                             widget=forms.TextInput(attrs={"maxlength": "200", "autocomplete": "off"}))


class MinutesForm(ServiceFormMixin, forms.Form):
    opening = forms.CharField(label=_("opening"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("Time, place, who was called, present and absent, chair and recorder."))
    content = forms.CharField(label=_("content of the meeting"), required=False,
                              widget=forms.Textarea(attrs={"rows": 12}))
    conclusions = forms.CharField(label=_("conclusions"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    closing = forms.CharField(label=_("closing"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correction_note = forms.CharField(label=_("what this version corrects"), max_length=300, required=False)

    def __init__(self, *args: Any, correction: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not correction:
            del self.fields["correction_note"]

    def minutes_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) or "" for k in self.fields}


class GapsForm(forms.Form):
    """The period of the missing-meetings list (default: the last 12 months)."""

    start = date_field(_("from"), required=False)
    end = date_field(_("to"), required=False)
    kind = forms.ChoiceField(label=_("meetings"), required=False, choices=[
        ("", _("every required meeting")), ("regular", _("regular monthly meetings")),
        ("committee", _("cell committee meetings")), ("thematic", _("thematic meetings"))])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("end", _("The end of the period comes before its start. Check both dates."))
        if isinstance(start, dt.date) and isinstance(end, dt.date) and (end - start).days > 5 * 366:
            self.add_error("start", _("Choose a period of at most five years."))
        return data
