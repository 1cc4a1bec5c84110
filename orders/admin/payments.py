"""Payments, refunds and the simulated provider's ledger: read-only, with the refund retry action."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, ReadOnlyInline, admin_link
from core.templatetags.site_tags import money
from orders.models import GatewayTransaction, Payment, Refund

# --- Payments and refunds -------------------------------------------------------


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("amount", "status", "reason", "failure_message", "created_by", "created_at", "processed_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "order",
        "status",
        "amount_display",
        "card_brand",
        "card_last4",
        "refunded_amount",
        "created_at",
    )
    list_filter = ("status", "card_brand", "created_at")
    search_fields = ("order__number", "gateway_reference", "idempotency_key", "card_last4")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    inlines = [RefundInline]
    readonly_fields = (
        "order_link",
        "status",
        "amount",
        "currency",
        "card_brand",
        "card_last4",
        "gateway_reference",
        "idempotency_key",
        "failure_code",
        "failure_message",
        "refunded_amount",
        "created_at",
        "processed_at",
    )
    fields = readonly_fields

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payment):
        return money(payment.amount)

    @admin.display(description=_("order"))
    def order_link(self, payment):
        return admin_link(payment.order)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "order_number", "amount", "status", "reason", "created_by", "created_at", "processed_at")
    list_filter = ("status", "created_at")
    search_fields = ("payment__order__number", "gateway_reference", "idempotency_key")
    list_select_related = ("payment__order", "created_by")
    readonly_fields = (
        "payment_link",
        "amount",
        "status",
        "reason",
        "idempotency_key",
        "gateway_reference",
        "failure_code",
        "failure_message",
        "created_by",
        "created_at",
        "processed_at",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment__order", "created_by")

    @admin.display(description=_("order"), ordering="payment__order__number")
    def order_number(self, refund):
        return refund.payment.order.number

    @admin.display(description=_("payment"))
    def payment_link(self, refund):
        return admin_link(refund.payment, f"#{refund.payment_id} ({refund.payment.order.number})")


@admin.register(GatewayTransaction)
class GatewayTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The simulated provider's own ledger: what a real provider's dashboard would show."""

    list_display = ("reference", "kind", "amount", "currency", "succeeded", "failure_code", "card_last4", "created_at")
    list_filter = ("kind", "succeeded", "created_at")
    search_fields = ("reference", "idempotency_key")
    readonly_fields = (
        "kind",
        "reference",
        "idempotency_key",
        "amount",
        "currency",
        "succeeded",
        "failure_code",
        "failure_message",
        "card_brand",
        "card_last4",
        "charge",
        "refunded_amount",
        "created_at",
    )
    fields = readonly_fields
