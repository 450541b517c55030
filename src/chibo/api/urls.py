"""Routes of the JSON API, mounted at /api/v1/. Each route is one `endpoint` serving its
methods; the OpenAPI document (chibo.api.schema) is generated from this list."""

from __future__ import annotations

from django.urls import path

from chibo.api import views as v
from chibo.api.auth import endpoint

app_name = "api"

urlpatterns = [
    path("organisations/", endpoint(GET=v.organisation_list), name="organisations"),
    path("organisations/<str:code>/", endpoint(GET=v.organisation_detail), name="organisation"),
    path("organisations/<str:code>/indicators/", endpoint(GET=v.organisation_indicators), name="indicators"),
    path("members/", endpoint(GET=v.member_list, POST=v.member_create), name="members"),
    path("members/<int:id>/", endpoint(GET=v.member_detail, PATCH=v.member_update), name="member"),
    path("members/<int:id>/events/", endpoint(POST=v.member_event_create), name="member-events"),
    path("localities/", endpoint(GET=v.locality_list), name="localities"),
    path("localities/<str:code>/", endpoint(GET=v.locality_detail), name="locality"),
    path("posts/", endpoint(GET=v.post_list, POST=v.post_create), name="posts"),
    path("posts/<int:id>/", endpoint(GET=v.post_detail, PATCH=v.post_update), name="post"),
    path("openapi.json", endpoint(public=True, GET=v.openapi), name="openapi"),
]
