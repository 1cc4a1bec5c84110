"""Staff's side of want lists: find a buyer's wants, saved searches and matches; pause or delete them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, admin_link
from wants.models import Match, SavedSearch, Want


@admin.register(Want)
class WantAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "min_condition", "max_price", "country", "paused", "created_at")
    list_filter = ("paused", "min_condition", "any_edition", "created_at")
    search_fields = ("user__email", "isbn13", "title", "author")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("words", "key_word", "site_language", "created_at")
    date_hierarchy = "created_at"


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("q", "user", "query", "paused", "created_at")
    list_filter = ("paused", "created_at")
    search_fields = ("user__email", "q")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("key_word", "site_language", "created_at")


@admin.register(Match)
class MatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "listing_link", "want", "saved_search", "price", "seen_at", "emailed_at")
    list_filter = (("emailed_at", admin.EmptyFieldListFilter), ("seen_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("user__email", "listing__book__title", "listing__book__isbn13")
    list_select_related = ("user", "listing__book", "want", "saved_search")
    date_hierarchy = "created_at"

    @admin.display(description=_("listing"))
    def listing_link(self, obj):
        return admin_link(obj.listing)
