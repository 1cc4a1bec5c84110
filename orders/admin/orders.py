"""Orders (with their lines, shipments and payments inline) and saved addresses."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin, ReadOnlyInline, admin_link
from core.templatetags.site_tags import money
from orders.errors import CancellationError
from orders.models import Address, Order, OrderLine, Payment, Shipment
from orders.services import cancel_order, retry_failed_refunds
from orders.states import RefundStatus


def _log_change(request, objects, message: str) -> None:
    if objects:
        LogEntry.objects.log_actions(request.user.pk, objects, CHANGE, change_message=message)


# --- Orders -------------------------------------------------------------------


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    verbose_name_plural = _("lines (what was sold, as it was then)")
    fields = ("title", "isbn13", "condition", "seller_name", "unit_price", "quantity", "line_total", "listing_link")
    readonly_fields = fields

    @admin.display(description=_("listing"))
    def listing_link(self, line):
        if line.listing_id is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:catalog_listing_change", args=[line.listing_id]), line.listing_id
        )


class OrderShipmentInline(ReadOnlyInline):
    model = Shipment
    fk_name = "order"
    verbose_name_plural = _("shipments (one per seller)")
    fields = ("shipment_link", "seller", "carrier", "status", "shipping_cost", "item_count", "tracking_number")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seller", "carrier")

    @admin.display(description=_("shipment"))
    def shipment_link(self, shipment):
        return admin_link(shipment, f"#{shipment.pk}")


class OrderPaymentInline(ReadOnlyInline):
    model = Payment
    verbose_name_plural = _("payment attempts")
    fields = (
        "payment_link",
        "status",
        "amount",
        "card_brand",
        "card_last4",
        "failure_message",
        "refunded_amount",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("payment"))
    def payment_link(self, payment):
        return admin_link(payment, f"#{payment.pk}")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "buyer", "status", "total_display", "ship_country", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("number", "buyer__email", "ship_full_name", "ship_city")
    list_select_related = ("buyer",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = [OrderLineInline, OrderShipmentInline, OrderPaymentInline]
    actions = ["cancel_and_refund", "retry_refunds"]
    view_on_site = False  # the site's order page is the buyer's own: staff would get a 404
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "buyer",
                    "status",
                    "language",
                    "created_at",
                    "expires_at",
                    "paid_at",
                    "cancelled_at",
                )
            },
        ),
        (_("Totals (parts not cancelled)"), {"fields": ("currency", "items_total", "shipping_total", "total")}),
        (
            _("Ship to"),
            {
                "fields": (
                    "ship_full_name",
                    "ship_line1",
                    "ship_line2",
                    "ship_city",
                    "ship_region",
                    "ship_postal_code",
                    "ship_country",
                    "ship_phone",
                )
            },
        ),
    )
    readonly_fields = [field for _title, options in fieldsets for field in options["fields"]]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("buyer")

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, order):
        return money(order.total)

    @admin.action(description=_("Cancel and refund the selected orders"), permissions=["change"])
    def cancel_and_refund(self, request, queryset):
        """Same effect as the buyer cancelling: stock back, shipments cancelled, payment refunded, emails."""
        cancelled, refused = [], []
        for order in queryset.order_by("pk"):
            try:
                cancel_order(order, by=request.user, by_staff=True)
            except CancellationError as error:
                refused.append(f"{order.number}: {error.message}")
            else:
                cancelled.append(order)
        _log_change(request, cancelled, "Cancelled and refunded from the admin.")
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "Cancelled %(count)d order: %(numbers)s.",
                    "Cancelled %(count)d orders: %(numbers)s.",
                    len(cancelled),
                )
                % {"count": len(cancelled), "numbers": ", ".join(o.number for o in cancelled)},
                messages.SUCCESS,
            )
        for refusal in refused:
            self.message_user(request, _("Not cancelled: %(reason)s") % {"reason": refusal}, messages.ERROR)

    @admin.action(description=_("Retry failed refunds of the selected orders"), permissions=["change"])
    def retry_refunds(self, request, queryset):
        succeeded = failed = 0
        for order in queryset.order_by("pk"):
            for refund in retry_failed_refunds(order):
                if refund.status == RefundStatus.SUCCEEDED:
                    succeeded += 1
                else:
                    failed += 1
        if not succeeded and not failed:
            self.message_user(request, _("No refund was waiting for a retry."), messages.INFO)
        if succeeded:
            self.message_user(
                request,
                ngettext("%(count)d refund went through.", "%(count)d refunds went through.", succeeded)
                % {"count": succeeded},
                messages.SUCCESS,
            )
        if failed:
            self.message_user(
                request,
                ngettext("%(count)d refund failed again.", "%(count)d refunds failed again.", failed)
                % {"count": failed},
                messages.ERROR,
            )


# --- Addresses ------------------------------------------------------------------


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("full_name", "user", "city", "country", "phone", "created_at")
    search_fields = ("full_name", "user__email", "city", "line1", "phone")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
