"""The public catalog: search, filters, sort orders and pages of visible listings."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.forms.browse import FILTER_FORM_ID, BrowseForm
from catalog.search import cached_categories, fetch_page, find_listings


@require_safe
def browse(request: HttpRequest) -> HttpResponse:
    """Answer 400 (page and form shown, errors by their fields) for bad parameters, 404 past the last page."""
    form = BrowseForm(request.GET)
    context = {"form": form, "filter_form_id": FILTER_FORM_ID, "categories": cached_categories()}
    if not form.is_valid():
        if not form.data.get("sort") and "sort" not in form.errors:
            form.show_sort(form.default_sort())
        return render(request, "catalog/browse.html", {**context, "invalid": True}, status=400)

    result = find_listings(form.catalog_query())
    form.show_sort(result.sort)
    context.update(
        q=form.cleaned_data["q"],
        category_name=form.selected_category_name,
        isbn=result.isbn,
        no_usable_words=result.no_usable_words,
        has_filters=any(
            form.cleaned_data[name] not in (None, "", [])
            for name in ("category", "condition", "language", "binding", "price_min", "price_max")
        ),
    )
    if result.no_usable_words:
        return render(request, "catalog/browse.html", context)

    page = fetch_page(result.queryset, result.ordering, form.page_number, settings.CATALOG_PAGE_SIZE)
    context["page"] = page
    return render(request, "catalog/browse.html", context, status=404 if page.past_end else 200)
