"""Staff read any conversation (when a claim needs it) and never change one."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, ReadOnlyInline, admin_link
from messaging.models import Block, Message, Thread


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "author", "body")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "subject", "buyer", "seller", "created_at", "last_message_at")
    list_filter = ("subject",)
    search_fields = ("title", "buyer__email", "seller__email", "shipment__order__number")
    search_help_text = _("Title, buyer's or seller's email, or order number.")
    list_select_related = ("buyer", "seller")
    date_hierarchy = "last_message_at"
    fields = (
        "title",
        "subject",
        "listing_link",
        "shipment_link",
        "buyer",
        "seller",
        "started_by",
        "created_at",
        "last_message_at",
    )
    readonly_fields = fields
    inlines = [MessageInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("buyer", "seller", "started_by", "listing__book", "shipment")
        )

    @admin.display(description=_("listing"))
    def listing_link(self, obj):
        return admin_link(obj.listing)

    @admin.display(description=_("shipment"))
    def shipment_link(self, obj):
        return admin_link(obj.shipment)


@admin.register(Block)
class BlockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("seller", "buyer", "created_at")
    search_fields = ("seller__email", "buyer__email")
    list_select_related = ("seller", "buyer")
    fields = ("seller", "buyer", "created_at")
    readonly_fields = fields
