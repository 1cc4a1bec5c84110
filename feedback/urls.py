"""Feedback pages. Mounted at the site root, beside the shop, order and seller pages they belong to."""

from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("shops/<slug:slug>/feedback/", views.shop_feedback, name="shop"),
    path("orders/<str:number>/parts/<int:shipment_id>/feedback/", views.rate, name="rate"),
    path("sell/feedback/", views.seller_list, name="seller_list"),
    path("sell/feedback/<int:pk>/answer/", views.answer, name="answer"),
]
