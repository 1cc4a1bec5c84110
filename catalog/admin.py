"""Staff back office for the catalog: shelves, books, listings, photos and the report queue.

Listings change status only through the moderation actions (catalog.services.moderation),
so a hidden listing always has its reason and the status to return to. Other rows are
edited here directly, so these pages tell the catalog's page cache themselves
(CatalogRowAdmin); the services announce their own changes.

Titles, authors and report texts are searched with catalog.folding's unaccent_icontains,
so "marquez" finds "Márquez" on SQLite as on MariaDB (where it is plain icontains).
Shelf names are edited in every language side by side (catalog/translation.py).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from bookstore.templatetags.site_tags import money
from catalog.cache import catalog_changed
from catalog.isbn import normalize_isbn, try_normalize_isbn
from catalog.models import Appeal, Book, Category, Listing, ListingPhoto, Report
from catalog.search import forget_cached_categories
from catalog.services.moderation import (
    MAX_REASON_LENGTH,
    accept_appeal,
    dismiss_reports,
    hide_listing,
    reject_appeal,
    resolve_reports_by_hiding,
    unhide_listing,
)
from catalog.states import IllegalTransition


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


class CatalogRowAdmin(admin.ModelAdmin):
    """The admin of rows that catalog pages show: saving or deleting one here makes the cached catalog
    pages stale as soon as the admin's transaction commits, as the services do for their own changes."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        catalog_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        catalog_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        catalog_changed()


# --- Shelves and books ------------------------------------------------------


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


# --- Listings ---------------------------------------------------------------


class ListingPhotoInline(admin.TabularInline):
    model = ListingPhoto
    fields = ("preview", "position", "width", "height", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

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
        reason = _reason_from(request)
        if not reason:
            self.message_user(
                request,
                _("Type the reason for hiding in the “Reason” box next to the action menu. Nothing was changed."),
                messages.ERROR,
            )
            return
        if len(reason) > MAX_REASON_LENGTH:
            self.message_user(
                request, _("Keep the reason under %(max)d characters.") % {"max": MAX_REASON_LENGTH}, messages.ERROR
            )
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


# --- Reports: the moderation queue ------------------------------------------


class ReportStatusFilter(admin.SimpleListFilter):
    """Status filter that shows the open queue unless staff ask for something else."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, (self.ALL, _("All"))]

    def current(self) -> str:
        return self.value() or Report.Status.OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.current() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.current() == self.ALL:
            return queryset
        return queryset.filter(status=self.current())


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    action_form = ModerationActionForm
    actions = ["hide_and_resolve", "dismiss"]
    list_display = ("reported", "listing_link", "listing_status", "reason", "excerpt", "reporter", "status")
    list_display_links = ("reported",)
    list_filter = (ReportStatusFilter, "reason")
    search_fields = (
        "listing__book__title__unaccent_icontains",
        "listing__book__isbn13",
        "reporter__email",
        "text__unaccent_icontains",
    )
    list_select_related = ("listing__book", "reporter")
    date_hierarchy = "created_at"
    # Open reports first, the oldest at the top, so nothing waits forever.
    ordering = (Case(When(status=Report.Status.OPEN, then=Value(0)), default=Value(1)).asc(), "created_at")
    fields = (
        "listing_link",
        "listing_status",
        "reporter",
        "reason",
        "text",
        "created_at",
        "status",
        "resolved_at",
        "resolved_by",
        "resolution_note",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("listing__book", "reporter", "resolved_by")

    @staticmethod
    def _showing_open_queue(request) -> bool:
        return request.GET.get(ReportStatusFilter.parameter_name, Report.Status.OPEN) == Report.Status.OPEN

    def get_list_display(self, request):
        if self._showing_open_queue(request):
            return [name for name in self.list_display if name != "status"]
        return self.list_display

    def changelist_view(self, request, extra_context=None):
        title = _("Open reports to handle") if self._showing_open_queue(request) else _("Reports")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description=_("reported"), ordering="created_at")
    def reported(self, obj):
        return naturaltime(obj.created_at)

    def has_add_permission(self, request):
        return False  # buyers file reports from the listing page

    def has_change_permission(self, request, obj=None):
        # Reports change only through the queue's actions.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("listing"), ordering="listing__book__title")
    def listing_link(self, obj):
        return format_html(
            '<a href="{}">#{} {}</a>',
            reverse("admin:catalog_listing_change", args=[obj.listing_id]),
            obj.listing_id,
            obj.listing,
        )

    @admin.display(description=_("listing status"), ordering="listing__status")
    def listing_status(self, obj):
        return obj.listing.get_status_display()

    @admin.display(description=_("details"))
    def excerpt(self, obj):
        return Truncator(obj.text).chars(60)

    @admin.action(description=_("Hide the listing and resolve"), permissions=["change"])
    def hide_and_resolve(self, request, queryset):
        try:
            outcome = resolve_reports_by_hiding(queryset, request.user, _reason_from(request))
        except ValidationError as exc:
            self.message_user(
                request,
                _("%(error)s Type it in the “Reason” box next to the action menu. Nothing was changed.")
                % {"error": " ".join(exc.messages)},
                messages.ERROR,
            )
            return
        if not outcome.reports_resolved:
            self.message_user(request, _("None of the selected reports is open."), messages.WARNING)
            return
        self.message_user(
            request,
            _("%(listings)d listing(s) hidden and %(reports)d open report(s) resolved.")
            % {"listings": outcome.listings_hidden, "reports": outcome.reports_resolved},
            messages.SUCCESS,
        )

    @admin.action(description=_("Dismiss (keep the listing)"), permissions=["change"])
    def dismiss(self, request, queryset):
        try:
            count = dismiss_reports(queryset, request.user, note=_reason_from(request))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        if not count:
            self.message_user(request, _("None of the selected reports is open."), messages.WARNING)
            return
        self.message_user(
            request,
            ngettext("%(count)d report was dismissed.", "%(count)d reports were dismissed.", count) % {"count": count},
            messages.SUCCESS,
        )


# --- Appeals: sellers answering a hidden listing ------------------------------------


class AppealActionForm(ActionForm):
    note = forms.CharField(
        label=_("Note to the seller:"),
        required=False,
        widget=forms.TextInput(
            attrs={"size": 40, "placeholder": _("Required to keep it hidden; the seller sees it."), "maxlength": 2000}
        ),
    )


class AppealStatusFilter(ReportStatusFilter):
    """Shows the appeals waiting for an answer unless staff ask for something else."""

    def lookups(self, request, model_admin):
        return [*Appeal.Status.choices, (self.ALL, _("All"))]

    def current(self) -> str:
        return self.value() or Appeal.Status.OPEN


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    action_form = AppealActionForm
    actions = ["accept_selected", "reject_selected"]
    list_display = (
        "created_at",
        "listing_link",
        "listing_status",
        "seller",
        "hidden_reason_excerpt",
        "excerpt",
        "status",
    )
    list_display_links = ("created_at",)
    list_filter = (AppealStatusFilter,)
    search_fields = ("listing__book__title", "seller__email", "text")
    list_select_related = ("listing__book", "seller")
    ordering = ("created_at",)  # the oldest waiting appeal first
    fields = (
        "listing_link",
        "listing_status",
        "seller",
        "hidden_reason",
        "text",
        "created_at",
        "status",
        "resolved_at",
        "resolved_by",
        "staff_note",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # sellers appeal from their inventory

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Appeals change only through the actions.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("listing"), ordering="listing__book__title")
    def listing_link(self, obj):
        return format_html(
            '<a href="{}">#{} {}</a>',
            reverse("admin:catalog_listing_change", args=[obj.listing_id]),
            obj.listing_id,
            obj.listing.book.title,
        )

    @admin.display(description=_("listing status"), ordering="listing__status")
    def listing_status(self, obj):
        return obj.listing.get_status_display()

    @admin.display(description=_("reason for hiding"))
    def hidden_reason_excerpt(self, obj):
        return Truncator(obj.hidden_reason).chars(60)

    @admin.display(description=_("seller's message"))
    def excerpt(self, obj):
        return Truncator(obj.text).chars(60)

    def _answer(self, request, queryset, answer, done_message) -> None:
        note = request.POST.get("note", "").strip()
        done, refused = [], []
        for appeal in queryset.order_by("pk"):
            try:
                answer(appeal, request.user, note)
            except (ValidationError, IllegalTransition) as exc:
                refused.append(" ".join(getattr(exc, "messages", [str(exc)])))
            else:
                done.append(appeal)
        _log_change(request, done, f"{done_message}: {note}")
        if done:
            self.message_user(request, done_message, messages.SUCCESS)
        for message in dict.fromkeys(refused):
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("Accept: unhide the listing"), permissions=["change"])
    def accept_selected(self, request, queryset):
        self._answer(request, queryset, accept_appeal, _("Appeals accepted; their listings are unhidden."))

    @admin.action(description=_("Reject: keep the listing hidden"), permissions=["change"])
    def reject_selected(self, request, queryset):
        self._answer(request, queryset, reject_appeal, _("Appeals rejected; their listings stay hidden."))
