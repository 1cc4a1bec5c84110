"""Claim pages, mounted at /claims/."""

from django.urls import path

from claims import views

app_name = "claims"
urlpatterns = [
    path("new/<int:shipment_id>/", views.open_claim, name="open"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.claim_action, name="action"),
]
