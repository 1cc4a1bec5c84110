"""Listings and their photos; a listing's status changes only through the moderation actions."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.admin.common import (
    CatalogRowAdmin,
    ModerationActionForm,
    _log_change,
    _normalized_search_term,
    _thumbnail,
)
from catalog.models import Listing, ListingPhoto, Report
from catalog.services.moderation import MAX_REASON_LENGTH, hide_listing, unhide_listing
from catalog.states import IllegalTransition
from core.admin import ReadOnlyInline, required_reason
from core.templatetags.site_tags import money


class ListingPhotoInline(ReadOnlyInline):
    """Photos are the seller's: staff see them here and hide the listing rather than edit them."""

    model = ListingPhoto
    fields = ("preview", "position", "width", "height", "created_at")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj):
        if not obj.image:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', obj.image.url, _thumbnail(obj.thumbnail, _("Photo %(n)d") % {"n": obj.position + 1})
        )


class OpenReportsFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("open", _("Has open reports"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_reports__gt=0)
        return queryset


@admin.register(Listing)
class ListingAdmin(CatalogRowAdmin):
    action_form = ModerationActionForm
    actions = ["hide_selected", "unhide_selected"]
    list_display = (
        "id",
        "title",
        "seller",
        "condition",
        "price_display",
        "stock",
        "status",
        "published",
        "open_reports",
    )
    list_display_links = ("id", "title")
    list_filter = ("status", "condition", "book__category", OpenReportsFilter)
    search_fields = ("book__title__unaccent_icontains", "book__isbn13", "seller__email")
    search_help_text = _("Title, ISBN or the seller's email.")
    autocomplete_fields = ("book", "seller")
    list_select_related = ("book", "seller")
    date_hierarchy = "created_at"
    readonly_fields = (
        "status",
        "units_sold",
        "published_at",
        "hidden_reason",
        "hidden_at",
        "status_before_hidden",
        "appeals_list",
        "cover_preview",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("book", "seller", "condition", "condition_notes", "price", "quantity")}),
        (_("Status"), {"fields": ("status", "published_at", "units_sold", "cover_preview")}),
        (
            _("Moderation"),
            {
                "fields": ("hidden_reason", "hidden_at", "status_before_hidden", "appeals_list"),
                "description": _("Use the “Hide from the catalog” and “Unhide” actions on the listing list."),
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = [ListingPhotoInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("book", "seller")
            .annotate(open_reports=Count("reports", filter=Q(reports__status=Report.Status.OPEN)))
        )

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, _normalized_search_term(search_term))

    def has_delete_permission(self, request, obj=None):
        # Staff hide listings; sold ones are archived and kept for the orders that point at them.
        return False

    @admin.display(description=_("title"), ordering="book__title")
    def title(self, obj):
        return obj.book.title

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, obj):
        return money(obj.price)

    @admin.display(description=_("stock"), ordering="quantity")
    def stock(self, obj):
        return obj.quantity

    @admin.display(description=_("published"), ordering="published_at")
    def published(self, obj):
        return localtime(obj.published_at).date() if obj.published_at else None

    @admin.display(description=_("reports"), ordering="open_reports")
    def open_reports(self, obj):
        return obj.open_reports

    @admin.display(description=_("appeals"))
    def appeals_list(self, obj):
        """The seller's appeals, newest first; staff answer them from the appeal queue (its actions)."""
        appeals = list(obj.appeals.order_by("-created_at"))
        if not appeals:
            return "—"
        return format_html(
            '<ul class="appeals">{}</ul><p><a href="{}?listing__id__exact={}&status=all">{}</a></p>',
            format_html_join(
                "",
                "<li>{} · <strong>{}</strong>: {}{}</li>",
                (
                    (
                        localtime(appeal.created_at).date(),
                        appeal.get_status_display(),
                        appeal.text,
                        format_html(" — {}", appeal.staff_note) if appeal.staff_note else "",
                    )
                    for appeal in appeals
                ),
            ),
            reverse("admin:catalog_appeal_changelist"),
            obj.pk,
            _("Answer in the appeal queue"),
        )

    @admin.display(description=_("cover thumbnail"))
    def cover_preview(self, obj):
        return _thumbnail(obj.cover, _("Cover of %(title)s") % {"title": obj.book.title}, size=160)

    @admin.action(description=_("Hide from the catalog"), permissions=["change"])
    def hide_selected(self, request, queryset):
        reason = required_reason(self, request, MAX_REASON_LENGTH)
        if reason is None:
            return
        done, refused = [], []
        for listing in queryset.order_by("pk"):
            try:
                hide_listing(listing, request.user, reason)
            except IllegalTransition as exc:
                refused.append(str(exc))
            else:
                done.append(listing)
        _log_change(request, done, f"Hidden from the catalog: {reason}")
        if done:
            self.message_user(
                request,
                ngettext("%(count)d listing was hidden.", "%(count)d listings were hidden.", len(done))
                % {"count": len(done)},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Unhide (back to the status it had)"), permissions=["change"])
    def unhide_selected(self, request, queryset):
        done, refused = [], []
        for listing in queryset.order_by("pk"):
            try:
                unhide_listing(listing, request.user)
            except IllegalTransition as exc:
                refused.append(str(exc))
            else:
                done.append(listing)
        _log_change(request, done, "Unhidden")
        if done:
            self.message_user(
                request,
                ngettext("%(count)d listing was unhidden.", "%(count)d listings were unhidden.", len(done))
                % {"count": len(done)},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)


@admin.register(ListingPhoto)
class ListingPhotoAdmin(CatalogRowAdmin):
    """Read-only: photos change with their listing, whose cover depends on them."""

    list_display = ("preview", "listing", "position", "width", "height", "created_at")
    list_select_related = ("listing__book",)
    search_fields = ("listing__book__title__unaccent_icontains", "listing__seller__email")
    date_hierarchy = "created_at"
    fields = ("listing", "preview", "image", "thumbnail", "position", "width", "height", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def preview(self, obj):
        return _thumbnail(obj.thumbnail, str(obj))
