"""The seller's sales pages. Mounted at the site root, next to the other seller pages under /sell/."""

from django.urls import path

from shipping import views

app_name = "shipping"
urlpatterns = [
    path("sell/sales/", views.sale_list, name="sale_list"),
    path("sell/sales/<int:pk>/", views.sale_detail, name="sale_detail"),
    path("sell/sales/<int:pk>/ship/", views.mark_shipped, name="mark_shipped"),
]
