"""The seller's sales pages. Mounted at the site root, next to the other seller pages under /sell/.

The namespace stays "shipping" (``shipping:sale_detail``...), the names templates, emails and bookmarks know.
"""

from django.urls import path

from orders.views import price_help
from orders.views import sales as views

app_name = "shipping"
urlpatterns = [
    path("sell/sales/", views.sale_list, name="sale_list"),
    path("sell/sales/<int:pk>/", views.sale_detail, name="sale_detail"),
    path("sell/sales/<int:pk>/ship/", views.mark_shipped, name="mark_shipped"),
    path("sell/price-help/", price_help.price_help, name="price_help"),
]
