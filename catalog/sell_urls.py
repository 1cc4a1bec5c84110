"""The seller's pages under /sell/ (the shop set-up page, /sell/shop/, belongs to accounts)."""

from django.urls import path

from catalog.views import bulk, imports, sell

app_name = "sell"
urlpatterns = [
    path("", sell.inventory, name="inventory"),
    path("bulk/", bulk.inventory_bulk, name="inventory_bulk"),
    path("isbn/", sell.isbn_lookup, name="isbn_lookup"),
    path("listings/new/", sell.listing_create, name="listing_create"),
    path("listings/<int:pk>/edit/", sell.listing_edit, name="listing_edit"),
    path("listings/<int:pk>/photos/", sell.listing_photos, name="listing_photos"),
    path("listings/<int:pk>/photos/<int:photo_pk>/move/", sell.photo_move, name="photo_move"),
    path("listings/<int:pk>/photos/<int:photo_pk>/delete/", sell.photo_delete, name="photo_delete"),
    path("listings/<int:pk>/publish/", sell.listing_publish, name="listing_publish"),
    path("listings/<int:pk>/pause/", sell.listing_pause, name="listing_pause"),
    path("listings/<int:pk>/resume/", sell.listing_resume, name="listing_resume"),
    path("listings/<int:pk>/delete/", sell.listing_delete, name="listing_delete"),
    path("listings/<int:pk>/appeal/", sell.listing_appeal, name="listing_appeal"),
    path("import/", imports.import_page, name="import"),
    path("import/files/<str:kind>.<str:fmt>", imports.import_file, name="import_file"),
    path("import/<int:pk>/", imports.import_run, name="import_run"),
    path("import/<int:pk>/status/", imports.import_run_status, name="import_run_status"),
    path("import/<int:pk>/apply/", imports.import_apply, name="import_apply"),
    path("import/<int:pk>/resume/", imports.import_resume, name="import_resume"),
    path("export/inventory.<str:fmt>", imports.inventory_export, name="inventory_export"),
]
