"""Forms of the buying pages: cart quantities, addresses, the checkout choices and the card form.

Forms only check the shape of what was typed; the rules (stock, prices, routes, payability) are the
services' job, and their refusals come back as form errors in the views. Prices are never read from a
request: no form here has a price field, and anything else posted is ignored.
"""

from __future__ import annotations

import hashlib
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders.gateway import FAILURE_MESSAGES, card_problem, normalize_card_number
from orders.models import MAX_LINE_QUANTITY, Address
from orders.services.checkout import CheckoutPreview

QUANTITY_ERRORS = {
    "required": _("Enter how many copies you want."),
    "invalid": _("Enter a whole number of copies."),
    "min_value": _("Choose at least 1 copy."),
    "max_value": _("Choose at most %(limit_value)s copies."),
}


def quantity_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
        error_messages=QUANTITY_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": MAX_LINE_QUANTITY}),
        **kwargs,
    )


class AddToCartForm(forms.Form):
    """The quantity box on a listing page. The price is the listing's, whatever else is posted.

    With ``available`` (the copies in stock), the box offers no more than that, and a number past the cart's
    line limit is answered with the copies in stock rather than the limit. (A number between the two is the
    cart service's to refuse: it is a stock problem, not a typing one.)
    """

    quantity = quantity_field(initial=1)

    def __init__(self, *args, available: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if available is not None and 0 < available < MAX_LINE_QUANTITY:
            field = self.fields["quantity"]
            field.widget.attrs["max"] = available
            field.error_messages = {
                **field.error_messages,
                "max_value": ngettext(
                    "Only %(count)d copy is available.", "Only %(count)d copies are available.", available
                )
                % {"count": available},
            }


class CartLineForm(forms.Form):
    """Change the copies of one cart line, or remove it."""

    UPDATE = "update"
    REMOVE = "remove"

    action = forms.ChoiceField(choices=[(UPDATE, _("Update")), (REMOVE, _("Remove"))], initial=UPDATE)
    quantity = quantity_field(required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.UPDATE and cleaned.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", QUANTITY_ERRORS["required"])
        return cleaned


PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{6,32}$")


class AddressForm(forms.ModelForm):
    """A new shipping address, saved for reuse."""

    class Meta:
        model = Address
        fields = ["full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "shipping name"}),
            "line1": forms.TextInput(attrs={"autocomplete": "shipping address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "shipping address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "shipping address-level2"}),
            "region": forms.TextInput(attrs={"autocomplete": "shipping address-level1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "shipping postal-code"}),
            "country": forms.Select(attrs={"autocomplete": "shipping country"}),
            "phone": forms.TextInput(attrs={"autocomplete": "shipping tel", "inputmode": "tel"}),
        }
        help_texts = {"phone": _("The carrier calls this number if it cannot find the address.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        country.choices = [("", _("Choose a country")), *[c for c in country.choices if c[0]]]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not PHONE_PATTERN.match(phone) or sum(ch.isdigit() for ch in phone) < 6:
            raise forms.ValidationError(_("Enter a phone number with its digits, e.g. +57 300 123 4567."))
        return phone

    def clean(self):
        cleaned = super().clean()
        for name in ("full_name", "line1", "line2", "city", "region", "postal_code"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        return cleaned


def carrier_field_name(seller_id: int) -> str:
    return f"carrier_{seller_id}"


def choices_key(address_id, preview: CheckoutPreview) -> str:
    """A short fingerprint of what the checkout page showed: address, cart lines, prices and carriers.

    The page sends it back with "Place order"; if it no longer matches, the buyer is shown the new
    summary instead of being charged a total they did not see.
    """
    parts = [str(address_id)]
    for view in preview.summary.lines:
        parts.append(f"l{view.line.pk}:{view.quantity}:{view.unit_price}")
    for choice in preview.shipping:
        chosen = choice.chosen
        parts.append(
            f"s{choice.group.seller.pk}:{chosen.carrier.pk if chosen else '-'}:{chosen.price if chosen else ''}"
        )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


class CheckoutForm(forms.Form):
    """The buyer's choices at checkout: one of their addresses, and a carrier per seller serving the route.

    ``addresses`` are the buyer's own (anyone else's id is an invalid choice); the carrier fields are built
    from ``preview``, so a carrier that does not serve a seller's route is an invalid choice too.
    """

    checkout_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirmed = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    address = forms.TypedChoiceField(
        label=_("Ship to"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose where to send your books."),
            "invalid_choice": _("Choose one of your saved addresses."),
        },
    )

    def __init__(self, *args, addresses, preview: CheckoutPreview, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = preview
        self.fields["address"].choices = [(address.pk, str(address)) for address in addresses]
        for choice in preview.shipping:
            seller = choice.group.seller_name
            self.fields[carrier_field_name(choice.group.seller.pk)] = forms.TypedChoiceField(
                label=_("Carrier for %(seller)s") % {"seller": seller},
                coerce=int,
                widget=forms.RadioSelect,
                choices=[(quote.carrier.pk, quote.carrier.name) for quote in choice.options],
                error_messages={
                    "required": _("Choose a carrier for the books from %(seller)s.") % {"seller": seller},
                    "invalid_choice": _("This carrier does not deliver from %(seller)s to this address.")
                    % {"seller": seller},
                },
            )

    def carrier_choice(self) -> dict[int, int]:
        """Seller id -> carrier id, as chosen (call after is_valid)."""
        return {
            choice.group.seller.pk: self.cleaned_data[carrier_field_name(choice.group.seller.pk)]
            for choice in self.preview.shipping
        }


class CardNumberInput(forms.TextInput):
    """A card number box that never sends a number back to the browser when the page is shown again."""

    def format_value(self, value):
        return None


def _expiry_years() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, this_year + 16)]


class PaymentForm(forms.Form):
    """A card payment attempt. Only its brand and last four digits are ever stored (by the service).

    ``idempotency_key`` is new each time the form is shown: replaying one submission charges once.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, min_length=16, max_length=100)
    name = forms.CharField(
        label=_("Name on the card"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "cc-name"})
    )
    number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        widget=CardNumberInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
        help_text=_("For your safety the number is never shown again after you submit it."),
    )
    exp_month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        choices=[("", _("Month"))] + [(month, f"{month:02d}") for month in range(1, 13)],
        widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}),
        error_messages={"invalid_choice": FAILURE_MESSAGES["invalid_expiry"]},
    )
    exp_year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        choices=[],
        widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}),
        error_messages={"invalid_choice": FAILURE_MESSAGES["invalid_expiry"]},
    )
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        max_length=4,
        widget=forms.PasswordInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "size": 5}),
        help_text=_("3 digits on the back; 4 on the front of an American Express card."),
    )

    # Where each refusal of the shared card checks is shown.
    PROBLEM_FIELDS = {
        "invalid_number": "number",
        "expired_card": "exp_month",
        "invalid_expiry": "exp_month",
        "invalid_cvc": "cvc",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exp_year"].choices = [("", _("Year")), *_expiry_years()]

    def clean_number(self) -> str:
        return normalize_card_number(self.cleaned_data["number"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        problem = card_problem(cleaned["number"], cleaned["exp_month"], cleaned["exp_year"], cleaned["cvc"])
        if problem:
            self.add_error(self.PROBLEM_FIELDS.get(problem), FAILURE_MESSAGES[problem])
        return cleaned

    def add_card_problem(self, card_code: str, message) -> None:
        """Show a refusal from the payment service next to the field it concerns."""
        self.add_error(self.PROBLEM_FIELDS.get(card_code), message)
