""""My account" (/tai-khoan-cua-toi/): one's own password, two-step sign-in, other sessions
and language; and the second step of signing in (/dang-nhap/ma-xac-thuc/)."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chibo.accounts import services, throttle, totp, twostep
from chibo.accounts.forms import LanguageForm, PasswordConfirmForm, TwoStepCodeForm, wait_text
from chibo.accounts.models import TwoStep, User


def remember_language(response: HttpResponse, user: Any) -> HttpResponse:
    """The person's chosen language also for this browser's next visits (the sign-in page too)."""
    if getattr(user, "language", ""):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=365 * 24 * 3600,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


# --- My account -------------------------------------------------------------------------------------

def _page(request: HttpRequest, *, password_form: PasswordChangeForm | None = None,
          disable_form: PasswordConfirmForm | None = None, renew_form: TwoStepCodeForm | None = None,
          status: int = 200) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ts = TwoStep.objects.filter(user=user).first()
    return render(request, "accounts/my_account.html", {
        "password_form": password_form or PasswordChangeForm(user),
        "language_form": LanguageForm(initial={"language": getattr(user, "language", "")}),
        "twostep": ts, "required": twostep.is_required(user),
        "recovery_left": twostep.recovery_left(user) if ts else 0,
        "disable_form": disable_form or PasswordConfirmForm(user=user),
        "renew_form": renew_form or TwoStepCodeForm(auto_id="renew_%s"),
    }, status=status)


@never_cache
@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def my_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, password_form=form, status=400)
    user = services.password_change(user=request.user, password=form.cleaned_data["new_password1"])  # type: ignore[arg-type]
    update_session_auth_hash(request, user)
    messages.success(request, _("Your password is changed. You stay signed in here; on other devices sign in again "
                                "with the new password. Your API tokens were revoked: create new ones if programs "
                                "need them."))
    return redirect("my-account")


@login_required
@require_POST
def my_sessions_end(request: HttpRequest) -> HttpResponse:
    ended = services.sessions_end_others(user=request.user, keep=request.session.session_key)  # type: ignore[arg-type]
    messages.success(request, _("Other devices and browsers signed out: %(n)d. You stay signed in here.")
                     % {"n": ended})
    return redirect("my-account")


@login_required
@require_POST
def my_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed languages."))
        return redirect("my-account")
    user = services.language_set(user=request.user, language=form.cleaned_data["language"])  # type: ignore[arg-type]
    translation.activate(user.language or settings.LANGUAGE_CODE)
    messages.success(request, _("The language is saved: chibo speaks it on every device you sign in on."))
    response = redirect("my-account")
    if user.language:
        return remember_language(response, user)
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


# --- Setting up two-step sign-in ------------------------------------------------------------------------

@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def twostep_setup(request: HttpRequest) -> HttpResponse:
    """The secret as a QR code and as text, then a current code to confirm; the recovery codes
    are shown once, on the answer to the confirmation."""
    user: User = request.user  # type: ignore[assignment]
    if twostep.is_enabled(user):
        messages.info(request, _("Two-step sign-in is already on for your account."))
        return redirect("my-account")
    secret = twostep.setup_secret(request)
    form = TwoStepCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = twostep.setup_confirm(user=user, secret=secret, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error("code", exc.message_dict["code"])
            else:
                request.session.pop(twostep.SESSION_SETUP, None)
                request.session[twostep.SESSION_VERIFIED] = True
                return render(request, "accounts/twostep_codes.html", {"codes": codes, "new": True})
    uri = totp.otpauth_uri(secret, account=user.username)
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", svgclass="qr", omitsize=True,
                                               title=_("QR code to scan with the authenticator app"))
    return render(request, "accounts/twostep_setup.html", {
        "form": form, "qr": mark_safe(qr), "secret": totp.grouped(totp.b32(secret)),  # noqa: S308 (segno's own SVG)
        "required": twostep.is_required(user), "account": user.username,
    }, status=status)


@login_required
@require_POST
def twostep_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, disable_form=form, status=400)
    twostep.disable(actor=request.user, user=request.user, keep_session=request.session.session_key)  # type: ignore[arg-type]
    request.session.pop(twostep.SESSION_VERIFIED, None)
    if twostep.is_required(request.user):
        messages.warning(request, _("Two-step sign-in is off. Your role needs it: set it up again now, on your new "
                                    "phone if you changed phones."))
        return redirect("twostep-setup")
    messages.success(request, _("Two-step sign-in is off: you sign in with your password only. Your other devices "
                                "were signed out."))
    return redirect("my-account")


@login_required
@require_POST
def twostep_recovery(request: HttpRequest) -> HttpResponse:
    form = TwoStepCodeForm(request.POST, auto_id="renew_%s")
    if form.is_valid():
        try:
            codes = twostep.recovery_renew(user=request.user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            return render(request, "accounts/twostep_codes.html", {"codes": codes, "new": False})
    return _page(request, renew_form=form, status=400)


# --- The second step of signing in ---------------------------------------------------------------------

def _code_wait_message(verdict: throttle.Verdict) -> str:
    if verdict.by_address:
        from chibo.accounts.forms import wait_message

        return wait_message(verdict)
    return _("Too many wrong codes for this account. Wait %(wait)s, then type the code the app shows then.") % {
        "wait": wait_text(verdict.wait_seconds)}


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    found = twostep.pending(request)
    if found is None:
        twostep.pending_end(request)
        messages.info(request, _("Sign in with your username and password first. If you had already typed them, "
                                 "more than 5 minutes went by: type them again."))
        return redirect("login")
    user, data = found
    form = TwoStepCodeForm(request.POST or None)
    status, retry = 200, 0
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ip = throttle.client_ip(request)
            key = f"2fa:{user.username}"
            verdict = throttle.attempt_start(key, ip)
            if verdict.wait_seconds:
                form.add_error(None, _code_wait_message(verdict))
                status, retry = 429, verdict.wait_seconds
            else:
                try:
                    kind = twostep.check_code(user=user, code=form.cleaned_data["code"])
                except twostep.CodeRefused as exc:
                    after = throttle.attempt_failed(key, ip)
                    text = str(exc)
                    if after.wait_seconds:
                        text = f"{text} {_code_wait_message(after)}"
                        status, retry = 429, after.wait_seconds
                    form.add_error("code", text)
                else:
                    throttle.attempt_succeeded(key, ip)
                    return _signed_in(request, user, data, kind)
    response = render(request, "registration/sign_in_code.html", {"form": form}, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    return response


def _signed_in(request: HttpRequest, user: User, data: dict[str, Any], kind: str) -> HttpResponse:
    twostep.pending_end(request)
    login(request, user, backend=data.get("backend") or settings.AUTHENTICATION_BACKENDS[0])
    request.session[twostep.SESSION_VERIFIED] = True
    if kind == "recovery":
        left = twostep.recovery_left(user)
        messages.warning(request, _("You signed in with a recovery code; it cannot be used again. Recovery codes "
                                    "left: %(n)d. On “My account” you can make new ones.") % {"n": left})
    next_url = str(data.get("next") or "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = settings.LOGIN_REDIRECT_URL
    return remember_language(redirect(next_url), user)
