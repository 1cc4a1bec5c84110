from django.urls import path

from catalog.views import book, browse, detail, shop

app_name = "catalog"
urlpatterns = [
    path("books/", browse.browse, name="browse"),
    path("books/suggest/", book.suggest, name="suggest"),
    path("books/work/<int:pk>/", book.book_page, name="book"),
    path("books/<int:pk>/", detail.listing_detail, name="listing"),
    path("books/<int:pk>/report/", detail.report, name="report"),
    path("shops/<slug:slug>/", shop.shop_page, name="shop"),
]
