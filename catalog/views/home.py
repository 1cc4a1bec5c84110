"""The front page: a search box, the shelves and the newest books."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.search import cached_categories, newest_listings

NEWEST_ON_HOME = 12


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/home.html",
        {"categories": cached_categories(), "listings": newest_listings(NEWEST_ON_HOME)},
    )
