from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SHOP_COUNTRIES, Shop, User
from accounts.services import shop_name_taken, unsupported_shop_country_error


class ProfileForm(forms.Form):
    """The person's name. A plain form so a rejected submission never touches ``request.user``."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=User._meta.get_field("first_name").max_length,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=User._meta.get_field("last_name").max_length,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


class ShopForm(forms.ModelForm):
    """A seller's shop details. Also the admin's shop form, which adds the owner field."""

    class Meta:
        model = Shop
        fields = ["name", "about", "city", "region", "country"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "about": forms.Textarea(attrs={"rows": 5}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
        }
        help_texts = {
            "name": _("Buyers see this name on your listings. It must be unique."),
            "about": _("A few words about you and the books you sell (optional)."),
            "region": _("State, province or department (optional)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        # Only countries our carriers serve; a posted other one fails with the reason (clean_country).
        country.choices = [choice for choice in country.choices if not choice[0] or choice[0] in SHOP_COUNTRIES]
        country.help_text = _("Where you send your parcels from.")
        refusal = unsupported_shop_country_error()
        country.error_messages = {**country.error_messages, "invalid_choice": refusal.message % refusal.params}

    def clean_country(self):
        country = self.cleaned_data["country"]
        if country not in SHOP_COUNTRIES:
            raise unsupported_shop_country_error()
        return country

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if shop_name_taken(name, exclude_pk=self.instance.pk):
            raise forms.ValidationError(
                _("A shop called “%(name)s” already exists. Please choose another name."),
                code="name_taken",
                params={"name": name},
            )
        return name


class VacationForm(forms.Form):
    """Closing a shop for a while: the day it reopens and a message for buyers."""

    away_until = forms.DateField(
        label=_("Back on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Your shop reopens by itself on this day. You can reopen it earlier by hand."),
    )
    away_message = forms.CharField(
        label=_("Message for buyers"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on your shop page and your listings while you are away (optional, up to 500 characters)."),
    )
