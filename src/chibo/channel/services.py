"""Writes for the two-way channel. Each function is atomic, validates (a ValidationError
naming the field), writes, records the audit event and, for an answer, notifies the member.

What is audited: the fact of each message and its metadata (thread, kind, the organisation
it is sent to, author, status before and after, length) — never the subject or the text.
The audit trail is read by commune and province staff; members' questions can concern
sensitive matters and province staff do not read them (docs/decisions.md).

Who may call which function is decided by chibo.access (the views ask it first); the rules
that hold whoever calls are enforced here: a member writes only to their own cell or
commune, a member's message in their own thread is never an answer, a closed thread takes
no more messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from chibo.audit import services as audit
from chibo.channel import rules
from chibo.channel.models import Message, Thread
from chibo.core.text import nfc
from chibo.members.models import Membership
from chibo.notifications import services as notifications
from chibo.organisations.models import Organisation


def _body(value: str | None) -> str:
    body = nfc(value or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your message before sending it.")})
    if len(body) > rules.MAX_BODY:
        raise ValidationError({"body": _(
            "A message may have at most %(max)s characters; this one has %(n)s. Shorten it, or send the rest "
            "in a second message.") % {"max": rules.MAX_BODY, "n": len(body)}})
    return body


def _subject(value: str | None, body: str) -> str:
    subject = " ".join(nfc(value or "").split())
    if len(subject) > rules.MAX_SUBJECT:
        raise ValidationError({"subject": _("The subject may have at most %(max)s characters; this one has %(n)s. "
                                            "Shorten it: the message itself can be long.") % {
            "max": rules.MAX_SUBJECT, "n": len(subject)}})
    return subject or rules.subject_from(body)


def _repr(thread: Thread) -> str:
    """How the audit trail names a thread: its number and kind, never its subject."""
    return f"#{thread.pk} ({thread.kind})"


def _user_of(actor: Any) -> Any:
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError({"author": _("Only a signed-in member can write here.")})
    return actor


def recipients_of(actor: Any) -> list[Organisation]:
    """The active organisations this user may write to: their cell and their commune."""
    person_id = getattr(actor, "person_id", None)
    m = Membership.objects.filter(person_id=person_id, current=True).first() if person_id else None
    if m is None:
        return []
    ids = rules.recipient_ids(cell_id=m.cell_id, base_id=m.base_id, commune_id=m.commune_id)
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids, valid_to__isnull=True)}
    return [found[pk] for pk in ids if pk in found]


@transaction.atomic
def thread_create(*, actor: Any, organisation: Organisation | None, kind: str, body: str,
                  subject: str = "") -> Thread:
    """A member sends a question or an opinion to their own cell or their commune."""
    user = _user_of(actor)
    errors: dict[str, str] = {}
    if kind not in Thread.Kind.values:
        errors["kind"] = _("Choose whether you are asking a question or giving an opinion or suggestion.")
    allowed = recipients_of(user)
    if organisation is None or organisation.pk not in {o.pk for o in allowed}:
        errors["organisation"] = (
            _("Choose where to send it, from the list: %(names)s.") % {"names": "; ".join(o.name for o in allowed)}
            if allowed
            else _("Only a current party member can send a question, to their own cell or commune."))
    try:
        text = _body(body)
        title = _subject(subject, text)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert organisation is not None
    now = timezone.now()
    thread = Thread.objects.create(author=user, organisation=organisation, kind=kind, subject=title,
                                   status=Thread.Status.NEW, last_at=now)
    message = Message.objects.create(thread=thread, author=user, from_staff=False, body=text)
    audit.record(actor=user, action="create", obj=thread, object_repr=_repr(thread), org_path=organisation.path,
                 after={"kind": kind, "organisation_id": organisation.pk, "status": thread.status,
                        "message": message.pk, "length": len(text)})
    return thread


def _locked(thread: Thread) -> Thread:
    """The thread as it is now, locked until the transaction ends (two replies at once are
    applied one after the other, each to the status the other left)."""
    current = Thread.objects.select_for_update().get(pk=thread.pk)
    thread.status, thread.last_at, thread.closed_at = current.status, current.last_at, current.closed_at
    return thread


@transaction.atomic
def thread_reply(thread: Thread, *, actor: Any, body: str) -> Message:
    """A message in a thread. The thread's author writes as the member (an answered thread
    waits again); anyone else writes for the organisation — an answer, and the member is
    notified. Whether they may answer is chibo.access's question."""
    user = _user_of(actor)
    text = _body(body)
    _locked(thread)
    if thread.status == Thread.Status.CLOSED:
        raise ValidationError({"body": _("This conversation is closed, so nothing more can be added to it. "
                                         "To ask again, send a new question.")})
    from_staff = user.pk != thread.author_id
    before = thread.status
    thread.status = rules.status_after_message(before, from_staff=from_staff)
    thread.last_at = timezone.now()
    thread.save(update_fields=["status", "last_at"])
    message = Message.objects.create(thread=thread, author=user, from_staff=from_staff, body=text)
    audit.record(actor=user, action="thread_answer" if from_staff else "thread_reply", obj=thread,
                 object_repr=_repr(thread), org_path=thread.organisation.path,
                 before={"status": before}, after={"status": thread.status, "message": message.pk, "length": len(text)})
    if from_staff:
        _notify_answered(thread)
    return message


def _notify_answered(thread: Thread) -> None:
    with override(settings.LANGUAGE_CODE):
        title = _("%(org)s answered you") % {"org": thread.organisation.name}
        text = _("Read the answer to “%(subject)s”") % {"subject": thread.subject}
    notifications.notify([thread.author_id], kind="reply", key=f"thread:{thread.pk}", title=title,
                         lines=[{"text": text, "url": reverse("thread", args=[thread.pk]), "urgency": ""}])


@transaction.atomic
def thread_close(thread: Thread, *, actor: Any) -> Thread:
    """The member, or one who answers for the organisation, closes the thread."""
    user = _user_of(actor)
    _locked(thread)
    if thread.status == Thread.Status.CLOSED:
        raise ValidationError({"status": _("This conversation is already closed.")})
    before = thread.status
    thread.status = Thread.Status.CLOSED
    thread.closed_at = timezone.now()
    thread.closed_by = user
    thread.save(update_fields=["status", "closed_at", "closed_by"])
    audit.record(actor=user, action="thread_close", obj=thread, object_repr=_repr(thread),
                 org_path=thread.organisation.path, before={"status": before}, after={"status": thread.status})
    return thread
