"""Response headers that keep a page to itself and nothing personal on the phone (issue 11,
points 7 and 8), and the sign-out that empties what the browser kept.

- Content-Security-Policy: scripts, styles, images and connections from the app only; no
  inline script or style anywhere (templates carry classes and data attributes; behaviour is in
  static/chibo/*.js), no plugins, no framing, forms post only to the app.
- Permissions-Policy: the browser features chibo never uses (camera, microphone, location,
  payment, USB …) are switched off for every page.
- Cache-Control: private, no-store on every response the app writes (pages, exports, PDFs,
  the API), so neither the browser's cache nor a proxy keeps a member's data; static assets
  are answered by WhiteNoise before this middleware and keep their long caching.
- Sign-out answers with Clear-Site-Data ("cache", "storage"): the browser drops its caches,
  the offline attendance queue in localStorage and the service worker. The page's script
  (static/chibo/chibo.js) first refuses to sign out while that queue holds unsent changes."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CONTENT_SECURITY_POLICY = "; ".join(f"{k} {v}" for k, v in CSP_DIRECTIVES.items())
# A PDF opened in the browser is shown by its built-in viewer, which some browsers embed as a
# plugin of the PDF's own address: `object-src 'none'` would leave the page blank there.
PDF_CONTENT_SECURITY_POLICY = "; ".join(
    f"{k} {v}" for k, v in CSP_DIRECTIVES.items() if k != "object-src")

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking",
))

NO_STORE = "private, no-store"
CLEAR_SITE_DATA = '"cache", "storage"'


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy, the Permissions-Policy and `Cache-Control: private,
    no-store` to every response the app writes (settings.MIDDLEWARE puts it after WhiteNoise,
    so static assets never pass through it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_pdf = response.get("Content-Type", "").startswith("application/pdf")
        response["Content-Security-Policy"] = PDF_CONTENT_SECURITY_POLICY if is_pdf else CONTENT_SECURITY_POLICY
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        response["Cache-Control"] = NO_STORE
        return response


class SignOutView(auth_views.LogoutView):
    """Django's sign-out (POST only), answering with Clear-Site-Data so the browser forgets
    what it kept for this site: the HTTP cache, the service worker's copies of attendance pages,
    and localStorage with the offline attendance queue (docs/decisions.md, "Sign-out empties
    the phone")."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
