from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    # Ahead of allauth's own URL of the same path (bookstore/urls.py includes this module first).
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/email/resend-confirmation/", views.resend_confirmation, name="resend_confirmation"),
    path("sell/shop/", views.shop_edit, name="shop_edit"),
    path("sell/vacation/", views.vacation, name="vacation"),
    path("sell/vacation/end/", views.vacation_end, name="vacation_end"),
]
