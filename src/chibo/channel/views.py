"""Pages for the two-way channel: my questions and opinions (phone first), sending one (with
who will read it shown before it is sent), a thread with its messages, the reply and close
forms, and the staff inbox. Threads come only through chibo.access; writes only through
chibo.channel.services. An htmx request gets the fragment that changes from the same view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chibo import access
from chibo.channel import selectors, services
from chibo.channel.forms import ReplyForm, ThreadForm
from chibo.channel.models import Thread
from chibo.web.pages import paginate

INBOX_PAGE = 30


def _template(request: HttpRequest, page: str, fragment: str) -> str:
    return fragment if getattr(request, "htmx", False) and not request.htmx.boosted else page  # type: ignore[attr-defined]


def _oversees(user: Any) -> bool:
    """Does the user read threads they do not answer (commune staff over its cells, administrators)?"""
    return access.oversees_threads(user)


# --- My threads -----------------------------------------------------------------------------------

@login_required
def my_threads(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    staff = access.may_use_inbox(user)
    return render(request, "channel/my_threads.html", {
        "threads": selectors.my_threads(user), "can_send": bool(access.thread_recipients(user)),
        "staff": staff, "waiting": selectors.waiting(user) if staff else None})


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request: HttpRequest) -> HttpResponse:
    recipients = access.thread_recipients(request.user)
    if not recipients:
        raise PermissionDenied  # only a current member writes, to their own cell or commune
    form = ThreadForm(request.POST if request.method == "POST" else None, recipients=recipients,
                      initial={"kind": request.GET.get("kind") or Thread.Kind.QUESTION})
    if (thread := form.written(
            request, lambda: services.thread_create(actor=request.user, **form.thread_data()),
            lambda thread: _("Sent. You will be told here, under “Reminders”, when %(org)s answers.") % {"org": thread.organisation.name})) is not None:
        return redirect("thread", pk=thread.pk)
    readers = [(o, *access.thread_readers(o)) for o in recipients]
    return render(request, "channel/thread_form.html", {"form": form, "readers": readers},
                  status=400 if form.errors else 200)


# --- One thread -----------------------------------------------------------------------------------

def _context(request: HttpRequest, thread: Thread, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    answer, read = access.thread_readers(thread.organisation)
    return {
        "thread": thread, "thread_messages": selectors.messages(thread),
        "is_author": thread.author_id == user.pk, "can_answer": access.may_answer(user, thread),
        "can_take_part": access.may_take_part(user, thread), "answerers": answer, "overseers": read,
        "form": extra.pop("form", None) or ReplyForm(), **extra,
    }


@login_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = access.get_thread(request.user, pk)
    return render(request, "channel/thread.html", _context(request, thread))


@login_required
@require_POST
def thread_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's follow-up or an answer for the organisation; htmx gets the conversation back."""
    thread = access.get_thread(request.user, pk)
    if not access.may_take_part(request.user, thread):
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message = services.thread_reply(thread, actor=request.user, body=form.cleaned_data.get("body") or "")
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            done = _("Your answer was sent; %(name)s will be told.") % {"name": thread.author} if message.from_staff \
                else _("Your message was sent.")
            if getattr(request, "htmx", False):
                return render(request, "channel/_conversation.html", _context(request, thread, done=done))
            messages.success(request, done)
            return redirect("thread", pk=thread.pk)
    return render(request, _template(request, "channel/thread.html", "channel/_conversation.html"),
                  _context(request, thread, form=form), status=400)


@login_required
@require_POST
def thread_close(request: HttpRequest, pk: int) -> HttpResponse:
    thread = access.get_thread(request.user, pk)
    if not access.may_take_part(request.user, thread):
        raise PermissionDenied
    try:
        services.thread_close(thread, actor=request.user)
    except ValidationError as exc:
        error, done, status = exc.messages[0], "", 400
    else:
        error, done, status = "", _("The conversation is closed."), 200
    if getattr(request, "htmx", False):
        return render(request, "channel/_conversation.html", _context(request, thread, done=done, error=error),
                      status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("thread", pk=thread.pk)


# --- The staff inbox ------------------------------------------------------------------------------

@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Threads sent to the organisations the user answers for — waiting first, newest first —
    with how many wait; commune staff also read (not answer) those sent to their cells."""
    user: Any = request.user
    if not access.may_use_inbox(user):
        raise PermissionDenied
    orgs = access.inbox_orgs(user)
    oversees = _oversees(user)
    to = request.GET.get("to", "")
    if to not in ("mine", "others") or (to == "others" and not oversees):
        to = "mine" if orgs or not oversees else "others"
    status = request.GET.get("status", "")
    if status not in Thread.Status.values:
        status = ""
    page = paginate(request, selectors.inbox(user, answerable=to == "mine", status=status), INBOX_PAGE)
    return render(request, _template(request, "channel/inbox.html", "channel/_inbox_rows.html"), {
        "page": page, "to": to, "status": status, "statuses": Thread.Status.choices, "orgs": orgs,
        "oversees": oversees, "waiting": selectors.waiting(user)})
