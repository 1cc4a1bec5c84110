"""A book page's query string, validated: conditions shown, sort order and the country to ship to."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing
from shipping.zones import is_served_country

COPY_SORT_CHOICES = [
    ("price", _("Price: low to high")),
    ("shipping", _("Price with shipping")),
    ("condition", _("Condition: best first")),
    ("newest", _("Newest first")),
]


class BookCopiesForm(forms.Form):
    """Bound to request.GET; every parameter is optional and an invalid one is a field error."""

    condition = forms.MultipleChoiceField(
        label=_("Condition"),
        required=False,
        choices=Listing.Condition.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("“%(value)s” is not a condition we grade books by.")},
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=COPY_SORT_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a sort order. Pick one from the list.")},
    )
    ship_to = forms.CharField(label=_("Ship to"), required=False, max_length=2 * 10)

    def clean_ship_to(self) -> str:
        code = self.cleaned_data["ship_to"].strip().upper()
        if code and not is_served_country(code):
            raise forms.ValidationError(_("We do not know that country. Choose one from the list."))
        return code

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "price"
