"""The seller's shipping settings, mounted at /sell/shipping/ beside the other seller pages."""

from django.urls import path

from shipping import views

app_name = "shop_shipping"
urlpatterns = [
    path("", views.shop_shipping, name="settings"),
]
