"""The want form: what a buyer looks for and on which conditions."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from catalog.isbn import normalize_isbn
from catalog.models import MAX_PRICE, Book, Listing
from wants.models import Want


class WantForm(forms.ModelForm):
    isbn13 = forms.CharField(
        label=_("ISBN"),
        required=False,
        max_length=20,
        help_text=_("ISBN-10 or ISBN-13, with or without hyphens."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    max_price = forms.DecimalField(
        label=_("Highest price, shipping included"),
        required=False,
        min_value=0.01,
        max_value=MAX_PRICE,
        decimal_places=2,
        help_text=_("Leave empty for any price."),
        error_messages={
            "invalid": _("Enter a price as a number, such as 12.50."),
            "min_value": _("Enter a price above zero."),
            "max_value": _("Enter a price up to %(limit_value)s."),
            "max_decimal_places": _("Use at most two decimals."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    country = forms.ChoiceField(label=_("Ships to"), help_text=_("The country the copy must ship to."))
    language = forms.ChoiceField(label=_("Language"), required=False)
    binding = forms.ChoiceField(label=_("Binding"), required=False)

    class Meta:
        model = Want
        fields = ("isbn13", "any_edition", "title", "author", "min_condition", "max_price", "country", "language",
                  "binding")  # fmt: skip
        labels = {
            "any_edition": _("Any edition of the same work (same title and author)"),
            "title": _("Title words"),
            "author": _("Author words"),
            "min_condition": _("Minimum condition"),
        }
        help_texts = {"min_condition": _("This condition or better.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country")), *countries]
        self.fields["language"].choices = [("", _("Any language")), *Book.Language.choices]
        self.fields["binding"].choices = [("", _("Any binding")), *Book.Binding.choices]
        self.fields["min_condition"].choices = Listing.Condition.choices

    def clean_isbn13(self) -> str:
        value = (self.cleaned_data.get("isbn13") or "").strip()
        if not value:
            return ""
        return normalize_isbn(value)

    def clean_title(self) -> str:
        return " ".join((self.cleaned_data.get("title") or "").split())

    def clean_author(self) -> str:
        return " ".join((self.cleaned_data.get("author") or "").split())

    def clean(self):
        cleaned = super().clean()
        empty = not cleaned.get("isbn13") and not (cleaned.get("title") or cleaned.get("author"))
        if empty and not self.errors:
            raise forms.ValidationError(_("Give an ISBN, or words of the title or the author."), code="empty")
        if cleaned.get("any_edition") and not cleaned.get("isbn13"):
            self.add_error(
                "any_edition", _("“Any edition” needs an ISBN; without one, title and author words match any edition.")
            )
        return cleaned
