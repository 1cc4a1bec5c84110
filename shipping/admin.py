"""Staff back office for delivery: carriers and their rates (editable), shipments with their timelines (read-only).

A shipment's status changes only through ``shipping.services`` (the seller ships, the carrier simulator
moves it, a cancellation stops it), so its page here is for looking.
"""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.templatetags.site_tags import money
from orders.admin import ReadOnlyAdminMixin, ReadOnlyInline, admin_link
from orders.models import OrderLine
from shipping.models import Carrier, Rate, Shipment, ShipmentEvent
from shipping.services import forget_routes


class RateInline(admin.TabularInline):
    model = Rate
    extra = 1
    fields = ("origin_country", "destination_country", "base", "per_extra_item")


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "scope", "active", "typical_delivery", "rate_count")
    list_filter = ("scope", "active")
    list_editable = ("active",)
    search_fields = ("name", "code")
    inlines = [RateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rate_total=Count("rates"))

    # Listing and cart pages read the routes from the cache: forget them once a change is committed.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        transaction.on_commit(forget_routes)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(forget_routes)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(forget_routes)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(forget_routes)

    def get_readonly_fields(self, request, obj=None):
        # The code prefixes tracking numbers already issued: it stays once the carrier has carried parcels.
        if obj is None:
            return ()
        if not hasattr(obj, "_carried_parcels"):  # the admin asks several times per page
            obj._carried_parcels = obj.shipments.exists()
        return ("code",) if obj._carried_parcels else ()

    @admin.display(description=_("typical delivery time"), ordering="max_days")
    def typical_delivery(self, carrier):
        return carrier.delivery_time

    @admin.display(description=_("rates"), ordering="rate_total")
    def rate_count(self, carrier):
        return carrier.rate_total


class ShipmentEventInline(ReadOnlyInline):
    model = ShipmentEvent
    verbose_name_plural = _("tracking timeline")
    fields = ("happened_at", "status", "what_happened", "location")
    readonly_fields = fields

    @admin.display(description=_("description"))
    def what_happened(self, event):
        return event.display_description


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
