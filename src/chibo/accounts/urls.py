from __future__ import annotations

from django.urls import path

from chibo.accounts import views

urlpatterns = [
    path("ma-api/", views.my_tokens, name="my-tokens"),
    path("ma-api/<int:pk>/thu-hoi/", views.my_token_revoke, name="my-token-revoke"),
]
