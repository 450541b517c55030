from __future__ import annotations

from django.urls import path

from chibo.documents import views

urlpatterns = [
    path("van-ban/", views.document_list, name="documents"),
    path("van-ban/cua-toi/", views.my_documents, name="my-documents"),
    path("van-ban/moi/", views.document_create, name="document-create"),
    path("van-ban/<int:pk>/", views.document_detail, name="document"),
    path("van-ban/<int:pk>/sua/", views.document_edit, name="document-edit"),
    path("van-ban/<int:pk>/tep/", views.document_file, name="document-file"),
    path("van-ban/<int:pk>/da-doc/", views.document_read, name="document-read"),
    path("van-ban/<int:pk>/chua-doc/", views.document_unread, name="document-unread"),
    path("hoc-tap/", views.session_list, name="study-sessions"),
    path("hoc-tap/moi/", views.session_create, name="study-session-create"),
    path("hoc-tap/<int:pk>/", views.session_detail, name="study-session"),
    path("hoc-tap/<int:pk>/sua/", views.session_edit, name="study-session-edit"),
    path("hoc-tap/<int:pk>/thu-hoach/", views.session_reflection, name="study-reflection"),
]
