from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/profile/", views.profile, name="profile"),
    path("sell/shop/", views.shop_edit, name="shop_edit"),
]
