from __future__ import annotations

from django.urls import path

from chibo.accounts import views

urlpatterns = [
    path("ma-api/", views.my_tokens, name="my-tokens"),
    path("ma-api/<int:pk>/thu-hoi/", views.my_token_revoke, name="my-token-revoke"),
    path("kich-hoat/", views.activate, name="activate"),
    path("tai-khoan/", views.account_list, name="accounts"),
    path("tai-khoan/<int:pk>/", views.account_detail, name="account"),
    path("tai-khoan/<int:pk>/vai-tro/", views.account_role_grant, name="account-role-grant"),
    path("tai-khoan/<int:pk>/vai-tro/<int:role_pk>/ket-thuc/", views.account_role_end, name="account-role-end"),
    path("tai-khoan/<int:pk>/<str:action>/", views.account_action, name="account-action"),
    path("tai-khoan/mo/<int:person_pk>/", views.account_create, name="account-create"),
    path("to-chuc/<str:code>/tai-khoan/", views.onboarding, name="onboarding"),
]
