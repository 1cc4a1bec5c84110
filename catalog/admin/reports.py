"""The moderation queue: reports of listings, and sellers' appeals against a hidden listing."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.admin.common import ModerationActionForm, _log_change, _reason_from
from catalog.models import Appeal, Report
from catalog.services.moderation import accept_appeal, dismiss_reports, reject_appeal, resolve_reports_by_hiding
from catalog.states import IllegalTransition
from core.admin import admin_link


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


class ListingColumns:
    """The listing a report or an appeal is about: a link to its admin page, and its status."""

    @admin.display(description=_("listing"), ordering="listing__book__title")
    def listing_link(self, obj):
        return admin_link(obj.listing, f"#{obj.listing_id} {obj.listing}")

    @admin.display(description=_("listing status"), ordering="listing__status")
    def listing_status(self, obj):
        return obj.listing.get_status_display()


@admin.register(Report)
class ReportAdmin(ListingColumns, admin.ModelAdmin):
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
class AppealAdmin(ListingColumns, admin.ModelAdmin):
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
