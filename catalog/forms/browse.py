"""The catalog's query string, validated: search words, filters, sort order and page."""

import re

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from catalog.models import MAX_PRICE, Book, Listing
from catalog.search import (
    SORT_NEWEST,
    SORT_PRICE_ASC,
    SORT_PRICE_DESC,
    SORT_RELEVANCE,
    CatalogQuery,
    cached_categories,
)
from core.numbers import is_ascii_number

MAX_QUERY_LENGTH = 200
# Deep enough for any real browsing; beyond it OFFSET only burns database time.
MAX_PAGE = 10_000

SORT_CHOICES = [
    (SORT_RELEVANCE, _("Best match")),
    (SORT_NEWEST, _("Newest first")),
    (SORT_PRICE_ASC, _("Price: low to high")),
    (SORT_PRICE_DESC, _("Price: high to low")),
]

FILTER_FORM_ID = "catalog-filters"

VIEW_BOOKS = "books"
VIEW_COPIES = "copies"
VIEW_CHOICES = [(VIEW_BOOKS, _("Books")), (VIEW_COPIES, _("Copies"))]


def _price_field(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter a price as a number, such as 12.50."),
            "min_value": _("Prices cannot be negative."),
            "max_value": _("Enter a price up to %(limit_value)s."),
            "max_decimal_places": _("Use at most two decimals."),
        },
        # A text input shows back whatever was typed; browsers blank a number input holding "abc".
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _page_field():
    return forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": _("The page must be a whole number, 1 or more."),
            "min_value": _("The page must be a whole number, 1 or more."),
            "max_value": _("We only show results up to page %(limit_value)s; narrow your search instead."),
        },
        widget=forms.HiddenInput,
    )


class SortedPagesMixin:
    """Shared by forms with a sort select and a page number."""

    @property
    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    def show_sort(self, sort: str) -> None:
        """Make the sort select show the order actually applied (the default depends on the search)."""
        self.data = self.data.copy()
        self.data["sort"] = sort

    def default_sort(self) -> str:
        """The order applied when none is asked for: best match for a search, else newest first."""
        has_query = bool(self.data.get("q", "").strip()) and "q" not in self.errors
        return SORT_RELEVANCE if has_query else SORT_NEWEST


class BrowseForm(SortedPagesMixin, forms.Form):
    """Bound to request.GET; every parameter is optional and an invalid one is a field error."""

    q = forms.CharField(
        label=_("Words or ISBN"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _("Searches can be at most %(limit_value)d characters long (this one has %(show_value)d).")
        },
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, author, ISBN…")}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        error_messages={"invalid_choice": _("There is no category “%(value)s”. Pick one from the list.")},
    )
    condition = forms.MultipleChoiceField(
        label=_("Condition"),
        required=False,
        choices=Listing.Condition.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("“%(value)s” is not a condition we grade books by.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *Book.Language.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not a language we list.")},
    )
    binding = forms.ChoiceField(
        label=_("Binding"),
        required=False,
        choices=[("", _("Any binding")), *Book.Binding.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not a binding we list.")},
    )
    price_min = _price_field(_("Lowest price"))
    price_max = _price_field(_("Highest price"))
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a sort order. Pick one from the list.")},
        # Rendered above the results but submitted with the sidebar's filter form.
        widget=forms.Select(attrs={"form": FILTER_FORM_ID}),
    )
    page = _page_field()
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=VIEW_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a way to show results: choose books or copies.")},
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._categories = {entry.slug: entry for entry in cached_categories()}
        self.fields["category"].choices = [
            ("", _("All categories")),
            *((entry.slug, entry.name) for entry in self._categories.values()),
        ]

    def clean_q(self) -> str:
        # Collapse runs of spaces so the same search shares one cache and URL shape.
        return " ".join(self.cleaned_data["q"].split())

    def clean_view(self) -> str:
        return self.cleaned_data["view"] or VIEW_BOOKS

    @property
    def view_name(self) -> str:
        """The view shown: books unless ?view=copies was asked for (and valid)."""
        if hasattr(self, "cleaned_data") and "view" in self.cleaned_data:
            return self.cleaned_data["view"]
        return VIEW_COPIES if self.data.get("view") == VIEW_COPIES else VIEW_BOOKS

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price must not be below the lowest price."))
        return cleaned

    def catalog_query(self) -> CatalogQuery:
        """The validated parameters as a CatalogQuery; call only after is_valid()."""
        data = self.cleaned_data
        category = self._categories.get(data["category"]) if data["category"] else None
        return CatalogQuery(
            q=data["q"],
            category_id=category.id if category else None,
            conditions=tuple(data["condition"]),
            language=data["language"],
            binding=data["binding"],
            price_min=data["price_min"],
            price_max=data["price_max"],
            sort=data["sort"],
        )

    @property
    def selected_category_name(self) -> str:
        slug = self.cleaned_data.get("category") if hasattr(self, "cleaned_data") else ""
        entry = self._categories.get(slug or "")
        return entry.name if entry else ""


class ShopListingsForm(SortedPagesMixin, forms.Form):
    """A shop page's query string: its sort order and page."""

    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[choice for choice in SORT_CHOICES if choice[0] != SORT_RELEVANCE],
        error_messages={"invalid_choice": _("“%(value)s” is not a sort order. Pick one from the list.")},
    )
    page = _page_field()

    def catalog_query(self) -> CatalogQuery:
        """The validated sort as a CatalogQuery; call only after is_valid()."""
        return CatalogQuery(sort=self.cleaned_data["sort"])


# --- Canonical parameters ---------------------------------------------------------------------------------------

# Values compared without regard to case or surrounding spaces, and the value each has by default.
_CHOICE_PARAMETERS = {
    "category": None,  # any slug: which ones exist is checked by the form
    "condition": set(Listing.Condition.values),
    "language": set(Book.Language.values),
    "binding": set(Book.Binding.values),
    "sort": {value for value, _label in SORT_CHOICES},
    "view": {VIEW_BOOKS, VIEW_COPIES},
}


def _canonical_choice(name: str, value: str) -> str:
    lowered = value.strip().lower()
    choices = _CHOICE_PARAMETERS[name]
    return lowered if choices is None or lowered in choices else value


_PLAIN_PRICE = re.compile(r"\d{1,12}(\.\d{0,12})?")


def _canonical_price(value: str) -> str:
    """Plain decimals without their trailing zeros ("10.50" is "10.5"); anything else (1e999, -3, "abc") as given."""
    text = value.strip()
    if not _PLAIN_PRICE.fullmatch(text):
        return value
    whole, _dot, fraction = text.partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def canonical_query(data: QueryDict) -> QueryDict:
    """The catalog's parameters in one spelling, so that every way of asking for a page shares its cache entry.

    Parameters the catalog does not read (``utm_source``, ``fbclid``, a crawler's own) are dropped; blank ones and
    those equal to their default (page 1, the books view, the search's default order) too. Fixed choices are
    compared in lower case with spaces stripped, searches have their runs of spaces collapsed (their case is kept:
    the page shows the words as typed), prices are written without trailing zeros, conditions are sorted, and the
    parameters come in one order. A value that does not validate is kept as it was given, so that the form
    reports it exactly as before.

    The catalog answers such a request itself, with a canonical link to the clean URL, rather than redirecting:
    the filter form submits every field, blank ones included, so a redirect would cost each search a second round
    trip; and the clean URL is what search engines are told to keep.
    """
    canonical = QueryDict(mutable=True)
    q = " ".join(data.get("q", "").split())
    if q:
        canonical["q"] = q
    for name in BrowseForm.base_fields:
        if name == "q":
            continue
        if name == "condition":
            values = {_canonical_choice(name, value) for value in data.getlist(name) if value.strip()}
            canonical.setlist(name, sorted(values))
            continue
        value = data.get(name, "")
        if not value.strip():
            continue
        if name in _CHOICE_PARAMETERS:
            value = _canonical_choice(name, value)
        elif name in ("price_min", "price_max"):
            value = _canonical_price(value)
        elif name == "page":
            value = str(int(value)) if is_ascii_number(value.strip(), 18) else value
        canonical[name] = value
    defaults = {"page": "1", "view": VIEW_BOOKS, "sort": SORT_RELEVANCE if q else SORT_NEWEST}
    for name, default in defaults.items():
        if canonical.get(name) == default:
            del canonical[name]
    canonical._mutable = False
    return canonical
