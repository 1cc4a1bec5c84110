# Placeholder routes: the accounts work replaces these views.
from django.urls import path
from django.views.generic import TemplateView

app_name = "accounts"
urlpatterns = [
    path("accounts/profile/", TemplateView.as_view(template_name="base.html"), name="profile"),
    path("sell/shop/", TemplateView.as_view(template_name="base.html"), name="shop_edit"),
]
