"""The JSON API's handlers for the two-way channel (issue 5, point 7): a member's questions
and opinions, the threads sent to the organisations one answers for, a thread with its
messages, a reply, closing.

The same rules as chibo.api.views: every thread comes through chibo.access (404 outside what
the user may read, 403 when the user reads it but may not write in it), input types are
checked field by field (400 invalid), and a write is one service call (audited; an answer
notifies the member). The component schemas are at the end (`schemas()`, read by
chibo.api.schema)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from chibo import access
from chibo.api.auth import ok
from chibo.api.schema import INT, STR, _null, _obj, _page_of, _ref
from chibo.api.serializers import datetime_iso
from chibo.api.views import Bad, Param, Parser, choice, code, doc, invalid, paginated, parse
from chibo.channel import rules, selectors, services
from chibo.channel.models import Message, Thread

BOXES = ["mine", "answer", "read"]
PAGE = Param("page", "page number, from 1", {"type": "integer", "minimum": 1})


def message_text(max_length: int) -> Parser:
    """A message as a JSON string. The service counts its length after Unicode normalisation
    (NFC) and says how long it may be; this only bounds what is read."""
    def parse_text(value: Any) -> Any:
        if value is None:
            return ""
        if not isinstance(value, str) or len(value) > 4 * max_length:
            raise Bad(_("Enter text (a JSON string) of at most %(n)s characters.") % {"n": max_length})
        return value
    return parse_text


THREAD_CREATE_SPEC: dict[str, Parser] = {
    "organisation": code, "kind": choice(Thread.Kind.values), "subject": message_text(rules.MAX_SUBJECT),
    "body": message_text(rules.MAX_BODY),
}
MESSAGE_SPEC: dict[str, Parser] = {"body": message_text(rules.MAX_BODY)}


# --- Serialisation -------------------------------------------------------------------------------

def thread_to_dict(t: Thread) -> dict[str, Any]:
    """select_related: organisation, author__person."""
    return {
        "id": t.pk,
        "kind": t.kind,
        "subject": t.subject,
        "status": t.status,
        "organisation": t.organisation.code,
        "organisation_name": t.organisation.name,
        "author": t.author_id,
        "author_name": str(t.author),
        "created_at": datetime_iso(t.created_at),
        "last_at": datetime_iso(t.last_at),
        "closed_at": datetime_iso(t.closed_at),
    }


def message_to_dict(m: Message) -> dict[str, Any]:
    """select_related: author__person."""
    return {
        "id": m.pk,
        "from_staff": m.from_staff,
        "author_name": str(m.author),
        "body": m.body,
        "created_at": datetime_iso(m.created_at),
    }


def _thread_response(user: Any, pk: int, status: int = 200, **extra: Any) -> HttpResponse:
    thread = access.get_thread(user, pk)
    body = {**thread_to_dict(thread), "messages": [message_to_dict(m) for m in selectors.messages(thread)],
            "can_answer": access.may_answer(user, thread), "can_take_part": access.may_take_part(user, thread)}
    return ok({**extra, "thread": body} if extra else body, status=status)


# --- Handlers ------------------------------------------------------------------------------------

@doc("Threads, 25 a page: those you sent (box \"mine\", the default: answered first), those sent to the "
     "organisations you answer for (\"answer\": waiting for an answer first) or those you may only read "
     "(\"read\": a commune's staff reading its cells' threads)", "threads", "ThreadList", errors=(400, 401, 403),
     query=(Param("box", "which threads", {"type": "string", "enum": BOXES}),
            Param("status", "only those with this status", {"type": "string", "enum": Thread.Status.values}),
            PAGE))
def thread_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    box = request.GET.get("box", "").strip() or "mine"
    status = request.GET.get("status", "").strip()
    if box not in BOXES:
        raise invalid("box", _("Give one of: %(choices)s.") % {"choices": ", ".join(BOXES)})
    if status and status not in Thread.Status.values:
        raise invalid("status", _("Give one of: %(choices)s.") % {"choices": ", ".join(Thread.Status.values)})
    if box == "mine":
        qs = selectors.answers_first(selectors.with_people(access.threads(user).filter(author_id=user.pk)))
        if status:
            qs = qs.filter(status=status)
    else:
        if not access.may_use_inbox(user):
            raise PermissionDenied
        qs = selectors.inbox(user, answerable=box == "answer", status=status)
    return ok(paginated(request, qs, lambda rows: [thread_to_dict(t) for t in rows]))


@doc("Send a question or an opinion to your own cell or your commune (\"organisation\": its code). Your name "
     "goes with it; it is read by you, those who answer for that organisation, the commune staff for a cell, "
     "and the administrators", "threads", "ThreadDetail", status=201, body="ThreadCreate", errors=(400, 401, 403))
def thread_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    recipients = access.thread_recipients(user)
    if not recipients:
        raise PermissionDenied
    data = parse(request.json, THREAD_CREATE_SPEC, ("organisation", "kind"))  # type: ignore[attr-defined]
    thread = services.thread_create(
        actor=user, organisation=next((o for o in recipients if o.code == data["organisation"]), None),
        kind=data["kind"], subject=data.get("subject", ""), body=data.get("body", ""))
    return _thread_response(user, thread.pk, status=201)


@doc("A thread with all its messages, oldest first", "threads", "ThreadDetail")
def thread_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _thread_response(request.user, id)


@doc("Add a message: the thread's author writes more (an answered thread waits again), those who answer for "
     "the organisation answer (the thread is answered, its author notified). A closed thread takes none", "threads",
     "MessageResult", status=201, body="MessageCreate", errors=(400, 401, 403, 404))
def message_create(request: HttpRequest, id: int) -> HttpResponse:
    user: Any = request.user
    thread = access.get_thread(user, id)
    if not access.may_take_part(user, thread):
        raise PermissionDenied
    data = parse(request.json, MESSAGE_SPEC, ("body",))  # type: ignore[attr-defined]
    message = services.thread_reply(thread, actor=user, body=data["body"])
    saved = Message.objects.select_related("author__person").get(pk=message.pk)
    return _thread_response(user, thread.pk, status=201, message=message_to_dict(saved))


@doc("Close a thread (its author, or one who answers it); send an empty object", "threads", "ThreadDetail",
     body="ThreadClose", errors=(400, 401, 403, 404))
def thread_close(request: HttpRequest, id: int) -> HttpResponse:
    user: Any = request.user
    thread = access.get_thread(user, id)
    if not access.may_take_part(user, thread):
        raise PermissionDenied
    parse(request.json, {})  # type: ignore[attr-defined]
    services.thread_close(thread, actor=user)
    return _thread_response(user, thread.pk)


# --- OpenAPI component schemas -----------------------------------------------------------------

def schemas() -> dict[str, Any]:
    when = {**STR, "format": "date-time"}
    thread = {
        "id": INT, "kind": {**STR, "enum": Thread.Kind.values}, "subject": STR,
        "status": {**STR, "enum": Thread.Status.values,
                   "description": "new: waiting for an answer; answered; closed"},
        "organisation": {**STR, "description": "code of the organisation it is sent to"}, "organisation_name": STR,
        "author": {**INT, "description": "user id of the member who wrote it"}, "author_name": STR,
        "created_at": when, "last_at": when, "closed_at": _null(when),
    }
    message = _obj({"id": INT, "from_staff": {"type": "boolean", "description": "an answer for the organisation"},
                    "author_name": STR, "body": STR, "created_at": when})
    body = {**STR, "maxLength": rules.MAX_BODY, "description": "the message (required, not empty)"}
    return {
        "Thread": _obj(thread),
        "ThreadList": _page_of("Thread"),
        "Message": message,
        "ThreadDetail": _obj({**thread, "messages": {"type": "array", "items": _ref("Message")},
                              "can_answer": {"type": "boolean"}, "can_take_part": {"type": "boolean"}}),
        "ThreadCreate": _obj({
            "organisation": {**STR, "maxLength": 32, "description": "code of your cell or your commune"},
            "kind": {**STR, "enum": Thread.Kind.values},
            "subject": {**STR, "maxLength": rules.MAX_SUBJECT, "description": "optional: the start of the body"},
            "body": body}, ["organisation", "kind", "body"], additionalProperties=False),
        "MessageCreate": _obj({"body": body}, ["body"], additionalProperties=False),
        "MessageResult": _obj({"message": _ref("Message"), "thread": _ref("ThreadDetail")}, ["message", "thread"]),
        "ThreadClose": _obj({}, additionalProperties=False),
    }
