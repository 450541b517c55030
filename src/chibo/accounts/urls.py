from __future__ import annotations

from django.urls import path

from chibo.accounts import mine, views

urlpatterns = [
    path("ma-api/", views.my_tokens, name="my-tokens"),
    path("ma-api/<int:pk>/thu-hoi/", views.my_token_revoke, name="my-token-revoke"),
    path("kich-hoat/", views.activate, name="activate"),
    path("dang-nhap/ma-xac-thuc/", mine.sign_in_code, name="sign-in-code"),
    path("tai-khoan-cua-toi/", mine.my_account, name="my-account"),
    path("tai-khoan-cua-toi/mat-khau/", mine.my_password, name="my-password"),
    path("tai-khoan-cua-toi/dang-xuat-noi-khac/", mine.my_sessions_end, name="my-sessions-end"),
    path("tai-khoan-cua-toi/ngon-ngu/", mine.my_language, name="my-language"),
    path("tai-khoan-cua-toi/xac-thuc-hai-buoc/", mine.twostep_setup, name="twostep-setup"),
    path("tai-khoan-cua-toi/xac-thuc-hai-buoc/tat/", mine.twostep_disable, name="twostep-disable"),
    path("tai-khoan-cua-toi/xac-thuc-hai-buoc/ma-du-phong/", mine.twostep_recovery, name="twostep-recovery"),
    path("tai-khoan/", views.account_list, name="accounts"),
    path("tai-khoan/<int:pk>/", views.account_detail, name="account"),
    path("tai-khoan/<int:pk>/vai-tro/", views.account_role_grant, name="account-role-grant"),
    path("tai-khoan/<int:pk>/vai-tro/<int:role_pk>/ket-thuc/", views.account_role_end, name="account-role-end"),
    path("tai-khoan/<int:pk>/<str:action>/", views.account_action, name="account-action"),
    path("tai-khoan/mo/<int:person_pk>/", views.account_create, name="account-create"),
    path("to-chuc/<str:code>/tai-khoan/", views.onboarding, name="onboarding"),
]
