"""A form is sent once (issue 14 point 6; docs/decisions.md, "A form carries a one-time token").

Every form that writes renders `{% submit_token %}`: a hidden `submit_token`, a fresh uuid at
each rendering. The first POST that carries it claims it in the database (one row, shared by
every worker); a second POST with the same token — a double tap, a browser or a person retrying
on a weak signal — is not passed to the view: it waits (a few seconds at most) for the first
to finish and is sent where the first one was sent, with a calm message. A first POST that was
refused (4xx, 5xx) frees its token, so the same form sent again is read again. POSTs without a
token (the API, the offline attendance sync with its own revisions) are not touched."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

from django import template
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from chibo.web.models import FormSubmission

FIELD = "submit_token"
KEEP = dt.timedelta(days=1)  # a token older than this is forgotten (and its form long closed)
WAIT_SECONDS = 8.0  # how long a second tap waits for the first to finish
POLL_SECONDS = 0.25

register = template.Library()


@register.simple_tag
def submit_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())


def _token(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except (ValueError, AttributeError):
        return None


def _claim(token: uuid.UUID, user: Any) -> bool:
    """True if this request is the first with the token."""
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        return False
    return True


def _first(token: uuid.UUID) -> FormSubmission | None:
    """The finished first submission; None if it was refused (its token freed)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = FormSubmission.objects.filter(token=token).first()
        if row is None or row.done or time.monotonic() >= deadline:
            return row
        time.sleep(POLL_SECONDS)


def _again(request: HttpRequest, row: FormSubmission) -> HttpResponse:
    messages.info(request, _("This form had already been sent; it was saved once, not twice."))
    if getattr(request, "htmx", False):
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    target = row.location
    if not target:
        referer = request.META.get("HTTP_REFERER", "")
        ok = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
        target = referer if ok else request.path
    return HttpResponseRedirect(target)


class SubmitOnceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        self.finish(request, response)
        return response

    def process_view(self, request: HttpRequest, view: object, args: object, kwargs: object) -> HttpResponse | None:
        # After CsrfViewMiddleware.process_view: a forged POST was refused before it claims anything.
        if request.method != "POST" or not request.user.is_authenticated or FIELD not in request.POST:
            return None
        token = _token(request)
        if token is None:
            return None
        for _attempt in range(3):
            if _claim(token, request.user):
                FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
                request._submit_token = token  # type: ignore[attr-defined]
                return None
            row = _first(token)
            if row is not None:
                if row.user_id != request.user.pk:
                    return None  # not this person's token: nothing to protect, nothing to show
                return _again(request, row)
        return None

    @staticmethod
    def finish(request: HttpRequest, response: HttpResponse) -> None:
        token = getattr(request, "_submit_token", None)
        if token is None:
            return
        # Written: a redirect after the write, or an HTMX fragment showing it. A full page
        # answered 200 to a POST is the form again with its errors, and 4xx/5xx refused it:
        # the token is freed and the same form, sent again, is read again.
        status = response.status_code
        if 300 <= status < 400 or (getattr(request, "htmx", False) and 200 <= status < 300):
            location = response.get("Location", "") if status >= 300 else ""
            FormSubmission.objects.filter(token=token).update(done=True, location=location[:500])
        else:
            FormSubmission.objects.filter(token=token).delete()
