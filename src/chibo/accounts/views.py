"""Sign-in (throttled) and the signed-in person's own API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chibo import access
from chibo.accounts import tokens
from chibo.accounts.forms import ApiTokenForm, SignInForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "wait_seconds", 0):
            response.status_code = 429
            response["Retry-After"] = str(form.wait_seconds)
        return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; POST creates one and shows it this once (never stored, never again)."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, plaintext = tokens.api_token_create(request.user, form.cleaned_data["name"],  # type: ignore[arg-type]
                                                   actor=request.user)
        created = {"token": token, "plaintext": plaintext}
        form = ApiTokenForm()
    items = list(access.own_api_tokens(request.user).order_by("-created_at", "-id"))
    return render(request, "accounts/tokens.html",
                  {"items": items, "form": form, "created": created, "now": timezone.now()},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def my_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = access.get_own_api_token(request.user, pk)
    tokens.api_token_revoke(token, actor=request.user, reason="by its owner")
    messages.success(request, _("The token %(prefix)s… was revoked: programs using it can no longer sign in "
                                "with it.") % {"prefix": token.prefix})
    return redirect("my-tokens")
