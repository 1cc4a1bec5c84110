from django.urls import path

from catalog.views import browse, detail, shop

app_name = "catalog"
urlpatterns = [
    path("books/", browse.browse, name="browse"),
    path("books/<int:pk>/", detail.listing_detail, name="listing"),
    path("books/<int:pk>/report/", detail.report, name="report"),
    path("shops/<slug:slug>/", shop.shop_page, name="shop"),
]
