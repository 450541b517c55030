"""Forms for documents and study sessions. They turn text into typed values and leave the
rules to chibo.documents.services, whose messages name the field and say how to fix it
(a form-level "this field is required" would say neither)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chibo.documents.models import Document
from chibo.documents.services import MAX_REFLECTION
from chibo.members.models import Membership, Person
from chibo.organisations.models import Organisation
from chibo.plans.forms import FileFormMixin
from chibo.web.forms import OrgChoiceField, ServiceFormMixin, date_field, set_choices

FILE_ERRORS = {
    "empty": _("The file is empty. Choose the file again."),
    "invalid": _("No file was received. Choose the file again."),
    "missing": _("No file was received. Choose the file again."),
}


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("search by number or title"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("every kind")), *Document.Kind.choices])
    org = forms.ChoiceField(label=_("distributed to"), required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("all organisations")), *((o.code, o.name) for o in orgs)]


class DocumentForm(FileFormMixin, ServiceFormMixin, forms.Form):
    organisation = OrgChoiceField(label=_("distributed to"), queryset=Organisation.objects.none(),
                                  error_messages={"required": _(
                                      "Choose the organisation the document is distributed to.")},
                                  help_text=_("Every member of this organisation and of those under it receives it."))
    kind = forms.ChoiceField(label=_("kind"), choices=Document.Kind.choices, initial=Document.Kind.RESOLUTION)
    number = forms.CharField(label=_("number and symbol"), max_length=50, help_text=_("For example 339-QĐ/TW"),
                             error_messages={"required": _("Enter the number and symbol, for example 339-QĐ/TW.")})
    issuer = forms.CharField(label=_("issuing body"), max_length=200, help_text=_("For example: Ban Bí thư Trung ương"),
                             error_messages={"required": _(
                                 "Enter the issuing body, for example Ban Bí thư Trung ương or Đảng ủy xã.")})
    issued_on = date_field(_("date issued"))
    title = forms.CharField(label=_("title"), max_length=300,
                            error_messages={"required": _("Enter the title of the document.")})
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("What the document asks of the members, in a few lines."))
    file = forms.FileField(label=_("the document's file"), required=False, error_messages=FILE_ERRORS)

    FIELDS = ("organisation", "kind", "number", "issuer", "issued_on", "title", "summary")

    def __init__(self, *args: Any, publishers: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation", publishers.order_by("path"))
        if editing:
            del self.fields["organisation"]
        self.fields["issued_on"].error_messages["required"] = _("Enter the date it was issued, as dd/mm/yyyy.")
        self.fields["file"].help_text = _(
            "A PDF, Word (.docx), Excel (.xlsx) or OpenDocument (.odt) file, or a photo (JPEG, PNG); at most "
            "%(n)s MB.") % {"n": settings.CHIBO_UPLOAD_MAX_BYTES // 1048576}

    def document_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in self.FIELDS}


class SessionFilterForm(forms.Form):
    q = forms.CharField(label=_("search by title"), required=False, max_length=100)


class StudySessionForm(ServiceFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=300,
                            help_text=_("For example: Học tập, quán triệt Quy định 339-QĐ/TW"),
                            error_messages={"required": _(
                                "Enter what was studied, for example “Học tập, quán triệt Quy định 339-QĐ/TW”.")})
    held_on = date_field(_("date held"))
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    summary = forms.CharField(label=_("content"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("What was presented and discussed, and what the members resolved to do."))
    documents = forms.MultipleChoiceField(
        label=_("documents studied"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose the documents from the list: only documents that reach the "
                                            "organisation can be studied in its session.")})
    participants = forms.MultipleChoiceField(label=_("participants"), required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"invalid_choice": _(
                                                 "Choose the participants from the list: only current members of "
                                                 "the organisation take part in its session.")},
                                             help_text=_("Tick the members who took part. Each then writes their "
                                                         "own reflection."))

    FIELDS = ("title", "held_on", "place", "summary")

    def __init__(self, *args: Any, documents: list[Document], members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].error_messages["required"] = _("Enter the date of the session, as dd/mm/yyyy.")
        self.document_objects = {str(d.pk): d for d in documents}
        self.people = {str(m.person_id): m.person for m in members}
        docs = self.fields["documents"]
        assert isinstance(docs, forms.MultipleChoiceField)
        docs.choices = [(str(d.pk), f"{d.number} — {d.title}") for d in documents]
        people = self.fields["participants"]
        assert isinstance(people, forms.MultipleChoiceField)
        people.choices = [(str(m.person_id), f"{m.person.full_name} — {m.organisation.name}") for m in members]

    def session_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {k: v for k, v in self.cleaned_data.items() if k in self.FIELDS}
        data["documents"] = [self.document_objects[pk] for pk in self.cleaned_data.get("documents", [])]
        people: list[Person] = [self.people[pk] for pk in self.cleaned_data.get("participants", [])]
        data["participants"] = people
        return data


class ReflectionForm(ServiceFormMixin, forms.Form):
    reflection = forms.CharField(label=_("my reflection"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_REFLECTION}),
                                 help_text=_("A few sentences: what you took in, and how you will apply it in your "
                                             "work and in your village."))
