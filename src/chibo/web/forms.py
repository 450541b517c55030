"""Forms for the web UI. They turn text into typed values; the services validate the rest
and their errors are attached back to the named field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chibo.core.dates import in_range, parse_vn_date
from chibo.core.ethnicities import ETHNICITIES
from chibo.members.models import (
    Education,
    MembershipEvent,
    Person,
    PoliticalTheory,
    Post,
    Religion,
    Sex,
    Status,
)
from chibo.organisations.models import Locality, Organisation

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

T = TypeVar("T")

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric",
                                                         "autocomplete": "off"})
DATE_ERRORS = {"invalid": _("Enter the date as dd/mm/yyyy, for example 02/09/1985."),
               "out_of_range": _("The year must be between 1900 and 2099. Check the year.")}


class VnDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (or any spelling core.dates.parse_vn_date reads: 15.03.2026,
    15032026, …), refused (under its own field) outside 1900–2099."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            day = value
        else:
            try:
                day = parse_vn_date(str(value))
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not in_range(day):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return day


def date_field(label: Any, required: bool = True, help_text: Any = "") -> forms.DateField:
    return VnDateField(label=label, required=required, widget=DATE_WIDGET, error_messages=DATE_ERRORS,
                       help_text=help_text)


def set_choices(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class OrgChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # not generic at run time
    default_error_messages = {
        "invalid_choice": _("This organisation is outside the organisations you may edit. Choose one from the list."),
    }

    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.code})"


class ServiceFormMixin:
    """Attach a service's ValidationError to the form's fields."""

    def written(self, request: HttpRequest, write: Callable[[], T],
                success: StrOrPromise | Callable[[T], StrOrPromise] | None = None) -> T | None:
        """What the service call `write` returns, when the form was sent (POST) and is valid and the
        service accepted it; `success` (a message, or one made from the result) is then shown on the
        next page. None when nothing was written: the form was not sent, is invalid, or the service
        refused it, its errors now on the form's fields. `write` returns what it wrote (never None)."""
        form: forms.Form = self  # type: ignore[assignment]
        if request.method != "POST" or not form.is_valid():
            return None
        try:
            result = write()
        except ValidationError as exc:
            self.add_service_errors(exc)
            return None
        if success is not None:
            messages.success(request, success(result) if callable(success) else success)
        return result

    def add_service_errors(self, exc: ValidationError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = name if name in form.fields else None
                for err in errors:
                    form.add_error(target, err)
        else:
            form.add_error(None, exc)


class PersonFields(forms.Form):
    family_name = forms.CharField(label=_("family name"), max_length=50, required=False)
    middle_name = forms.CharField(label=_("middle name"), max_length=50, required=False)
    given_name = forms.CharField(label=_("given name"), max_length=50,
                                 error_messages={"required": _("Enter the given name (the last word of the full name).")})
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = date_field(_("date of birth"))
    ethnicity = forms.ChoiceField(label=_("ethnicity"), choices=ETHNICITIES, initial="01")
    religion = forms.ChoiceField(label=_("religion"), choices=Religion.choices, initial=Religion.NONE)
    citizen_id = forms.CharField(label=_("citizen ID"), max_length=20, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                                 help_text=_("12 digits, as on the citizen identity card."))
    phone = forms.CharField(label=_("phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    residence = forms.ModelChoiceField(label=_("place of residence"), queryset=Locality.objects.none(), required=False)
    education = forms.ChoiceField(label=_("education"), choices=[("", "—"), *Education.choices], required=False)
    political_theory = forms.ChoiceField(label=_("political theory"), choices=PoliticalTheory.choices,
                                         initial=PoliticalTheory.NONE)

    PERSON_NAMES = ["family_name", "middle_name", "given_name", "sex", "birth_date", "ethnicity", "religion",
                    "citizen_id", "phone", "residence", "education", "political_theory"]

    def person_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.PERSON_NAMES if k in self.cleaned_data}


class PersonForm(ServiceFormMixin, PersonFields):
    """A person who is not a party member (e.g. a village head)."""

    def __init__(self, *args: Any, localities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "residence", localities.order_by("sort_key"))


class MemberForm(ServiceFormMixin, PersonFields):
    organisation = OrgChoiceField(label=_("party cell"), queryset=Organisation.objects.none())
    status = forms.ChoiceField(label=_("status"), choices=[(Status.PROBATIONARY, Status.PROBATIONARY.label),
                                                           (Status.OFFICIAL, Status.OFFICIAL.label)])
    admission_date = date_field(_("admission date"))
    admission_decision_date = date_field(_("date the admission decision was signed"), required=False)
    official_date = date_field(_("official date"), required=False)
    card_number = forms.CharField(label=_("party card number"), max_length=20, required=False)
    exempt = forms.BooleanField(label=_("exempt from party work and meetings"), required=False)
    exempt_since = date_field(_("exempt since"), required=False,
                              help_text=_("Required when exempt: the day the decision took effect."))
    temporary = forms.BooleanField(label=_("temporary activity here"), required=False)
    temporary_since = date_field(_("temporary activity here since"), required=False,
                                 help_text=_("Required for temporary activity: the day the letter was presented."))
    decision_number = forms.CharField(label=_("admission decision number"), max_length=50, required=False)

    MEMBERSHIP_NAMES = ["organisation", "status", "admission_date", "admission_decision_date", "official_date",
                        "card_number", "exempt", "exempt_since", "temporary", "temporary_since"]

    def __init__(self, *args: Any, orgs: Any, localities: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation", orgs.order_by("path"))
        set_choices(self, "residence", localities.order_by("sort_key"))
        if editing:
            for name in ("organisation", "status", "exempt", "exempt_since", "temporary", "temporary_since",
                         "decision_number"):
                del self.fields[name]

    def membership_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.MEMBERSHIP_NAMES if k in self.cleaned_data}


class EventForm(ServiceFormMixin, forms.Form):
    # An exemption and the return from it go through their procedure (lifecycle.exemptions), which
    # records the cell's resolution and the decision before the event.
    kind = forms.ChoiceField(label=_("event"), choices=[(k.value, k.label) for k in MembershipEvent.Kind
                                                        if k not in (MembershipEvent.Kind.RECORDED, MembershipEvent.Kind.ADMITTED,
                                                                     MembershipEvent.Kind.READMITTED,
                                                                     MembershipEvent.Kind.EXEMPTED,
                                                                     MembershipEvent.Kind.EXEMPTION_ENDED)],
                             error_messages={"invalid_choice": _(
                                 "Choose one of the listed events. An exemption and the return to activity are "
                                 "recorded under “Exemption from party work and meetings” on the member's page.")})
    effective_date = date_field(_("effective date"))
    decision_number = forms.CharField(label=_("decision number"), max_length=50, required=False)
    organisation = OrgChoiceField(label=_("new party cell (for a move or transfer in)"),
                                  queryset=Organisation.objects.none(), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation", orgs.order_by("path"))


class PostForm(ServiceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("post"), choices=Post.Kind.choices)
    person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none(),
                                    error_messages={"invalid_choice": _("Choose a person from the list.")})
    organisation = OrgChoiceField(label=_("party organisation (committee posts)"), queryset=Organisation.objects.none(),
                                  required=False)
    locality = forms.ModelChoiceField(label=_("locality (village or group heads)"), queryset=Locality.objects.none(),
                                      required=False)
    start_date = date_field(_("start date"))
    end_date = date_field(_("end date"), required=False)
    decision_number = forms.CharField(label=_("decision number"), max_length=50, required=False)

    def __init__(self, *args: Any, persons: Any, orgs: Any, localities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "person", persons.order_by("sort_key"))
        set_choices(self, "organisation", orgs.order_by("path"))
        set_choices(self, "locality", localities.filter(parent__isnull=False).exclude(
            kind__in=Locality.COMMUNE_KINDS).order_by("sort_key"))


class EndPostForm(ServiceFormMixin, forms.Form):
    end_date = date_field(_("end date"))


class OrganisationForm(ServiceFormMixin, forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=Organisation.Kind.choices)
    sector = forms.ChoiceField(label=_("sector"), choices=Organisation.Sector.choices)
    parent = OrgChoiceField(label=_("parent organisation"), queryset=Organisation.objects.none())
    valid_from = date_field(_("valid from"))
    valid_to = date_field(_("valid to"), required=False)
    locality = forms.ModelChoiceField(label=_("locality served (residential cells)"),
                                      queryset=Locality.objects.none(), required=False)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, parents: Any, localities: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "parent", parents.order_by("path"))
        set_choices(self, "locality", localities.order_by("sort_key"))
        if editing:
            del self.fields["parent"]
            del self.fields["kind"]


class MemberFilterForm(forms.Form):
    """The member list's search, filters and sort (GET)."""

    SORTS = {
        "name": ("sort_key", _("name")),
        "-name": ("-sort_key", _("name (Z–A)")),
        "birth": ("birth_date", _("oldest first")),
        "-birth": ("-birth_date", _("youngest first")),
        "admission": ("admission_date", _("longest in the Party")),
        "-admission": ("-admission_date", _("newest members")),
    }
    STATUS_CHOICES = [("current", _("current members")), ("official", _("official")),
                      ("probationary", _("probationary")), ("exempt", _("exempt")), ("temporary", _("temporary activity")),
                      ("former", _("former members")), ("all", _("all"))]
    AGE_CHOICES = [("", _("any age")), ("u30", _("under 30")), ("30-40", "30–40"), ("41-50", "41–50"),
                   ("51-60", "51–60"), ("61-70", "61–70"), ("o70", _("over 70"))]

    q = forms.CharField(label=_("search by name, citizen ID or card number"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    sex = forms.ChoiceField(label=_("sex"), choices=[("", _("any")), *Sex.choices], required=False)
    ethnicity = forms.ChoiceField(label=_("ethnicity"), choices=[("", _("any")), ("minority", _("ethnic minorities")),
                                                                 *ETHNICITIES], required=False)
    age = forms.ChoiceField(label=_("age"), choices=AGE_CHOICES, required=False)
    org = forms.CharField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=_("sort by"), choices=[(k, v[1]) for k, v in SORTS.items()], required=False)


class LocalityForm(ServiceFormMixin, forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=[
        (k.value, k.label) for k in Locality.Kind if k not in Locality.TOP_KINDS and k not in Locality.COMMUNE_KINDS])
