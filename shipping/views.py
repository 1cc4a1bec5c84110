"""The seller's shipping settings page (/sell/shipping/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import seller_required
from shipping.forms import CarrierFormSet, HandlingForm, initial_rows
from shipping.models import DEFAULT_HANDLING_DAYS
from shipping.quotes import DEFAULT_TERMS, ShopTerms, carriers_from
from shipping.shop_settings import ShopSettingsError, get_shop_shipping, save_shop_shipping

FORMSET_PREFIX = "carriers"


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def shop_shipping(request: HttpRequest) -> HttpResponse:
    shop = request.user.shop
    carriers = carriers_from(shop.country.code)
    settings = get_shop_shipping(shop)
    terms = ShopTerms.from_settings(settings) if settings else DEFAULT_TERMS
    status = 200
    if request.method == "POST":
        form = HandlingForm(request.POST)
        formset = CarrierFormSet(request.POST, carriers=carriers, origin=shop.country.code, prefix=FORMSET_PREFIX)
        if form.is_valid() and formset.is_valid():
            chosen = {row.carrier: row.prices() for row in formset.forms if row.cleaned_data.get("use")}
            try:
                save_shop_shipping(shop, form.cleaned_data["handling_days"], chosen)
            except ShopSettingsError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Your shipping settings are saved."))
                return redirect("shop_shipping:settings")
        status = 400
    else:
        handling = settings.handling_days if settings else DEFAULT_HANDLING_DAYS
        form = HandlingForm(initial={"handling_days": handling})
        formset = CarrierFormSet(
            initial=initial_rows(carriers, terms), carriers=carriers, origin=shop.country.code, prefix=FORMSET_PREFIX
        )
    context = {"shop": shop, "form": form, "formset": formset, "has_settings": settings is not None}
    return render(request, "shipping/shop_shipping.html", context, status=status)
