"""Forms of the seller's inventory: the search, filter and sort parameters, and the bulk actions."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import MAX_PRICE, MAX_QUANTITY, Listing
from catalog.selectors import InventoryFilters
from catalog.services.bulk import MAX_PERCENT, MAX_SELECTED, MIN_PERCENT, BulkAction
from core.numbers import MAX_ID

INVENTORY_TABS = [("all", _("All")), *Listing.Status.choices]
SORT_CHOICES = [
    ("-updated", _("Recently changed")),
    ("updated", _("Least recently changed")),
    ("title", _("Title, A to Z")),
    ("-title", _("Title, Z to A")),
    ("price", _("Price, low to high")),
    ("-price", _("Price, high to low")),
    ("quantity", _("Stock, low to high")),
    ("-quantity", _("Stock, high to low")),
    ("condition", _("Condition, best first")),
    ("-condition", _("Condition, worst first")),
    ("status", _("Status")),
    ("-status", _("Status, reversed")),
]


class InventoryQueryForm(forms.Form):
    """The inventory's query string: words or an ISBN to look for, status tab, condition, sort.

    Every field is optional; an unknown value is an error the page reports (400) while it shows the listings
    with that one parameter left out.
    """

    q = forms.CharField(
        label=_("Search your listings"),
        required=False,
        max_length=100,
        help_text=_("Words of the title or author, or an ISBN."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=INVENTORY_TABS, required=False)
    condition = forms.ChoiceField(
        label=_("Condition"), choices=[("", _("Any condition")), *Listing.Condition.choices], required=False
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    DEFAULTS = {"q": "", "status": "all", "condition": "", "sort": "-updated"}

    def filters(self) -> InventoryFilters:
        """The valid parameters, each bad one replaced by its default; call after is_valid()."""
        values = dict(self.DEFAULTS)
        for name in values:
            if name not in self.errors and self.cleaned_data.get(name):
                values[name] = self.cleaned_data[name]
        values["q"] = " ".join(values["q"].split())
        return InventoryFilters(**values)

    def error_text(self) -> str:
        """One sentence per bad parameter, for the page's message."""
        messages = {
            "q": _("The search is too long; showing your listings without it."),
            "status": _("That status filter does not exist; showing all your listings."),
            "condition": _("That condition does not exist; showing every condition."),
            "sort": _("That sort order does not exist; showing the most recently changed first."),
        }
        return " ".join(str(messages[name]) for name in messages if name in self.errors)


class BulkForm(forms.Form):
    """A bulk action on the listings ticked on the page (scope "selected") or on every listing that matches the
    page's search and filters (scope "matching", which carries q, status and condition along)."""

    SCOPES = [("selected", _("The selected listings")), ("matching", _("Every listing that matches"))]

    action = forms.ChoiceField(label=_("Action"), choices=[("", _("Choose an action")), *BulkAction.choices])
    scope = forms.ChoiceField(label=_("Apply to"), choices=SCOPES, initial="selected")
    ids = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    quantity = forms.IntegerField(label=_("New quantity"), required=False, min_value=0, max_value=MAX_QUANTITY)
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=-MAX_PRICE,
        max_value=MAX_PRICE,
        help_text=_("Negative to lower the prices, e.g. -1.50."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    percent = forms.DecimalField(
        label=_("Percentage"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=MIN_PERCENT,
        max_value=MAX_PERCENT,
        help_text=_("Negative to lower the prices, e.g. -10."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    # The page's filters, for scope "matching".
    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(choices=INVENTORY_TABS, required=False)
    condition = forms.ChoiceField(choices=[("", ""), *Listing.Condition.choices], required=False)

    def clean_ids(self) -> list[int]:
        raw = self.cleaned_data.get("ids") or []
        ids = []
        for value in raw:
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValidationError(_("The selection is not valid; reload the page and try again.")) from None
            if not 1 <= number <= MAX_ID:
                raise ValidationError(_("The selection is not valid; reload the page and try again."))
            ids.append(number)
        if len(ids) > MAX_SELECTED:
            raise ValidationError(
                _("Select at most %(max)s listings, or apply the action to every listing that matches.")
                % {"max": MAX_SELECTED}
            )
        return sorted(set(ids))

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if data.get("scope") == "selected" and "ids" in data and not data["ids"]:
            self.add_error(None, _("Select at least one listing first."))
        required = {
            BulkAction.SET_QUANTITY: "quantity",
            BulkAction.PRICE_AMOUNT: "amount",
            BulkAction.PRICE_PERCENT: "percent",
        }.get(action)
        if required and data.get(required) is None and required not in self.errors:
            self.add_error(required, _("This action needs a value."))
        if action == BulkAction.PRICE_AMOUNT and data.get("amount") == Decimal(0):
            self.add_error("amount", _("Enter an amount other than zero."))
        if action == BulkAction.PRICE_PERCENT and data.get("percent") == Decimal(0):
            self.add_error("percent", _("Enter a percentage other than zero."))
        return data

    def filters(self) -> InventoryFilters:
        return InventoryFilters(
            q=" ".join(self.cleaned_data.get("q", "").split()),
            status=self.cleaned_data.get("status") or "all",
            condition=self.cleaned_data.get("condition") or "",
        )

    def value(self):
        """The action's number: the new quantity, the amount or the percentage (None for the others)."""
        return {
            BulkAction.SET_QUANTITY: self.cleaned_data.get("quantity"),
            BulkAction.PRICE_AMOUNT: self.cleaned_data.get("amount"),
            BulkAction.PRICE_PERCENT: self.cleaned_data.get("percent"),
        }.get(self.cleaned_data["action"])


# The inventory table's sortable columns, in the table's order: (sort key, heading).
SORTABLE_COLUMNS = [
    ("title", _("Book")),
    ("condition", _("Condition")),
    ("price", _("Price")),
    ("quantity", _("In stock")),
    ("status", _("Status")),
    ("updated", _("Updated")),
]


def inventory_columns(sort: str) -> dict[str, dict]:
    """Each sortable column's heading, the sort its link asks for and its aria-sort, keyed by sort key.

    A click on the current column reverses it; a click on another sorts it ascending (updated: newest first).
    """
    current, descending = sort.lstrip("-"), sort.startswith("-")
    columns = {}
    for key, label in SORTABLE_COLUMNS:
        if key == current:
            link = key if descending else f"-{key}"
            aria = "descending" if descending else "ascending"
        else:
            link, aria = (f"-{key}" if key == "updated" else key), ""
        columns[key] = {"label": label, "sort": link, "aria_sort": aria}
    return columns
