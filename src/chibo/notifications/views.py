"""A person's reminders and their reminder setting. Reminders belong to the person they were
written for; nobody else sees them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo.notifications import services
from chibo.notifications.forms import PreferenceForm
from chibo.notifications.models import Notification, Preference, default_soon_days


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    pref = Preference.objects.filter(user=user).first()
    initial = {"due_soon_days": pref.due_soon_days if pref else default_soon_days(), "daily": pref.daily if pref else True}
    form = PreferenceForm(request.POST or None, initial=initial)
    if form.written(
            request, lambda: services.set_preference(request.user, **form.cleaned_data),
            _("Your reminder setting was saved.")) is not None:
        return redirect("notifications")
    items = list(Notification.objects.filter(user=user).order_by("-day", "-id")[:30])
    unread = [n.pk for n in items if n.read_at is None]
    if unread and request.method == "GET":
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "notifications/list.html", {"items": items, "unread": set(unread), "form": form},
                  status=400 if form.errors else 200)
