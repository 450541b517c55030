"""Forms for the two-way channel. They only turn the request into values; the services check
the rest (empty message, lengths, where the member may write) and name the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.channel import rules
from chibo.channel.models import Thread
from chibo.organisations.models import Organisation
from chibo.web.forms import ServiceFormMixin

MESSAGE = forms.Textarea(attrs={"rows": 6, "maxlength": rules.MAX_BODY})


class ThreadForm(ServiceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("what you are sending"), choices=Thread.Kind.choices, initial=Thread.Kind.QUESTION,
                             widget=forms.RadioSelect, required=False, error_messages={
                                 "invalid_choice": _("Choose whether you are asking a question or giving an opinion "
                                                     "or suggestion.")})
    organisation = forms.ChoiceField(label=_("send it to"), widget=forms.RadioSelect, required=False,
                                     error_messages={"invalid_choice": _("Choose where to send it, from the list.")})
    subject = forms.CharField(label=_("subject (optional)"), required=False,
                              widget=forms.TextInput(attrs={"maxlength": rules.MAX_SUBJECT}),
                              help_text=_("A few words. Left empty, the start of your message is used."))
    body = forms.CharField(label=_("your question or opinion"), required=False, widget=MESSAGE, strip=False)

    def __init__(self, *args: Any, recipients: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recipients = {str(o.pk): o for o in recipients}
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(o.pk), o.name) for o in recipients]
        if recipients and not self.is_bound:
            self.initial.setdefault("organisation", str(recipients[0].pk))

    def thread_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d.get("kind") or "", "organisation": self._recipients.get(d.get("organisation") or ""),
                "subject": d.get("subject") or "", "body": d.get("body") or ""}


class ReplyForm(ServiceFormMixin, forms.Form):
    body = forms.CharField(label=_("your message"), required=False, widget=MESSAGE, strip=False)
