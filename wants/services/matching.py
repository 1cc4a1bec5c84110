"""Finding the wants and saved searches a listing answers, when it goes on sale or changes price.

Indexed, never a scan: the candidates are the wants with the listing's ISBN (``want_isbn_idx``) or with one of
the listing's title and author words as their key word (``want_key_word_idx``), and the saved searches keyed
by one of those words. A want's key word is one of its own words, and a listing answers a want only if it holds
all of them, so no want that could match is missed. The candidates (a handful per listing) are then checked in
Python against every condition, and saved searches through the catalog's own search on that one listing.

Runs in a job (``match_listing``), enqueued by wants.receivers in the transaction that offered the listing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import QueryDict

from catalog.forms.browse import BrowseForm
from catalog.models import Listing
from catalog.search.queries import find_listings, visible_listings
from shipping.quotes import cached_active_carriers, quotes, shop_terms
from wants.models import CONDITION_RANK, Match, SavedSearch, Want
from wants.services.badge import forget_counts
from wants.services.words import text_words


def for_sale(listing_id: int) -> Listing | None:
    """The listing with its book and seller's shop if buyers can buy it now (visible and in stock), else None."""
    return (
        visible_listings(Listing.objects.filter(pk=listing_id, quantity__gt=0))
        .select_related("book", "seller__shop")
        .first()
    )


class ShippingPrices:
    """The cheapest shipping of one copy of one shop's listing to each country asked, each country computed once."""

    def __init__(self, listing: Listing):
        shop = getattr(listing.seller, "shop", None)
        self.origin = shop.country if shop else None
        self.terms = shop_terms([shop.pk])[shop.pk] if shop else None
        self.carriers = None
        self.prices: dict[str, Decimal | None] = {}

    def cheapest(self, country) -> Decimal | None:
        """None when the shop sends nothing there."""
        code = str(getattr(country, "code", country) or "")
        if code not in self.prices:
            if self.origin is None or not code:
                self.prices[code] = None
            else:
                if self.carriers is None:
                    self.carriers = cached_active_carriers()
                found = quotes(self.origin, code, 1, self.terms, self.carriers)
                self.prices[code] = found[0].price if found else None
        return self.prices[code]


def want_accepts(want: Want, listing: Listing, listing_words: set[str], shipping: ShippingPrices) -> Decimal | None:
    """The price with shipping when ``listing`` meets every condition of ``want``, else None."""
    book = listing.book
    if CONDITION_RANK.get(listing.condition, 0) < CONDITION_RANK.get(want.min_condition, 0):
        return None
    if want.language and book.language != want.language:
        return None
    if want.binding and book.binding != want.binding:
        return None
    same_isbn = bool(want.isbn13) and book.isbn13 == want.isbn13
    if want.isbn13 and not want.any_edition:
        if not same_isbn:
            return None
    elif not same_isbn and not (want.words and set(want.words.split()) <= listing_words):
        return None
    postage = shipping.cheapest(want.country)
    if postage is None:
        return None
    total = listing.price + postage
    if want.max_price is not None and total > want.max_price:
        return None
    return total


def candidate_wants(listing: Listing, words: list[str]) -> list[Want]:
    """The wants with the listing's ISBN or one of its words as key word, not yet matched to it: two index reads
    (rather than an OR that the planner may turn into a scan of the table)."""
    base = (
        Want.objects.filter(paused=False)
        .exclude(user_id=listing.seller_id)
        .exclude(matches__listing=listing)
        .order_by()
    )
    found: dict[int, Want] = {}
    if listing.book.isbn13:
        found.update((want.pk, want) for want in base.filter(isbn13=listing.book.isbn13))
    if words:
        found.update((want.pk, want) for want in base.filter(key_word__in=words))
    return list(found.values())


def search_accepts(search: SavedSearch, listing: Listing) -> bool:
    """Whether the catalog's own search, as the buyer saved it, finds ``listing``."""
    form = BrowseForm(QueryDict(search.query))
    if not form.is_valid():
        return False
    return find_listings(form.catalog_query(), base=Listing.objects.filter(pk=listing.pk)).queryset.exists()


def match_listing(listing_id: int) -> int:
    """Record a match for each want and saved search ``listing_id`` answers (once each). Returns how many new."""
    listing = for_sale(listing_id)
    if listing is None:
        return 0
    book = listing.book
    words = text_words(f"{book.title} {book.authors}")
    word_set = set(words)
    shipping = ShippingPrices(listing)
    found: list[Match] = []
    for want in candidate_wants(listing, words):
        total = want_accepts(want, listing, word_set, shipping)
        if total is not None:
            found.append(Match(user_id=want.user_id, listing=listing, want=want, price=total))
    if words:
        searches = (
            SavedSearch.objects.filter(key_word__in=words, paused=False)
            .exclude(user_id=listing.seller_id)
            .exclude(matches__listing=listing)
        )
        for search in searches:
            if search_accepts(search, listing):
                found.append(Match(user_id=search.user_id, listing=listing, saved_search=search))
    if not found:
        return 0
    with transaction.atomic():
        # A listing offered twice quickly runs twice: the unique constraints keep one match per want.
        created = Match.objects.bulk_create(found, ignore_conflicts=True)
        forget_counts(match.user_id for match in found)
    return len(created)


def match_listings(listing_ids: list[int]) -> int:
    """``match_listing`` for each listing of a batch (a seller's import). Returns how many new matches."""
    return sum(match_listing(listing_id) for listing_id in listing_ids)
