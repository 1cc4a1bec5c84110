"""Shelves (categories, named in every language side by side) and books."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from catalog.admin.common import CatalogRowAdmin, _normalized_search_term
from catalog.isbn import normalize_isbn
from catalog.models import Book, Category
from catalog.search import forget_cached_categories


@admin.register(Category)
class CategoryAdmin(TranslationAdmin, CatalogRowAdmin):
    """Shelves, with their name in every language of the site side by side (catalog/translation.py).

    The plain TranslationAdmin: its tabbed variant loads jQuery UI from a CDN.
    """

    list_display = ("name", "slug", "position", "book_count")
    list_editable = ("position",)
    # Staff find a shelf by the name they know, in either language, whatever language the admin is in.
    search_fields = ("name_en", "name_es", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("position", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(book_count=Count("books"))

    @admin.display(description=_("books"), ordering="book_count")
    def book_count(self, obj):
        return obj.book_count

    # The catalog caches the shelf list; staff edits must show at once.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(forget_cached_categories)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(forget_cached_categories)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(forget_cached_categories)


class BookAdminForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = [
            "isbn13",
            "title",
            "authors",
            "publisher",
            "year",
            "language",
            "binding",
            "category",
            "description",
        ]

    def clean_isbn13(self):
        value = self.cleaned_data.get("isbn13")
        if not value:
            return None  # unique when present: several books may have none
        return normalize_isbn(value)


@admin.register(Book)
class BookAdmin(CatalogRowAdmin):
    form = BookAdminForm
    list_display = ("title", "authors", "isbn13", "category", "language", "binding", "year")
    list_filter = ("category", "language", "binding")
    search_fields = ("title__unaccent_icontains", "authors__unaccent_icontains", "isbn13")
    search_help_text = _("Title, author or ISBN (10 or 13 digits, hyphens allowed).")
    autocomplete_fields = ("category",)
    list_select_related = ("category",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at")

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, _normalized_search_term(search_term))
