"""Staff back office for delivery: carriers and their rates (editable), and each shop's shipping settings.
Shipments are in the orders admin."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin import admin_link
from shipping.models import Carrier, Rate, ShopRate, ShopShipping
from shipping.quotes import forget_shop_terms
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


class ShopRateInline(admin.TabularInline):
    model = ShopRate
    extra = 0
    fields = ("carrier", "zone", "base", "per_extra_item")


@admin.register(ShopShipping)
class ShopShippingAdmin(admin.ModelAdmin):
    """Sellers set these on /sell/shipping/; staff see them, and may correct them."""

    list_display = ("shop", "shop_link", "handling_days", "carrier_names", "own_prices", "updated_at")
    list_select_related = ("shop",)
    search_fields = ("shop__name", "shop__owner__email")
    list_filter = ("handling_days", "carriers")
    filter_horizontal = ("carriers",)
    raw_id_fields = ("shop",)
    readonly_fields = ("updated_at",)
    inlines = [ShopRateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("carriers").annotate(own_price_total=Count("rates"))

    @admin.display(description=_("shop page"))
    def shop_link(self, settings):
        return admin_link(settings.shop)

    @admin.display(description=_("carriers used"))
    def carrier_names(self, settings):
        return ", ".join(carrier.name for carrier in settings.carriers.all())

    @admin.display(description=_("own prices"), ordering="own_price_total")
    def own_prices(self, settings):
        return settings.own_price_total

    # The pages before checkout read a shop's terms from the cache: forget them once a change is committed.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        forget_shop_terms(form.instance.shop_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_shop_terms(obj.shop_id)

    def delete_queryset(self, request, queryset):
        shop_ids = list(queryset.values_list("shop_id", flat=True))
        super().delete_queryset(request, queryset)
        for shop_id in shop_ids:
            forget_shop_terms(shop_id)
