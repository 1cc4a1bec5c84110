"""Sellers' earnings in the back office: fee rates per category, the ledger (read-only) and payouts.

A payout is added here (staff mark money as sent); ``orders.services.earnings.send_payout`` writes it and its
ledger entry, refusing more than the seller's available balance. Nothing here changes an entry or a payout.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, admin_link
from core.templatetags.site_tags import money
from orders.errors import PayoutError
from orders.models import FeeRate, LedgerEntry, Payout
from orders.services.earnings import balances, send_payout


@admin.register(FeeRate)
class FeeRateAdmin(admin.ModelAdmin):
    """Rates that replace the default fee (MARKETPLACE_FEE_PERCENT) for one category's books, from the next order."""

    list_display = ("category", "percent", "updated_at")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    search_fields = ("category__name_en", "category__name_es")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "created_at", "seller", "kind", "amount_display", "order_number", "refund_id", "payout_id")
    list_filter = ("kind", "created_at")
    search_fields = ("seller__email", "shipment__order__number", "description")
    list_select_related = ("seller", "shipment__order")
    date_hierarchy = "created_at"
    readonly_fields = (
        "seller",
        "kind",
        "amount",
        "description",
        "shipment_link",
        "refund_link",
        "payout_link",
        "created_at",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seller", "shipment__order", "refund", "payout")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, entry):
        return money(entry.amount)

    @admin.display(description=_("order"), ordering="shipment__order__number")
    def order_number(self, entry):
        return entry.shipment.order.number if entry.shipment_id else "—"

    @admin.display(description=_("shipment"))
    def shipment_link(self, entry):
        return admin_link(entry.shipment)

    @admin.display(description=_("refund"))
    def refund_link(self, entry):
        return admin_link(entry.refund)

    @admin.display(description=_("payout"))
    def payout_link(self, entry):
        return admin_link(entry.payout)


class PayoutForm(forms.ModelForm):
    """Staff mark a payout as sent: at most the seller's available balance (checked again when written)."""

    class Meta:
        model = Payout
        fields = ("seller", "amount", "reference")

    # Set by PayoutAdmin on the form it shows again when the write refused what this form had accepted.
    refused: str = ""

    def clean(self):
        cleaned = super().clean()
        if self.refused:
            self.add_error(None, self.refused)
        seller, amount = cleaned.get("seller"), cleaned.get("amount")
        if seller is not None and amount is not None:
            if amount <= 0:
                self.add_error("amount", _("A payout must be more than zero."))
            elif amount > balances(seller).available:
                self.add_error(
                    "amount",
                    _("A payout can be at most the available balance (%(available)s).")
                    % {"available": money(balances(seller).available)},
                )
        return cleaned


class PayoutRefused(Exception):
    """send_payout refused a payout its form had accepted: another payout took the balance in between."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    form = PayoutForm
    list_display = ("id", "created_at", "seller", "amount_display", "reference", "created_by")
    list_filter = ("created_at",)
    search_fields = ("seller__email", "reference")
    list_select_related = ("seller", "created_by")
    autocomplete_fields = ("seller",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return ("seller", "amount", "reference", "created_by", "created_at") if obj else ()

    def get_fields(self, request, obj=None):
        return ("seller", "amount", "reference", "created_by", "created_at") if obj else PayoutForm.Meta.fields

    def has_change_permission(self, request, obj=None):
        # Sent is sent: a payout's page only shows it, as its ledger entry is never changed either.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PayoutRefused as refused:
            # The add ran in one transaction, now rolled back: the form again, with what was typed and the reason.
            request.payout_refused = refused.message
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refused = getattr(request, "payout_refused", "")
        return type(form.__name__, (form,), {"refused": refused}) if refused else form

    def save_model(self, request, obj, form, change):
        try:
            payout = send_payout(obj.seller, obj.amount, request.user, obj.reference)
        except PayoutError as error:  # the balance changed between the form's check and the write
            raise PayoutRefused(error.message) from error
        obj.pk, obj.created_by, obj.created_at = payout.pk, payout.created_by, payout.created_at
        obj._state.adding = False

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payout):
        return money(payout.amount)
