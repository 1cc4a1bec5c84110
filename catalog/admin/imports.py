"""Sellers' listings imports, read-only: status, counts, refused rows and what stopped a run."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import ImportRun
from core.admin import ReadOnlyAdminMixin, admin_link


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "original_name", "seller_link", "status", "rows_total", "applied_rows", "created_count",
        "updated_count", "unchanged_count", "refused_count", "created_at", "finished_at",
    )  # fmt: skip
    list_filter = ("status", "file_format", "whole_inventory")
    search_fields = ("original_name", "seller__email")
    date_hierarchy = "created_at"
    list_select_related = ("seller",)
    fields = (
        "seller_link", "original_name", "file_format", "whole_inventory", "status", "rows_total", "applied_rows",
        "created_count", "updated_count", "unchanged_count", "refused_count", "paused_count", "failure",
        "refused_rows", "created_at", "started_at", "finished_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("seller"), ordering="seller__email")
    def seller_link(self, obj):
        return admin_link(obj.seller)

    @admin.display(description=_("refused rows"))
    def refused_rows(self, obj):
        if not obj.row_errors:
            return "—"
        return format_html_join(
            "",
            "<p>{}: <code>{}</code> “{}” — {}</p>",
            ((e["line"], e["column"], e["value"], e["message"]) for e in obj.row_errors[:500]),
        )
