"""The public catalog: search, filters, sort orders and pages of visible listings.

Pages come from the shared page cache when it has them (catalog/cache/pages.py); otherwise the content is rendered
from two queries (ids, then rows), with listing cards and the filter form taken from the fragment cache.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from catalog.cache import CachedPage, book_cards, cached_fragment, listing_cards, rankings, render_content, totals
from catalog.forms.browse import FILTER_FORM_ID, VIEW_BOOKS, BrowseForm, canonical_query
from catalog.search import cached_categories, categories_cache_key, count_results, fetch_page, find_listings
from catalog.search.books import count_books, fetch_book_page
from catalog.search.shelves import reads_price_range, shelf_books
from catalog.search.suggest import did_you_mean

# The filter sidebar's fields, each with the template that writes it.
_FIELD_TEMPLATES = {
    "q": "includes/form_field.html",
    "category": "includes/form_field.html",
    "condition": "catalog/_condition_field.html",
    "language": "includes/form_field.html",
    "binding": "includes/form_field.html",
    "price_min": "includes/form_field.html",
    "price_max": "includes/form_field.html",
}


def _field_html(form: BrowseForm, name: str, choices=()) -> SafeString:
    """One field of the sidebar, kept per process for the value it shows (and ``choices``, when they can change):
    a long-tail page is a new combination of a few values each field has seen before (a search's words excepted)."""
    field = form[name]

    def render() -> str:
        return render_to_string(_FIELD_TEMPLATES[name], {"field": field})

    if form.errors:
        return mark_safe(render())  # nosec B308 B703 - our autoescaped templates
    value = field.value()
    shown = sorted(value) if isinstance(value, list) else value
    return mark_safe(cached_fragment("browse-field", (name, shown, choices), render))  # nosec B308 B703


def _form_html(form: BrowseForm, categories) -> tuple[SafeString, SafeString]:
    """The sort select and the filter sidebar: the sidebar is assembled from its fields, each rendered once per
    process for each value it shows (the categories are the current ones: their names are in the key)."""
    invalid = bool(form.errors)
    context = {"form": form, "filter_form_id": FILTER_FORM_ID, "invalid": invalid}

    def sort_html() -> str:
        return render_to_string("catalog/_sort.html", context)

    sort = sort_html() if invalid else cached_fragment("browse-sort", form.data.get("sort", ""), sort_html)
    category_choices = tuple((entry.slug, entry.name) for entry in categories)
    fields = {
        name: _field_html(form, name, category_choices if name == "category" else ()) for name in _FIELD_TEMPLATES
    }
    filters = render_to_string("catalog/_filters.html", {**context, "fields": fields})
    return mark_safe(sort), mark_safe(filters)  # nosec B308 B703 - our autoescaped templates


@require_safe
def browse(request: HttpRequest) -> HttpResponse:
    """Answer 400 (page and form shown, errors by their fields) for bad parameters, 404 past the last page.

    The parameters are first put in their canonical spelling (unknown ones dropped, see canonical_query): every
    spelling of one page shares its cache entry, and the page links to the clean URL as its canonical one.
    """
    canonical = canonical_query(request.GET)
    # The total of these results and the ranking of their search, kept by another page of them
    # (catalog.cache.totals, catalog.cache.rankings): read with this page.
    total_key = totals.total_key("browse", canonical)
    ranking_key = rankings.ranking_key("browse", canonical)
    prefetch = [categories_cache_key(), *(key for key in (total_key, ranking_key) if key)]
    cached = CachedPage(request, "browse", query=canonical, prefetch=prefetch)
    response = cached.cached_response()
    if response is not None:
        return response

    total = totals.kept_total(total_key, cached.version)
    ranking = rankings.kept_ranking(ranking_key, cached.version)
    categories = cached_categories()
    form = BrowseForm(request.GET)
    context = {"form": form, "filter_form_id": FILTER_FORM_ID, "categories": categories}
    context["view"] = form.view_name if form.is_valid() or "view" not in form.errors else VIEW_BOOKS
    status = 200
    if not form.is_valid():
        if not form.data.get("sort") and "sort" not in form.errors:
            form.show_sort(form.default_sort())
        context["invalid"] = True
        status = 400
    else:
        result = find_listings(form.catalog_query(), ranking=ranking)
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
        if not result.no_usable_words and context["view"] == VIEW_BOOKS:
            query = form.catalog_query()
            page = fetch_book_page(result, form.page_number, settings.CATALOG_PAGE_SIZE, query)
            context.update(
                page=page,
                cards=book_cards(page.books),
                count=count_books(result, page, settings.CATALOG_PAGE_SIZE, query, total),
            )
            status = 404 if page.past_end else 200
        elif not result.no_usable_words:
            # A narrow shelf is read book first (catalog.search.shelves), from the listings without its filters; a
            # price range that few copies match, from a price index.
            rows = form.page_number * settings.CATALOG_PAGE_SIZE + 1
            books = shelf_books(result, rows)
            by_price = (
                books is None
                and bool(result.range_indexes)
                and reads_price_range(result.shelf, result.conditions, result.price_min, result.price_max, rows)
            )
            page = fetch_page(
                result.queryset if books is None else result.unshelved,
                result.ordering,
                form.page_number,
                settings.CATALOG_PAGE_SIZE,
                scope=form.catalog_query(),
                best_books=result.best_books,
                indexes=result.range_indexes if by_price else result.indexes,
                shelf_books=books,
                force_indexes=by_price,
            )
            context.update(
                page=page,
                cards=listing_cards(page.listings),
                count=count_results(result, page, settings.CATALOG_PAGE_SIZE, total),
            )
            status = 404 if page.past_end else 200
        if context["q"] and not context.get("page"):
            # No result: a close title or author word, from a cached list (catalog.search.suggest).
            context["suggestion"] = did_you_mean(context["q"])

    context["sort_html"], context["filters_html"] = _form_html(form, categories)
    title = render_content("catalog/_browse_title.html", context, request)
    content = render_content("catalog/browse.html", context, request)
    return cached.respond(title, content, status, share=status != 400)
