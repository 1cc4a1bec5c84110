"""A book with all its copies for sale, and the search box's suggestions as you type."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from catalog.forms.book import BookCopiesForm
from catalog.isbn import format_isbn
from catalog.models import Book
from catalog.search.books import book_copies
from catalog.search.suggest import SUGGEST_MAX, SUGGEST_MIN, suggestions
from shipping.zones import served_countries


@require_safe
def book_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every visible copy in stock of the book (shops away left out), sortable and filterable by condition.

    A book that exists but has no copy for sale says so (200); bad parameters answer 400 with the copies unsorted
    and unfiltered and the errors by their fields. Rendered per request: shipping depends on the buyer's country.
    """
    book = get_object_or_404(Book.objects.select_related("category"), pk=pk)
    form = BookCopiesForm(request.GET)
    if form.is_valid():
        data, status = form.cleaned_data, 200
    else:
        data, status = {"condition": [], "sort": "price", "ship_to": ""}, 400
    copies = book_copies(book, tuple(data["condition"]), data["sort"])
    context = {
        "book": book,
        "form": form,
        "copies": copies,
        "sort": data["sort"],
        "ship_to": data["ship_to"],
        "ship_countries": served_countries(),
        "isbn_display": format_isbn(book.isbn13) if book.isbn13 else "",
        "filtered": bool(data["condition"]),
    }
    return render(request, "catalog/book_detail.html", context, status=status)


@require_safe
@cache_control(max_age=300, public=True)
def suggest(request: HttpRequest) -> JsonResponse:
    """Up to 8 titles and authors for the search box: ``?q=`` of SUGGEST_MIN to SUGGEST_MAX characters."""
    q = " ".join(request.GET.get("q", "").split())
    if len(q) < SUGGEST_MIN:
        return JsonResponse(
            {"error": _("Type at least %(count)d characters.") % {"count": SUGGEST_MIN}, "results": []}, status=400
        )
    if len(q) > SUGGEST_MAX:
        return JsonResponse(
            {"error": _("Type at most %(count)d characters.") % {"count": SUGGEST_MAX}, "results": []}, status=400
        )
    return JsonResponse({"results": suggestions(q)})
