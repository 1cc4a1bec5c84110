"""Claims in the back office: read-only records with their timeline and photos, and the staff decision page.

A claim changes only through ``claims.services``; staff decide an escalated claim on its "decide" page
(a refund, full or partial, or closing it with a reason).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims import services
from claims.errors import ClaimError
from claims.forms import StaffDecisionForm
from claims.models import Claim, ClaimEvent, ClaimPhoto
from claims.states import ClaimStatus
from core.admin import ReadOnlyAdminMixin, ReadOnlyInline, admin_link
from core.states import IllegalTransition
from core.templatetags.site_tags import money


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    verbose_name_plural = _("timeline")
    fields = ("created_at", "role", "actor", "action", "amount", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ClaimPhotoInline(ReadOnlyInline):
    model = ClaimPhoto
    verbose_name_plural = _("photos")
    fields = ("preview", "width", "height", "created_at")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, photo):
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" width="90"></a>', photo.image.url, photo.thumbnail.url, _("photo")
        )


class OverdueFilter(admin.SimpleListFilter):
    title = _("seller deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Passed without an answer")), ("no", _("Not passed"))]

    def queryset(self, request, queryset):
        overdue = {"status": ClaimStatus.OPEN, "seller_deadline__lte": timezone.now()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "order_number",
        "kind",
        "status",
        "buyer",
        "seller",
        "created_at",
        "seller_deadline",
        "overdue",
    )
    list_filter = ("status", "kind", OverdueFilter, "created_at")
    search_fields = ("shipment__order__number", "buyer__email", "shipment__seller__email", "shipment__tracking_number")
    list_select_related = ("shipment__order", "shipment__seller", "buyer")
    date_hierarchy = "created_at"
    inlines = [ClaimPhotoInline, ClaimEventInline]
    readonly_fields = (
        "decide_link",
        "shipment_link",
        "order_link",
        "buyer",
        "seller",
        "kind",
        "status",
        "message",
        "seller_deadline",
        "offer_display",
        "return_address",
        "refund_link",
        "refundable",
        "resolution",
        "created_at",
        "resolved_at",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shipment__order", "shipment__seller", "buyer", "refund")

    def get_urls(self):
        decide = path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view), name="claims_claim_decide")
        return [decide, *super().get_urls()]

    @admin.display(description=_("order"), ordering="shipment__order__number")
    def order_number(self, claim):
        return claim.shipment.order.number

    @admin.display(description=_("seller"))
    def seller(self, claim):
        return claim.shipment.seller

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, claim):
        return claim.is_overdue

    @admin.display(description=_("shipment"))
    def shipment_link(self, claim):
        return admin_link(claim.shipment)

    @admin.display(description=_("order"))
    def order_link(self, claim):
        return admin_link(claim.shipment.order)

    @admin.display(description=_("refund"))
    def refund_link(self, claim):
        return admin_link(claim.refund, money(claim.refund.amount) if claim.refund else None)

    @admin.display(description=_("partial refund offered"))
    def offer_display(self, claim):
        return money(claim.offer_amount) if claim.offer_amount else "—"

    @admin.display(description=_("left to refund"))
    def refundable(self, claim):
        return money(services.refundable_left(claim))

    @admin.display(description=_("decision"))
    def decide_link(self, claim):
        if claim.status != ClaimStatus.ESCALATED:
            return _("Staff decide once the claim is escalated.")
        return format_html(
            '<a class="button" href="{}">{}</a>', reverse("admin:claims_claim_decide", args=[claim.pk]), _("Decide")
        )

    def decide_view(self, request, pk):
        """Staff decide an escalated claim: refund (at most what is left) or close with a reason."""
        if not self.has_view_permission(request) or not request.user.is_staff:
            raise PermissionDenied
        claim = self.get_object(request, str(pk))
        if claim is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(pk))
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        form = StaffDecisionForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if data["decision"] == StaffDecisionForm.REFUND:
                        services.staff_refund(claim, request.user, data["amount"], data["reason"])
                    else:
                        services.staff_close(claim, request.user, data["reason"])
                except ClaimError as error:
                    form.add_error(None, error.message)
                except IllegalTransition:
                    form.add_error(None, _("This claim is no longer waiting for a staff decision."))
                else:
                    self.message_user(request, _("Decision recorded; both sides were told."), messages.SUCCESS)
                    return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Decide claim %(id)s") % {"id": claim.pk},
            "claim": claim,
            "form": form,
            "refundable": services.refundable_left(claim),
            "change_url": change_url,
            "escalated": claim.status == ClaimStatus.ESCALATED,
        }
        return TemplateResponse(request, "admin/claims/claim/decide.html", context, status=status)
