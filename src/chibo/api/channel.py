"""The two-way channel (issue 5, point 7): a member's questions and opinions, the threads sent
to the organisations one answers for, a thread with its messages, a reply, closing.

The same rules as chibo.api.members: every thread comes through chibo.access (404 outside what
the user may read, 403 when the user reads it but may not write in it), input is checked field
by field (400 invalid), and a write is one service call (audited; an answer notifies the
member)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from chibo import access
from chibo.api.core import (
    PAGE,
    Bad,
    Empty,
    In,
    Moment,
    Q,
    choice,
    code,
    enum,
    field,
    invalid,
    page_of,
    paginated,
    responses,
)
from chibo.channel import rules, selectors, services
from chibo.channel.models import Message, Thread

router = Router(tags=["threads"])
BOXES = ["mine", "answer", "read"]


def message_text(max_length: int, description: str) -> Any:
    """A message as a JSON string. The service counts its length after Unicode normalisation
    (NFC) and says how long it may be; this only bounds what is read."""
    def parse_text(value: Any) -> Any:
        if value is None:
            return ""
        if not isinstance(value, str) or len(value) > 4 * max_length:
            raise Bad(_("Enter text (a JSON string) of at most %(n)s characters.") % {"n": max_length})
        return value
    return field(parse_text, {"type": "string", "maxLength": max_length, "description": description})


Body = message_text(rules.MAX_BODY, "the message (required, not empty)")


class ThreadOut(Schema):
    id: int
    kind: str = Field(json_schema_extra=enum(Thread.Kind.values))
    subject: str
    status: str = Field(description="new: waiting for an answer; answered; closed",
                        json_schema_extra=enum(Thread.Status.values))
    organisation: str = Field(alias="organisation.code", description="code of the organisation it is sent to")
    organisation_name: str = Field(alias="organisation.name")
    author: int = Field(alias="author_id", description="user id of the member who wrote it")
    author_name: str
    created_at: Moment
    last_at: Moment
    closed_at: Moment | None

    @staticmethod
    def resolve_author_name(t: Thread) -> str:
        return str(t.author)


class MessageOut(Schema):
    id: int
    from_staff: bool = Field(description="an answer for the organisation")
    author_name: str
    body: str
    created_at: Moment

    @staticmethod
    def resolve_author_name(m: Message) -> str:
        return str(m.author)


class ThreadDetail(ThreadOut):
    messages: list[MessageOut]
    can_answer: bool
    can_take_part: bool

    @staticmethod
    def resolve_messages(t: Thread) -> list[Message]:
        return list(selectors.messages(t))

    @staticmethod
    def resolve_can_answer(t: Thread, context: Any) -> bool:
        return access.may_answer(context["request"].user, t)

    @staticmethod
    def resolve_can_take_part(t: Thread, context: Any) -> bool:
        return access.may_take_part(context["request"].user, t)


class ThreadCreate(In):
    organisation: code("code of your cell or your commune")
    kind: choice(Thread.Kind.values)
    subject: message_text(rules.MAX_SUBJECT, "optional: the start of the body") = None
    body: Body


class MessageCreate(In):
    body: Body


class MessageResult(Schema):
    message: MessageOut
    thread: ThreadDetail


@router.get("threads/", response=responses(page_of(ThreadOut), 200, 400, 403), url_name="threads",
            summary="Threads, 25 a page: those you sent (box \"mine\", the default: answered first), those sent to the "
                    "organisations you answer for (\"answer\": waiting for an answer first) or those you may only read "
                    "(\"read\": a commune's staff reading its cells' threads)")
def thread_list(request: HttpRequest, box: str = Q("which threads", {"enum": BOXES}),
                status: str = Q("only those with this status", {"enum": Thread.Status.values}),
                page: str = PAGE) -> Any:
    user: Any = request.user
    box, status = box.strip() or "mine", status.strip()
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
    return paginated(page, qs)


@router.post("threads/", response=responses(ThreadDetail, 201, 400, 403), url_name="threads",
             summary="Send a question or an opinion to your own cell or your commune (\"organisation\": its code). "
                     "Your name goes with it; it is read by you, those who answer for that organisation, the commune "
                     "staff for a cell, and the administrators")
def thread_create(request: HttpRequest, payload: ThreadCreate) -> Any:
    user: Any = request.user
    recipients = access.thread_recipients(user)
    if not recipients:
        raise PermissionDenied
    data = payload.sent()
    thread = services.thread_create(
        actor=user, organisation=next((o for o in recipients if o.code == data["organisation"]), None),
        kind=data["kind"], subject=data.get("subject", ""), body=data.get("body", ""))
    return Status(201, access.get_thread(user, thread.pk))


@router.get("threads/{int:id}/", response=responses(ThreadDetail, 200, 404), url_name="thread",
            summary="A thread with all its messages, oldest first")
def thread_detail(request: HttpRequest, id: int) -> Any:
    return access.get_thread(request.user, id)


@router.post("threads/{int:id}/messages/", response=responses(MessageResult, 201, 400, 403, 404),
             url_name="thread-messages",
             summary="Add a message: the thread's author writes more (an answered thread waits again), those who "
                     "answer for the organisation answer (the thread is answered, its author notified). A closed "
                     "thread takes none")
def message_create(request: HttpRequest, id: int, payload: MessageCreate) -> Any:
    user: Any = request.user
    thread = access.get_thread(user, id)
    if not access.may_take_part(user, thread):
        raise PermissionDenied
    message = services.thread_reply(thread, actor=user, body=payload.body)
    saved = Message.objects.select_related("author__person").get(pk=message.pk)
    return Status(201, {"message": saved, "thread": access.get_thread(user, thread.pk)})


@router.post("threads/{int:id}/close/", response=responses(ThreadDetail, 200, 400, 403, 404),
             url_name="thread-close",
             summary="Close a thread (its author, or one who answers it); send an empty object")
def thread_close(request: HttpRequest, id: int, payload: Empty) -> Any:
    user: Any = request.user
    thread = access.get_thread(user, id)
    if not access.may_take_part(user, thread):
        raise PermissionDenied
    payload.sent()  # {}: any field is refused
    services.thread_close(thread, actor=user)
    return access.get_thread(user, thread.pk)
