# Placeholder routes: the seller inventory work replaces these views.
from django.urls import path
from django.views.generic import TemplateView

app_name = "sell"
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="inventory"),
]
