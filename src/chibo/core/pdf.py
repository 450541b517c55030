"""Printable documents: a Django template rendered to HTML, then to PDF by WeasyPrint.

Every print template extends `print/base.html` (A4, the official margins, "Trang x/y" at the
foot of each page, DejaVu Serif and Sans named by family so fontconfig finds Debian's
fonts-dejavu packages). Nothing is fetched from the network: WeasyPrint gets a URL fetcher
that answers only `data:` URLs, files shipped inside the chibo package, and `/static/…`
paths found by Django's static-files finders — anything else stops the rendering, so a
template that names an outside URL fails in the tests instead of calling out at run time
(docs/decisions.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/chibo
BASE_URL = PACKAGE_DIR.as_uri() + "/"


class RemoteResourceRefused(FatalURLFetchingError):
    """A print template asked for something that is not shipped with chibo."""


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that never opens a network connection."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = local_path(url)
            if path is not None:
                return URLFetcherResponse(url, path.read_bytes())
        raise RemoteResourceRefused(f"chibo prints only with its own files, not {url[:200]}")


def local_path(url: str) -> Path | None:
    """The file a `file:` URL names, when it is one of chibo's own (else None)."""
    raw = unquote(urlsplit(url).path)
    static_url = settings.STATIC_URL or "/static/"
    if raw.startswith(static_url):  # "/static/x.png" resolved against the base URL
        from django.contrib.staticfiles import finders

        found = finders.find(raw[len(static_url):])
        return Path(found) if isinstance(found, str) else None
    path = Path(url2pathname(raw)).resolve()
    if path.is_file() and path.is_relative_to(PACKAGE_DIR):
        return path
    return None


def render_html(html: str) -> bytes:
    """A PDF of an HTML string (links resolve inside the chibo package)."""
    pdf: bytes = HTML(string=html, base_url=BASE_URL, url_fetcher=LocalOnlyFetcher()).write_pdf()
    return pdf


def render(template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """A PDF of a print template (one that extends print/base.html)."""
    return render_html(render_to_string(template_name, context, request=request))
