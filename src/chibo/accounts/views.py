"""Sign-in (throttled), activation with a one-time code, the signed-in person's own API tokens,
and the administration of accounts and roles by commune and province staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chibo import access
from chibo.accounts import services, throttle, tokens, twostep
from chibo.accounts.forms import (
    AccountSearchForm,
    ActivationForm,
    ApiTokenForm,
    RoleEndForm,
    RoleGrantForm,
    SignInForm,
    wait_message,
)
from chibo.accounts.mine import remember_language
from chibo.accounts.models import ActivationCode, RoleAssignment, SignInFailure, TwoStep, User
from chibo.core import pdf
from chibo.core.dates import today
from chibo.core.text import fold
from chibo.web.pages import paginate


class SignInView(auth_views.LoginView):
    """The password, throttled (SignInForm); an account with two-step sign-in is then not
    signed in yet: the code page (accounts/mine.py, `sign_in_code`) does that."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if twostep.is_enabled(user):
            twostep.pending_start(self.request, user, next_url=self.get_success_url())
            return redirect("sign-in-code")
        response = super().form_valid(form)
        return remember_language(response, user)

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


# --- Accounts administration (commune and province staff, administrators) ------------------------

def _role_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [(r.value, str(r.label)) for r in access.grantable_roles(request.user)]


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    """The accounts the user administers, searchable; page and fragment (#results)."""
    if not access.may_administer_accounts(request.user):
        raise Http404
    form = AccountSearchForm(request.GET or None)
    qs = access.accounts(request.user).select_related("person").annotate(
        twostep_on=Exists(TwoStep.objects.filter(user=OuterRef("pk"))))
    if form.is_valid():
        words = fold(form.cleaned_data["q"]).split()
        for word in words:
            qs = qs.filter(Q(username__icontains=word) | Q(person__search_name__contains=word))
        if form.cleaned_data["state"] == "active":
            qs = qs.filter(is_active=True)
        elif form.cleaned_data["state"] == "inactive":
            qs = qs.filter(is_active=False)
    page = paginate(request, qs.order_by("username"), 50)
    users = list(page.object_list)
    day = today()
    roles_of: dict[int, list[RoleAssignment]] = {}
    for ra in (RoleAssignment.objects.active_on(day).filter(user__in=users).select_related("organisation")
               .order_by("organisation__path")):
        roles_of.setdefault(ra.user_id, []).append(ra)
    failures = dict(SignInFailure.objects.filter(username__in=[throttle.username_key(u.username) for u in users])
                    .values_list("username").annotate(n=Count("id")).values_list("username", "n"))
    rows = [{"user": u, "roles": roles_of.get(u.pk, []), "failures": failures.get(throttle.username_key(u.username), 0)}
            for u in users]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    template = "accounts/_account_rows.html" if getattr(request, "htmx", False) else "accounts/account_list.html"
    return render(request, template, context)


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = access.get_account(request.user, pk)
    return _detail(request, account)


def _detail(request: HttpRequest, account: User, *, grant_form: RoleGrantForm | None = None,
            status: int = 200) -> HttpResponse:
    day = today()
    assignments = list(account.roles.select_related("organisation", "post").order_by("-valid_from", "-id"))
    membership = access.account_membership(request.user, account)  # None: no link to a page that would 404
    verdict_failures = SignInFailure.objects.filter(username=throttle.username_key(account.username)).count()
    context = {
        "account": account, "membership": membership, "day": day,
        "assignments": [(ra, ra.valid_from <= day and (ra.valid_to is None or ra.valid_to >= day)) for ra in assignments],
        "grant_form": grant_form or RoleGrantForm(organisations=access.organisations(request.user).filter(
            valid_to__isnull=True).order_by("path"), roles=_role_choices(request), initial={"valid_from": day}),
        "end_form": RoleEndForm(initial={"on": day}),
        "failures": verdict_failures,
        "tokens": account.api_tokens.filter(revoked_at__isnull=True).count(),
        "twostep": TwoStep.objects.filter(user=account).first(),
        "twostep_required": twostep.is_required(account),
        "open_code": ActivationCode.objects.filter(user=account, used_at__isnull=True, replaced_at__isnull=True,
                                                   expires_at__gt=timezone.now()).first(),
    }
    return render(request, "accounts/account_detail.html", context, status=status)


def _errors_text(exc: ValidationError) -> str:
    return " ".join(m for messages_ in exc.message_dict.values() for m in messages_) if hasattr(exc, "error_dict") \
        else " ".join(exc.messages)


@login_required
@require_POST
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Deactivate, reactivate, unlock, reset the password or the two-step sign-in of an account the
    user administers."""
    account = access.get_account(request.user, pk)
    try:
        if action == "deactivate":
            services.user_deactivate(actor=request.user, user=account)
            messages.success(request, _("The account %(u)s is closed: it can no longer sign in, and its sessions and "
                                        "tokens no longer work.") % {"u": account.username})
        elif action == "reactivate":
            services.user_reactivate(actor=request.user, user=account)
            messages.success(request, _("The account %(u)s is open again.") % {"u": account.username})
        elif action == "unlock":
            services.user_unlock(actor=request.user, user=account)
            messages.success(request, _("The failed sign-ins of %(u)s are forgotten: they may sign in again now.")
                             % {"u": account.username})
        elif action == "reset":
            code = services.password_reset(actor=request.user, user=account)
            return _code_page(request, account, code, reset=True)
        elif action == "twostep-reset":
            if twostep.disable(actor=request.user, user=account):
                messages.success(request, _("Two-step sign-in of %(u)s is reset and they are signed out: they sign "
                                            "in with their password only, and set it up again if their role needs "
                                            "it.") % {"u": account.username})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    return redirect("account", pk=account.pk)


def _code_page(request: HttpRequest, account: User, code: str, *, reset: bool) -> HttpResponse:
    return render(request, "accounts/account_code.html", {
        "account": account, "code": services.format_code(code), "reset": reset,
        "expires": timezone.localdate() + dt.timedelta(days=settings.CHIBO_ACTIVATION_DAYS),
        "address": request.build_absolute_uri(reverse("activate"))})


@login_required
@require_POST
def account_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Open an account for a member in the user's scope: a username and a one-time code, shown once."""
    person = access.get_account_person(request.user, person_pk)
    try:
        account, code = services.account_create_for_person(actor=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        existing = access.account_of_person(request.user, person)
        return redirect("account", pk=existing.pk) if existing else redirect("accounts")
    return _code_page(request, account, code, reset=False)


@login_required
@require_POST
def account_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    account = access.get_account(request.user, pk)
    organisations = access.organisations(request.user).filter(valid_to__isnull=True)
    chosen = request.POST.get("organisation", "")
    if chosen.isdigit() and not organisations.filter(pk=chosen).exists():
        raise Http404  # an organisation outside the user's scope: as if it did not exist
    form = RoleGrantForm(request.POST, organisations=organisations, roles=_role_choices(request))
    if form.is_valid():
        try:
            services.role_grant(actor=request.user, scope=access.scope_for(request.user), user=account,
                                organisation=form.cleaned_data["organisation"], role=form.cleaned_data["role"],
                                valid_from=form.cleaned_data["valid_from"], valid_to=form.cleaned_data["valid_to"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The role was granted."))
            return redirect("account", pk=account.pk)
    return _detail(request, account, grant_form=form, status=400)


@login_required
@require_POST
def account_role_end(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    account = access.get_account(request.user, pk)
    ra = access.get_account_role(request.user, account, role_pk)
    form = RoleEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the last day of the role (a date between 1900 and 2099)."))
        return redirect("account", pk=account.pk)
    try:
        services.role_end(actor=request.user, assignment=ra, on=form.cleaned_data["on"])
        messages.success(request, _("The role ends on %(day)s.") % {"day": form.cleaned_data["on"].strftime("%d/%m/%Y")})
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    return redirect("account", pk=account.pk)


# --- Activation: a one-time code from a slip or a reset, then the person's own password -----------

@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    form = ActivationForm(request.POST or None, initial={"username": request.GET.get("u", "")[:150]})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            username = form.cleaned_data["username"]
            ip = throttle.client_ip(request)
            key = f"kich-hoat:{username}"
            verdict = throttle.attempt_start(key, ip)
            if verdict.wait_seconds:
                form.add_error(None, wait_message(verdict))
                status = 429
            else:
                try:
                    user = services.activate(username=username, code=form.cleaned_data["code"],
                                             password=form.cleaned_data["password1"])
                except services.ActivationRefused as exc:
                    after = throttle.attempt_failed(key, ip)
                    form.add_error("code", f"{exc} {wait_message(after)}" if after.wait_seconds else str(exc))
                    if after.wait_seconds:
                        status = 429
                except ValidationError as exc:
                    throttle.attempt_succeeded(key, ip)  # the code was right; the password was weak
                    form.add_error("password1", exc)
                else:
                    throttle.attempt_succeeded(key, ip)
                    if twostep.is_enabled(user):  # the code sets the password, not the second step
                        twostep.pending_start(request, user, next_url="/")
                        messages.success(request, _("Your password is set. Now type the code from your "
                                                    "authenticator app to sign in."))
                        return redirect("sign-in-code")
                    login(request, user, backend="chibo.accounts.backends.PersonModelBackend")
                    messages.success(request, _("Your password is set and you are signed in. Next time, sign in "
                                                "with your username and this password."))
                    return redirect("/")
    response = render(request, "accounts/activate.html", {"form": form}, status=status)
    return response


# --- Onboarding at a cell meeting: slips with a username and a one-time code, 8 to an A4 page ----

@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest, code: str) -> HttpResponse:
    """The cell's members and their accounts; POST prints slips for those chosen (a PDF,
    made now and never stored: the codes are in it)."""
    org = access.get_onboarding_organisation(request.user, code)
    members_ = list(access.memberships(request.user).filter(organisation=org, current=True).select_related("person")
                    .order_by("sort_key"))
    accounts_ = access.onboarding_accounts(request.user, org, [m.person_id for m in members_])
    now = timezone.now()
    open_codes = set(ActivationCode.objects.filter(user__in=accounts_.values(), used_at__isnull=True,
                                                   replaced_at__isnull=True, expires_at__gt=now)
                     .values_list("user_id", flat=True))
    rows: list[dict[str, Any]] = []
    for m in members_:
        account = accounts_.get(m.person_id)
        if account is None:
            state = "none"
        elif not account.is_active:
            state = "closed"
        elif account.has_usable_password():
            state = "active"
        else:
            state = "waiting" if account.pk in open_codes else "expired"
        rows.append({"m": m, "account": account, "state": state})
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("person") if v.isdigit()}
        persons = [m.person for m, state in ((r["m"], r["state"]) for r in rows)
                   if m.person_id in chosen and state not in ("active", "closed")]
        if not persons:
            messages.error(request, _("Tick at least one member who has no account in use, then print again."))
            return redirect("onboarding", code=org.code)
        issued = services.onboard(actor=request.user, persons=persons)
        expires = timezone.localdate() + dt.timedelta(days=settings.CHIBO_ACTIVATION_DAYS)
        address = request.build_absolute_uri(reverse("activate"))
        slips = [{"user": u, "code": services.format_code(c)} for u, c in issued]
        data = pdf.render("accounts/slips_print.html", {"org": org, "slips": slips, "expires": expires,
                                                         "address": address})
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="phieu-tai-khoan-{org.code}.pdf"'
        return response
    return render(request, "accounts/onboarding.html", {"org": org, "rows": rows})
