from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, so you know which to revoke: “Shop spreadsheet”, “Price checker”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=[
            (Scope.READ, _("Read: your orders, cart, inventory and sales")),
            (Scope.BUY, _("Buy: change your cart, place and cancel orders")),
            (Scope.SELL, _("Sell: publish and change listings, mark sales shipped")),
        ],
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose at least one thing the token may do.")},
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())
