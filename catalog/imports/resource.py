"""The inventory as a file, through django-import-export: the same columns an import reads, in the same words.

An exported file imports back without any change: codes for condition, language, binding and status, the price
with a dot and two decimals, the ISBN-13 without hyphens and the shelf's name (an import accepts the name in
English or Spanish, or the slug). Archived listings are history and are not exported.
"""

import tablib
from django.db.models import QuerySet
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX

from catalog.imports.columns import COLUMNS
from catalog.models import Listing

EXPORT_FORMATS = {"csv": CSV, "xlsx": XLSX}


class ListingResource(resources.ModelResource):
    """The seller's listings, one row each, with their book's columns."""

    sku = fields.Field(attribute="sku", column_name="sku")
    isbn = fields.Field(attribute="book__isbn13", column_name="isbn")
    title = fields.Field(attribute="book__title", column_name="title")
    author = fields.Field(attribute="book__authors", column_name="author")
    condition = fields.Field(attribute="condition", column_name="condition")
    price = fields.Field(attribute="price", column_name="price")
    quantity = fields.Field(attribute="quantity", column_name="quantity")
    notes = fields.Field(attribute="condition_notes", column_name="notes")
    language = fields.Field(attribute="book__language", column_name="language")
    binding = fields.Field(attribute="book__binding", column_name="binding")
    category = fields.Field(column_name="category")
    status = fields.Field(attribute="status", column_name="status")

    class Meta:
        model = Listing
        fields = COLUMNS
        export_order = COLUMNS

    def dehydrate_isbn(self, listing: Listing) -> str:
        return listing.book.isbn13 or ""

    def dehydrate_price(self, listing: Listing) -> str:
        return f"{listing.price:.2f}"

    def dehydrate_quantity(self, listing: Listing) -> int:
        return listing.quantity

    def dehydrate_category(self, listing: Listing) -> str:
        return listing.book.category.name


def inventory_for_export(seller) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(seller=seller)
        .exclude(status=Listing.Status.ARCHIVED)
        .select_related("book", "book__category")
        .order_by("pk")
    )


def export_inventory(seller, fmt: str) -> bytes | str:
    """The seller's inventory as ``fmt`` ("csv" or "xlsx")."""
    dataset = ListingResource().export(queryset=inventory_for_export(seller))
    return EXPORT_FORMATS[fmt]().export_data(dataset)


SAMPLE_ROWS = [
    ["A-0001", "978-0-14-143951-8", "Middlemarch", "George Eliot", "Very Good", "12.50", "1",
     "Light pencil marks on the first pages.", "en", "paperback", "Fiction", "active"],
    ["A-0002", "0-06-088328-6", "One Hundred Years of Solitude", "Gabriel García Márquez", "Muy bueno", "18,00", "2",
     "", "inglés", "tapa blanda", "Ficción", ""],
    ["A-0003", "", "Notes of a village history society", "Anonymous", "good", "9", "1",
     "Privately printed; no ISBN.", "", "", "History", "draft"],
]  # fmt: skip


def template_file(fmt: str, *, sample: bool) -> bytes | str:
    """The columns' headings alone (the template) or with three example rows (the sample), as ``fmt``."""
    dataset = tablib.Dataset(headers=list(COLUMNS))
    if sample:
        for row in SAMPLE_ROWS:
            dataset.append(row)
    return EXPORT_FORMATS[fmt]().export_data(dataset)
