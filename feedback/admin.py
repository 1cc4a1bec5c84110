"""Staff's side of feedback: find it, hide abusive feedback with a reason (the seller sees it was removed), undo.

Feedback is only ever created by buyers through the website; here it is read, hidden or shown again, always
through ``feedback.services`` so the shop's summary follows.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin, admin_link, required_reason
from feedback.models import Feedback
from feedback.services import FeedbackError, hide_feedback, unhide_feedback

MAX_REASON_LENGTH = 255


class HideActionForm(ActionForm):
    """The action bar with a box for the reason, which hiding requires."""

    reason = forms.CharField(
        label=_("Reason:"),
        required=False,
        widget=forms.TextInput(
            attrs={"size": 40, "placeholder": _("Why? Required to hide; the seller sees it."), "maxlength": 1000}
        ),
    )


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    action_form = HideActionForm
    actions = ["hide_selected", "unhide_selected"]
    list_display = ("created_at", "shop_link", "buyer", "stars", "excerpt", "answered", "is_hidden")
    list_filter = ("is_hidden", "stars", ("answered_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("shop__name", "shop__slug", "buyer__email", "comment", "shipment__order__number")
    list_select_related = ("shop", "buyer")
    date_hierarchy = "created_at"
    fields = (
        "shipment_link",
        "shop_link",
        "buyer",
        "stars",
        "comment",
        "created_at",
        "updated_at",
        "answer",
        "answered_at",
        "is_hidden",
        "hidden_reason",
        "hidden_by",
        "hidden_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shop", "buyer", "hidden_by", "shipment__order")

    @admin.display(description=_("shop"), ordering="shop__name")
    def shop_link(self, obj):
        return admin_link(obj.shop)

    @admin.display(description=_("shipment"))
    def shipment_link(self, obj):
        return admin_link(obj.shipment, obj.shipment.order.number)

    @admin.display(description=_("buyer's comment"))
    def excerpt(self, obj):
        return obj.comment[:80] + ("…" if len(obj.comment) > 80 else "")

    @admin.display(description=_("answered"), boolean=True)
    def answered(self, obj):
        return obj.answered_at is not None

    def _log(self, request, objects, message: str) -> None:
        if objects:
            LogEntry.objects.log_actions(request.user.pk, objects, CHANGE, change_message=message)

    @admin.action(description=_("Hide from public view (with the reason)"), permissions=["change"])
    def hide_selected(self, request, queryset):
        reason = required_reason(self, request, MAX_REASON_LENGTH)
        if reason is None:
            return
        done = []
        for feedback in queryset.filter(is_hidden=False).order_by("pk"):
            try:
                done.append(hide_feedback(feedback, request.user, reason))
            except FeedbackError as error:
                self.message_user(request, error.message, messages.WARNING)
        self._log(request, done, f"Hidden: {reason}")
        self.message_user(
            request,
            ngettext("%(count)d feedback was hidden.", "%(count)d feedback were hidden.", len(done))
            % {"count": len(done)},
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description=_("Show again in public"), permissions=["change"])
    def unhide_selected(self, request, queryset):
        done = [unhide_feedback(feedback, request.user) for feedback in queryset.filter(is_hidden=True).order_by("pk")]
        self._log(request, done, "Shown again")
        self.message_user(
            request,
            ngettext("%(count)d feedback is public again.", "%(count)d feedback are public again.", len(done))
            % {"count": len(done)},
            messages.SUCCESS if done else messages.WARNING,
        )
