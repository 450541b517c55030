"""Forms for resolutions, targets, shares and measurements. They turn text into typed
values; plans.services validates the rest, and its errors are attached to the named field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chibo.core.text import fold
from chibo.organisations.models import Organisation
from chibo.plans.models import Resolution, Target
from chibo.plans.services import Upload
from chibo.web.forms import OrgChoiceField, ServiceFormMixin, date_field, set_choices

NUMBER_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class NumberField(forms.DecimalField):
    """A number as people type it here: 95,5 or 95.5; 1.234,5 with a thousands point."""

    default_error_messages = {"invalid": _("Enter a number, for example 30 or 95,5.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs=NUMBER_ATTRS))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if "," in text:  # a decimal comma; points before it group thousands
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1:  # 1.234.567: points grouping thousands
            text = text.replace(".", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            text = f"{value.normalize():f}"
            return text.replace(".", ",")
        return value


class MeasureField(NumberField):
    """A target's figure, which people often type with its unit ("95 %", "12 đảng viên"):
    the target's own unit is accepted and dropped; another unit is refused, naming both."""

    def __init__(self, *, unit: str, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unit, self.kind = unit.strip(), kind

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value).strip()
        match = UNIT_SUFFIX.match(text)
        if match and match.group("unit"):
            given = match.group("unit").strip()
            own = {fold(self.unit)} | ({"%", "phan tram"} if self.kind == Target.Kind.PERCENT else set())
            if fold(given) not in own:
                expected = self.unit or ("%" if self.kind == Target.Kind.PERCENT else _("a plain number"))
                raise forms.ValidationError(
                    _("This target is measured in %(unit)s, not in “%(given)s”. Enter the figure in %(unit)s, "
                      "as a number.") % {"unit": expected, "given": given}, code="unit")
            text = match.group("number")
        number = super().to_python(text)
        if number is not None and self.kind == Target.Kind.COUNT and number != number.to_integral_value():
            raise forms.ValidationError(_("This target counts whole %(unit)s: enter a whole number.") % {
                "unit": self.unit or _("units")}, code="whole")
        return number


UNIT_SUFFIX = re.compile(r"^(?P<number>[-+]?[\d.,\s\u00a0]*\d)\s*(?P<unit>\D.*)?$")


class FileFormMixin:
    """An optional attached file, refused early when over the size limit (its content is
    checked by the service)."""

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")  # type: ignore[attr-defined]
        limit = settings.CHIBO_UPLOAD_MAX_BYTES
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(_("The file is %(size)s MB; the limit is %(limit)s MB. Attach a smaller file.")
                                        % {"size": round(upload.size / 1048576, 1), "limit": limit // 1048576})
        return upload

    def upload(self) -> Upload | None:
        f = self.cleaned_data.get("file")  # type: ignore[attr-defined]
        return None if f is None else (f.read(), f.name)


def file_field(label: Any) -> forms.FileField:
    return forms.FileField(label=label, required=False, help_text=_("A PDF, Word or Excel file, or a photo (JPEG, PNG)."))


class ResolutionFilterForm(forms.Form):
    q = forms.CharField(label=_("search by number or title"), required=False, max_length=100)
    org = forms.ChoiceField(label=_("issued by"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("any status")), *Resolution.Status.choices])

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("all organisations")), *((o.code, o.name) for o in orgs)]


class ResolutionForm(FileFormMixin, ServiceFormMixin, forms.Form):
    organisation = OrgChoiceField(label=_("issued by"), queryset=Organisation.objects.none())
    body = forms.ChoiceField(label=_("issuing body"), choices=Resolution.Body.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=Resolution.Kind.choices)
    number = forms.CharField(label=_("number and symbol"), max_length=50, help_text=_("For example 01-NQ/ĐH"))
    issued_on = date_field(_("date issued"))
    period_start = forms.IntegerField(label=_("from year"), min_value=1930, max_value=2100,
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    period_end = forms.IntegerField(label=_("to year"), min_value=1930, max_value=2100,
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    title = forms.CharField(label=_("title"), max_length=300)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("status"), choices=Resolution.Status.choices, initial=Resolution.Status.IN_FORCE)
    file = file_field(_("the signed text"))

    def __init__(self, *args: Any, issuers: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation", issuers.order_by("path"))
        if editing:
            del self.fields["organisation"]

    def resolution_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "file"}


class TargetForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(label=_("target"), max_length=300)
    organisation = OrgChoiceField(label=_("responsible organisation"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=Target.Kind.choices, initial=Target.Kind.COUNT)
    direction = forms.ChoiceField(label=_("direction"), choices=Target.Direction.choices,
                                  initial=Target.Direction.AT_LEAST)
    unit = forms.CharField(label=_("unit"), max_length=40, required=False,
                           help_text=_("For example: đảng viên, %, triệu đồng"))
    baseline_value = NumberField(label=_("baseline"), required=False)
    baseline_year = forms.IntegerField(label=_("baseline year"), required=False, min_value=1900, max_value=2100,
                                       widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    target_value = NumberField(label=_("target value"), required=False,
                               help_text=_("For a yes / no target, leave empty: done is the target."))
    roll_up = forms.ChoiceField(label=_("how the parts add up"), choices=Target.RollUp.choices,
                                initial=Target.RollUp.SUM)
    weight = NumberField(label=_("weight"), required=False,
                         help_text=_("For a rate that is part of a larger one: what it is a rate of "
                                     "(e.g. the number of households)."))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    FIELDS = ["name", "organisation", "kind", "direction", "unit", "baseline_value", "baseline_year", "target_value",
              "roll_up", "weight", "note"]

    def __init__(self, *args: Any, resolution: Resolution, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation", orgs)
        self.years = list(range(resolution.period_start, resolution.period_end + 1))
        for year in self.years:
            self.fields[f"milestone_{year}"] = NumberField(label=str(year), required=False)

    def milestone_fields(self) -> list[forms.BoundField]:
        return [self[f"milestone_{year}"] for year in self.years]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.FIELDS]

    def target_data(self) -> dict[str, Any]:
        data = {k: self.cleaned_data.get(k) for k in self.FIELDS}
        if data["kind"] == Target.Kind.YESNO and data["target_value"] is None:
            data["target_value"] = Decimal(1)
        return data

    def milestones(self) -> dict[int, Decimal]:
        return {year: value for year in self.years
                if (value := self.cleaned_data.get(f"milestone_{year}")) is not None}

    def add_service_errors(self, exc: Any) -> None:
        if hasattr(exc, "error_dict") and "milestones" in exc.error_dict and self.years:
            for err in exc.error_dict.pop("milestones"):
                self.add_error(f"milestone_{self.years[0]}", err)
        super().add_service_errors(exc)


class BreakDownForm(forms.Form):
    """One share per sub-organisation that has no part yet (and its weight, for a rate)."""

    def __init__(self, *args: Any, orgs: list[Organisation], weights: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = orgs
        self.weights = weights
        for org in orgs:
            self.fields[f"share_{org.pk}"] = NumberField(label=org.name, required=False)
            if weights:
                self.fields[f"weight_{org.pk}"] = NumberField(label=_("weight"), required=False)

    def rows(self) -> list[tuple[Organisation, forms.BoundField, forms.BoundField | None]]:
        return [(org, self[f"share_{org.pk}"], self[f"weight_{org.pk}"] if self.weights else None)
                for org in self.orgs]

    def shares(self) -> dict[Organisation, Decimal | None]:
        return {org: self.cleaned_data.get(f"share_{org.pk}") for org in self.orgs
                if self.cleaned_data.get(f"share_{org.pk}") is not None}

    def weight_values(self) -> dict[Organisation, Decimal]:
        return {org: w for org in self.orgs if (w := self.cleaned_data.get(f"weight_{org.pk}")) is not None}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.shares():
            raise forms.ValidationError(_("Enter the share of at least one organisation."))
        return data


class MeasurementForm(FileFormMixin, ServiceFormMixin, forms.Form):
    measured_on = date_field(_("date of the figure"))
    value = NumberField(label=_("figure"), required=False)
    note = forms.CharField(label=_("evidence"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Where the figure comes from, e.g. the numbers of the admission decisions."))
    file = file_field(_("evidence file"))

    def __init__(self, *args: Any, target: Target, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target.kind == Target.Kind.YESNO:
            self.fields["value"] = forms.TypedChoiceField(
                label=_("done?"), coerce=Decimal, required=False, empty_value=None, widget=forms.RadioSelect,
                choices=[("1", _("done")), ("0", _("not done yet"))])
        else:
            self.fields["value"] = MeasureField(unit=target.unit, kind=target.kind, required=False,
                                                label=_("figure (%(unit)s)") % {"unit": target.unit} if target.unit
                                                else _("figure"))
