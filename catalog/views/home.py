"""The front page: a search box, the shelves and the newest books."""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalog.cache import CachedPage, listing_cards, render_content
from catalog.search import cached_categories, categories_cache_key, newest_listings

NEWEST_ON_HOME = 12


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # The front page reads no parameter: /?utm_source=... is the front page, from the same cache entry.
    cached = CachedPage(request, "home", query=QueryDict(), prefetch=[categories_cache_key()])
    response = cached.cached_response()
    if response is not None:
        return response
    listings = newest_listings(NEWEST_ON_HOME)
    context = {"categories": cached_categories(), "listings": listings, "cards": listing_cards(listings)}
    content = render_content("catalog/home.html", context, request)
    return cached.respond(_("Second-hand books from readers like you"), content)
