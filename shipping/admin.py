"""Staff back office for delivery: carriers and their rates (editable). Shipments are in the orders admin."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from shipping.models import Carrier, Rate
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
