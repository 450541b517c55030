from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("chibo.api.urls")),
    path("", include("chibo.quality.urls")),
    path("", include("chibo.exchange.urls")),
    path("", include("chibo.plans.urls")),
    path("", include("chibo.tasks.urls")),
    path("", include("chibo.notifications.urls")),
    path("", include("chibo.plans.export_urls")),
    path("", include("chibo.documents.urls")),
    path("", include("chibo.channel.urls")),
    path("", include("chibo.meetings.offline_urls")),
    path("", include("chibo.meetings.urls")),
    path("", include("chibo.lifecycle.urls")),
    path("", include("chibo.recruitment.urls")),
    path("", include("chibo.recruitment.export_urls")),
    path("", include("chibo.accounts.urls")),
    path("", include("chibo.web.urls")),
]

handler400 = "chibo.web.errors.bad_request"
handler403 = "chibo.web.errors.permission_denied"
handler404 = "chibo.web.errors.page_not_found"
handler500 = "chibo.web.errors.server_error"
