"""Routes of the JSON API, mounted at /api/v1/. Each route is one `endpoint` serving its
methods; the OpenAPI document (chibo.api.schema) is generated from this list."""

from __future__ import annotations

from django.urls import path

from chibo.api import channel as ch
from chibo.api import documents as doc
from chibo.api import meetings as mt
from chibo.api import plans as pl
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
    path("resolutions/", endpoint(GET=pl.resolution_list, POST=pl.resolution_create), name="resolutions"),
    path("resolutions/<int:id>/", endpoint(GET=pl.resolution_detail, PATCH=pl.resolution_update), name="resolution"),
    path("targets/", endpoint(GET=pl.target_list, POST=pl.target_create), name="targets"),
    path("targets/<int:id>/", endpoint(GET=pl.target_detail, PATCH=pl.target_update), name="target"),
    path("targets/<int:id>/measurements/", endpoint(GET=pl.measurement_list, POST=pl.measurement_create),
         name="measurements"),
    path("tasks/", endpoint(GET=pl.task_list, POST=pl.task_create), name="tasks"),
    path("tasks/<int:id>/", endpoint(GET=pl.task_detail, PATCH=pl.task_update), name="task"),
    path("tasks/<int:id>/updates/", endpoint(GET=pl.update_list, POST=pl.update_create), name="task-updates"),
    path("threads/", endpoint(GET=ch.thread_list, POST=ch.thread_create), name="threads"),
    path("threads/<int:id>/", endpoint(GET=ch.thread_detail), name="thread"),
    path("threads/<int:id>/messages/", endpoint(POST=ch.message_create), name="thread-messages"),
    path("threads/<int:id>/close/", endpoint(POST=ch.thread_close), name="thread-close"),
    path("documents/", endpoint(GET=doc.document_list, POST=doc.document_create), name="documents"),
    path("documents/<int:id>/", endpoint(GET=doc.document_detail, PATCH=doc.document_update), name="document"),
    path("documents/<int:id>/read/", endpoint(POST=doc.document_read), name="document-read"),
    path("documents/<int:id>/unread/", endpoint(GET=doc.unread_list), name="document-unread"),
    path("meetings/", endpoint(GET=mt.meeting_list, POST=mt.meeting_create), name="meetings"),
    path("meetings/<int:id>/", endpoint(GET=mt.meeting_detail, PATCH=mt.meeting_update), name="meeting"),
    path("meetings/<int:id>/publish/", endpoint(POST=mt.meeting_publish), name="meeting-publish"),
    path("meetings/<int:id>/attendance/", endpoint(POST=mt.attendance_create), name="meeting-attendance"),
    path("meetings/<int:id>/votes/", endpoint(POST=mt.vote_create), name="meeting-votes"),
    path("meetings/<int:id>/held/", endpoint(POST=mt.meeting_held), name="meeting-held"),
    path("organisations/<str:code>/meeting-gaps/", endpoint(GET=mt.meeting_gaps), name="meeting-gaps"),
    path("openapi.json", endpoint(public=True, GET=v.openapi), name="openapi"),
]
