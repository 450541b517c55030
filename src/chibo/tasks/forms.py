"""Forms for tasks. A task form is laid out by the "6 rõ", one group per rõ, so that the
person filling it in sees which is still unclear. Missing values are left to the service,
which names the rõ (a form-level "required" would only say "this field is required")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.members.models import Person
from chibo.organisations.models import Organisation
from chibo.tasks.models import Recurrence
from chibo.tasks.services import Assign
from chibo.web.forms import ServiceFormMixin, date_field

NUMBER = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _key(obj: Person | Organisation) -> str:
    return f"{'p' if isinstance(obj, Person) else 'o'}{obj.pk}"


class TaskForm(ServiceFormMixin, forms.Form):
    title = forms.CharField(label=_("what is to be done"), max_length=300, required=False)
    description = forms.CharField(label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.ChoiceField(label=_("who leads (one person or cell)"), required=False)
    coordinating = forms.MultipleChoiceField(label=_("who coordinates"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    start_on = date_field(_("start date"), required=False)
    due_on = date_field(_("deadline"), required=False)
    expected_output = forms.CharField(label=_("the expected result or product"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("Something that can be checked, e.g. “5 households have a "
                                                  "hygienic toilet”."))
    measure_value = forms.DecimalField(label=_("measure (if it can be counted)"), required=False, widget=NUMBER,
                                       localize=True,
                                       error_messages={"invalid": _("Enter the measure as a number, e.g. 5.")})
    measure_unit = forms.CharField(label=_("unit of the measure"), max_length=40, required=False)
    verifier = forms.ChoiceField(label=_("who verifies the result"), required=False)
    verify_by = date_field(_("verify by"), required=False)
    target = forms.ChoiceField(label=_("carries out the target"), required=False)
    decision = forms.CharField(label=_("meeting decision"), max_length=300, required=False,
                               help_text=_("The cell resolution or meeting conclusion this task carries out, "
                                           "for example “Nghị quyết chi bộ tháng 10/2026, mục 2”."))
    recurrence = forms.ChoiceField(label=_("repeats"), choices=Recurrence.choices, required=False)
    repeat_until = date_field(_("repeat until"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    GROUPS = [
        (_("Rõ việc — what"), ["title", "description"]),
        (_("Rõ người, rõ trách nhiệm — who, and who leads"), ["lead", "coordinating"]),
        (_("Rõ thời gian — when"), ["start_on", "due_on", "recurrence", "repeat_until"]),
        (_("Rõ kết quả — what result"), ["expected_output", "measure_value", "measure_unit"]),
        (_("Rõ kiểm tra — who checks, by when"), ["verifier", "verify_by"]),
        (_("Where the task comes from"), ["target", "decision"]),
    ]

    def __init__(self, *args: Any, people: list[Person], orgs: list[Organisation], verifiers: list[Person],
                 targets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objects: dict[str, Person | Organisation] = {}
        options: list[tuple[str, str]] = []
        for o in orgs:
            self._objects[_key(o)] = o
            options.append((_key(o), o.name))
        for p in people:
            self._objects[_key(p)] = p
            options.append((_key(p), p.full_name))
        self.fields["lead"].choices = [("", "—"), *options]  # type: ignore[attr-defined]
        self.fields["coordinating"].choices = options  # type: ignore[attr-defined]
        self._verifiers = {str(p.pk): p for p in verifiers}
        self.fields["verifier"].choices = [("", "—"), *[(str(p.pk), p.full_name) for p in verifiers]]  # type: ignore[attr-defined]
        self._targets = {str(t.pk): t for t in targets}
        self.fields["target"].choices = [("", _("— none —")), *[  # type: ignore[attr-defined]
            (str(t.pk), f"{t.resolution.number}: {t.name}") for t in targets]]

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def assignees(self) -> list[Assign]:
        lead = self.cleaned_data.get("lead") or ""
        chosen = [lead] if lead else []
        chosen += [k for k in self.cleaned_data.get("coordinating") or [] if k != lead]
        out = []
        for key in chosen:
            obj = self._objects[key]
            out.append(Assign(person=obj if isinstance(obj, Person) else None,
                              organisation=obj if isinstance(obj, Organisation) else None, lead=key == lead))
        return out

    def task_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"title": d.get("title") or "", "description": d.get("description") or "",
                "start_on": d.get("start_on"), "due_on": d.get("due_on"),
                "expected_output": d.get("expected_output") or "", "measure_value": d.get("measure_value"),
                "measure_unit": d.get("measure_unit") or "", "verifier": self._verifiers.get(d.get("verifier") or ""),
                "verify_by": d.get("verify_by"), "target": self._targets.get(d.get("target") or ""),
                "decision": d.get("decision") or "", "recurrence": d.get("recurrence") or "",
                "repeat_until": d.get("repeat_until")}

    def add_service_errors(self, exc: Any) -> None:
        """The service names "assignees" for rõ người; it is shown at the lead field."""
        if hasattr(exc, "error_dict") and "assignees" in exc.error_dict:
            exc.error_dict.setdefault("lead", []).extend(exc.error_dict.pop("assignees"))
        super().add_service_errors(exc)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100, required=False,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
                                  error_messages={"min_value": _("Progress is a whole number from 0 to 100 (per cent)."),
                                                  "max_value": _("Progress is a whole number from 0 to 100 (per cent)."),
                                                  "invalid": _("Progress is a whole number from 0 to 100 (per cent).")})
    note = forms.CharField(label=_("what was done (evidence)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("attach a photo or document (optional)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    exceeded = forms.BooleanField(label=_("the result goes beyond what was expected"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

