"""`/healthz` for monitoring tools (uptime checks, Zabbix, a systemd timer with curl).

Answered by a middleware placed right after the security headers (settings.MIDDLEWARE), so:
- no sign-in, no session, no CSRF, no language negotiation: nothing it does reads a person;
- any Host header is accepted (a monitor on the server asks http://127.0.0.1:8000/healthz,
  which ALLOWED_HOSTS would refuse) — the answer builds no link from it; HTTPS redirection
  skips it too (settings.SECURE_REDIRECT_EXEMPT);
- it answers whatever state the database is in (unreachable, migrations missing), because it
  runs no view, template or context processor that would touch it.

The body is the same for everyone, wherever they ask from: the overall status and one fixed
word per check, e.g. `{"status": "failing", "failing": ["worker"], "checks": {"database": "ok",
"migrations": "ok", "worker": "stale", "disk": "ok"}}` — no personal data, no figures, no paths,
no error text (docs/decisions.md, "/healthz says which check fails, not why"). `chibo status` on
the server prints the figures. 200 when every check passes, 503 otherwise; never cached."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from chibo.operations import health

PATH = "/healthz"


def healthz(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response: HttpResponse = HttpResponseNotAllowed(["GET", "HEAD"])
    else:
        results = health.run_checks()
        failing = [r.name for r in results if not r.ok]
        body: dict[str, object] = {"status": "failing" if failing else "ok"}
        if failing:
            body["failing"] = failing
        body["checks"] = {r.name: r.state for r in results}
        response = JsonResponse(body, status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
