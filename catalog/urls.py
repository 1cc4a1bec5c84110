# Placeholder routes: the catalog work replaces these views.
from django.urls import path
from django.views.generic import TemplateView

app_name = "catalog"
urlpatterns = [
    path("books/", TemplateView.as_view(template_name="base.html"), name="browse"),
    path("books/<int:pk>/", TemplateView.as_view(template_name="base.html"), name="listing"),
    path("shops/<slug:slug>/", TemplateView.as_view(template_name="base.html"), name="shop"),
]
