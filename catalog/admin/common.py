"""What the catalog's admin pages share: the action bar with a reason, thumbnails, the change log, ISBN search
and CatalogRowAdmin, which tells the page cache of every save and delete."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.isbn import try_normalize_isbn
from catalog.models import Book, Listing, ListingPhoto


class ModerationActionForm(ActionForm):
    """The action bar with a box for the reason, which the hiding actions require."""

    reason = forms.CharField(
        label=_("Reason:"),
        required=False,
        # No max_length here: an invalid action form makes the admin answer "No action selected";
        # the service explains an over-long reason instead.
        widget=forms.TextInput(
            attrs={"size": 40, "placeholder": _("Why? Required to hide; the seller sees it."), "maxlength": 2000}
        ),
    )


def _reason_from(request) -> str:
    return request.POST.get("reason", "").strip()


def _thumbnail(image_field, alt: str, size: int = 80):
    if not image_field:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px;object-fit:contain">',
        image_field.url,
        alt,
        size,
        size,
    )


def _log_change(request, objects, message: str) -> None:
    if objects:
        LogEntry.objects.log_actions(request.user.pk, objects, CHANGE, change_message=message)


def _normalized_search_term(search_term: str) -> str:
    """An ISBN typed any way (0-14-044913-7) becomes the stored ISBN-13; other terms stay as typed."""
    return try_normalize_isbn(search_term) or search_term


def _books_of(objects) -> set[int]:
    """The books whose figures (catalog.models.BookStats) rows of these kinds may change."""
    books = set()
    for obj in objects:
        if isinstance(obj, Book):
            books.add(obj.pk)
        elif isinstance(obj, Listing):
            books.add(obj.book_id)
        elif isinstance(obj, ListingPhoto):
            books.add(obj.listing.book_id)
    return books


class CatalogRowAdmin(admin.ModelAdmin):
    """The admin of rows that catalog pages show: saving or deleting one here makes the cached catalog
    pages stale as soon as the admin's transaction commits, and writes the figures of the books concerned again
    in that transaction, as the services do for their own changes."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        books = _books_of([obj])
        if isinstance(obj, Listing) and form is not None and form.initial.get("book"):
            books.add(form.initial["book"])  # the book it was a copy of before
        refresh_book_stats(books)
        catalog_changed()

    def delete_model(self, request, obj):
        books = _books_of([obj])
        super().delete_model(request, obj)
        refresh_book_stats(books)
        catalog_changed()

    def delete_queryset(self, request, queryset):
        books = _books_of(queryset)
        super().delete_queryset(request, queryset)
        refresh_book_stats(books)
        catalog_changed()
