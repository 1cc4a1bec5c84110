"""The seller's shipping settings page: handling time, and one row per carrier (use it, own prices per zone)."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.money import ZERO
from shipping.models import MAX_HANDLING_DAYS, Carrier
from shipping.quotes import ShopTerms, zones_for
from shipping.services import best_rate
from shipping.zones import Zone

MAX_PRICE = 10_000


def _price_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=ZERO,
        max_value=MAX_PRICE,
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


def carrier_rate_hint(carrier: Carrier, origin: str, zone: Zone):
    """The carrier's rate a seller in ``origin`` replaces for ``zone``: its domestic rate there, or abroad its rate
    from there to any country (None when it has none). Reads the prefetched rates."""
    if zone == Zone.DOMESTIC:
        return best_rate(carrier, origin, origin)
    abroad = [
        rate
        for rate in carrier.rates.all()
        if str(rate.origin_country or "") in ("", origin) and not rate.destination_country
    ]
    return max(abroad, key=lambda rate: rate.specificity, default=None)


class HandlingForm(forms.Form):
    handling_days = forms.IntegerField(
        label=_("Handling time (business days)"),
        min_value=0,
        max_value=MAX_HANDLING_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_HANDLING_DAYS)],
        help_text=_("Business days between the payment and handing the parcel to the carrier (0 to 10)."),
    )


class CarrierRowForm(forms.Form):
    """One carrier: whether the seller uses it, and their own price (first copy, each extra copy) per zone.

    The carrier comes from the server (the row's position), never from the request.
    """

    use = forms.BooleanField(label=_("I ship with this carrier"), required=False)

    def __init__(self, *args, carrier: Carrier, origin: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.carrier = carrier
        self.zones = zones_for(carrier)
        for zone in self.zones:
            base = self.fields[f"{zone}_base"] = _price_field(_("%(zone)s: first copy") % {"zone": zone.label})
            extra = self.fields[f"{zone}_extra"] = _price_field(_("%(zone)s: each extra copy") % {"zone": zone.label})
            # The carrier's own rate as a hint in the empty field: what applies when the seller leaves it blank.
            rate = carrier_rate_hint(carrier, origin, zone)
            if rate is not None:
                base.widget.attrs["placeholder"] = str(rate.base)
                extra.widget.attrs["placeholder"] = str(rate.per_extra_item)

    @property
    def zone_fields(self) -> list[tuple[Zone, forms.BoundField, forms.BoundField]]:
        return [(zone, self[f"{zone}_base"], self[f"{zone}_extra"]) for zone in self.zones]

    def clean(self):
        cleaned = super().clean()
        for zone in self.zones:
            base, extra = cleaned.get(f"{zone}_base"), cleaned.get(f"{zone}_extra")
            if base is None and extra is not None:
                self.add_error(f"{zone}_base", _("Enter the price of the first copy too, or leave both blank."))
            if base is not None and extra is None and f"{zone}_extra" not in self.errors:
                self.add_error(f"{zone}_extra", _("Enter the price of each extra copy too, or leave both blank."))
        return cleaned

    def prices(self) -> dict[str, tuple]:
        """Zone -> (first copy, each extra copy) for the zones the seller priced (call once valid)."""
        return {
            zone.value: (self.cleaned_data[f"{zone}_base"], self.cleaned_data[f"{zone}_extra"])
            for zone in self.zones
            if self.cleaned_data.get(f"{zone}_base") is not None
        }


class BaseCarrierFormSet(forms.BaseFormSet):
    def __init__(self, *args, carriers: list[Carrier], origin: str = "", **kwargs):
        self.carriers = carriers
        self.origin = origin
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["carrier"] = self.carriers[index]
        kwargs["origin"] = self.origin
        return kwargs

    def total_form_count(self):
        # One row per carrier the shop may use, whatever the request says.
        return len(self.carriers)

    def clean(self):
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("use") for form in self.forms):
            raise forms.ValidationError(_("Choose at least one carrier."), code="no_carrier")


CarrierFormSet = forms.formset_factory(CarrierRowForm, formset=BaseCarrierFormSet, extra=0)


def initial_rows(carriers: list[Carrier], terms: ShopTerms) -> list[dict]:
    """The rows as the shop's terms set them (every carrier used, no own price, when the shop has none)."""
    rows = []
    for carrier in carriers:
        row = {"use": terms.carrier_ids is None or carrier.pk in terms.carrier_ids}
        for zone in zones_for(carrier):
            own = terms.prices.get((carrier.pk, zone.value))
            if own:
                row[f"{zone}_base"], row[f"{zone}_extra"] = own
        rows.append(row)
    return rows
