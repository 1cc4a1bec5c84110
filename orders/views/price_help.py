"""Price help for the listing form (GET /sell/price-help/?isbn=...&condition=...).

The listing form belongs to the catalog, which may not read orders; its script asks this page for the figures
as it changes (``partial=1``: the fragment alone), and without a script its link opens the whole page.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.decorators import seller_required
from catalog.isbn import format_isbn, normalize_isbn
from catalog.models import Listing
from orders.services.price_help import price_help as figures_for


class PriceHelpForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN"), max_length=20)
    condition = forms.ChoiceField(label=_("Condition"), choices=Listing.Condition.choices)

    def clean_isbn(self) -> str:
        return normalize_isbn(self.cleaned_data["isbn"])


@require_safe
@seller_required
def price_help(request: HttpRequest) -> HttpResponse:
    form = PriceHelpForm(request.GET)
    partial = request.GET.get("partial") == "1"
    context = {"form": form, "help": None, "errors": []}
    status = 200
    if form.is_valid():
        isbn13, condition = form.cleaned_data["isbn"], form.cleaned_data["condition"]
        context["help"] = figures_for(isbn13, condition, exclude_seller_id=request.user.pk)
        context["isbn"] = format_isbn(isbn13)
        context["condition_label"] = Listing.Condition(condition).label
    elif not request.GET.get("isbn", "").strip() or not request.GET.get("condition"):
        # Nothing typed yet: a hint, not an error.
        context["errors"] = [_("Enter the ISBN and choose the condition to see the prices.")]
    else:
        status = 400
        context["errors"] = [
            str(message) for error in form.errors.as_data().values() for e in error for message in e.messages
        ]
    template = "orders/_price_help.html" if partial else "orders/price_help.html"
    return render(request, template, context, status=status)
