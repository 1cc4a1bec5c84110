"""The site's pages about the API (the API itself is api/urls.py)."""

from django.urls import path

from api import views

app_name = "api"
urlpatterns = [
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke, name="token_revoke"),
    path("api/v1/docs/", views.docs, name="docs"),
]
