"""Shipments with their timelines (read-only).

A shipment's status changes only through ``orders.services.shipments`` (the seller ships, the carrier
simulator moves it, a cancellation stops it), so its page here is for looking.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, ReadOnlyInline, admin_link
from core.templatetags.site_tags import money
from orders.models import OrderLine, Shipment, ShipmentEvent


class ShipmentEventInline(ReadOnlyInline):
    model = ShipmentEvent
    verbose_name_plural = _("tracking timeline")
    fields = ("happened_at", "status", "what_happened", "where")
    readonly_fields = fields

    @admin.display(description=_("description"))
    def what_happened(self, event):
        return event.display_description

    @admin.display(description=_("location"))
    def where(self, event):
        return event.place


class ShipmentLineInline(ReadOnlyInline):
    model = OrderLine
    fk_name = "shipment"
    verbose_name_plural = _("books in this parcel")
    fields = ("title", "isbn13", "condition", "unit_price", "quantity", "line_total")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "order",
        "seller",
        "carrier",
        "status",
        "tracking_number",
        "cost_display",
        "item_count",
        "created_at",
    )
    list_filter = ("status", "carrier", "created_at")
    search_fields = ("order__number", "tracking_number", "seller__email", "seller__shop__name")
    list_select_related = ("order", "seller", "carrier")
    date_hierarchy = "created_at"
    inlines = [ShipmentLineInline, ShipmentEventInline]
    view_on_site = False
    readonly_fields = (
        "order_link",
        "seller",
        "carrier",
        "status",
        "tracking_number",
        "shipping_cost",
        "item_count",
        "origin_city",
        "origin_country",
        "created_at",
        "status_changed_at",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "seller", "carrier")

    @admin.display(description=_("shipping cost"), ordering="shipping_cost")
    def cost_display(self, shipment):
        return money(shipment.shipping_cost)

    @admin.display(description=_("order"))
    def order_link(self, shipment):
        return admin_link(shipment.order)
