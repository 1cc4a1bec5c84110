"""The seller's sales pages. Mounted at the site root, next to the other seller pages under /sell/.

The namespace stays "shipping" (``shipping:sale_detail``...), the names templates, emails and bookmarks know.
"""

from django.urls import path

from orders.views import earnings, price_help
from orders.views import sales as views

app_name = "shipping"
urlpatterns = [
    path("sell/sales/", views.sale_list, name="sale_list"),
    path("sell/sales/slips/", views.packing_slips, name="packing_slips"),
    path("sell/sales/<int:pk>/", views.sale_detail, name="sale_detail"),
    path("sell/sales/<int:pk>/slip/", views.packing_slip, name="packing_slip"),
    path("sell/sales/<int:pk>/ship/", views.mark_shipped, name="mark_shipped"),
    path("sell/sales/export/", earnings.sales_export, name="sales_export"),
    path("sell/earnings/", earnings.earnings, name="earnings"),
    path("sell/price-help/", price_help.price_help, name="price_help"),
]
