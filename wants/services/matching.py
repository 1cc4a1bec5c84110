"""Finding the wants and saved searches a listing answers, when it goes on sale or changes price.

Indexed, never a scan: the candidates are the wants with the listing's ISBN (``want_isbn_idx``) or with one of
the listing's title and author words as their key word (``want_key_word_idx``), and the saved searches keyed
by one of those words. A want's key word is one of its own words, and a listing answers a want only if it holds
all of them, so no want that could match is missed. The candidates (a handful per listing) are then checked in
Python against every condition, and saved searches through the catalog's own search on that one listing.

Runs in a job (``match_listing``), enqueued by wants.receivers in the transaction that offered the listing.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.http import QueryDict

from catalog.forms.browse import BrowseForm
from catalog.models import Listing
from catalog.search.queries import find_listings, visible_listings
from shipping.quotes import cached_active_carriers, cached_shop_terms, quotes
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
        self.shop_id = shop.pk if shop else None
        self.origin = shop.country if shop else None
        self.terms = None
        self.carriers = None
        self.prices: dict[str, Decimal | None] = {}

    def cheapest(self, country) -> Decimal | None:
        """None when the shop sends nothing there."""
        code = str(getattr(country, "code", country) or "")
        if code not in self.prices:
            if self.origin is None or not code:
                self.prices[code] = None
            else:
                if self.carriers is None:  # read once, and only when a want needs a price
                    self.terms = cached_shop_terms(self.shop_id)
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


def search_accepts(search: SavedSearch, listing: Listing) -> bool:
    """Whether the catalog's own search, as the buyer saved it, finds ``listing``."""
    form = BrowseForm(QueryDict(search.query))
    if not form.is_valid():
        return False
    return find_listings(form.catalog_query(), base=Listing.objects.filter(pk=listing.pk)).queryset.exists()


def match_listing(listing_id: int) -> int:
    """Record a match for each want and saved search ``listing_id`` answers (once each). Returns how many new."""
    return match_listings([listing_id])


def match_listings(listing_ids: list[int]) -> int:
    """``match_listing`` for many listings (a seller's import), in chunks with a fixed number of queries each
    (plus one per candidate saved search). Returns how many matches were recorded."""
    ids = list(listing_ids)
    return sum(_match_chunk(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))


def match_seller_listings(seller_id: int, since: str) -> int:
    """Match the seller's listings on sale that changed since ``since`` (ISO 8601): a whole import at once."""
    ids = list(
        Listing.objects.filter(
            seller_id=seller_id, status=Listing.Status.ACTIVE, quantity__gt=0, updated_at__gte=since
        ).values_list("pk", flat=True)
    )
    return match_listings(ids)


CHUNK = 500


def _match_chunk(listing_ids: list[int]) -> int:
    listings = list(
        visible_listings(Listing.objects.filter(pk__in=listing_ids, quantity__gt=0)).select_related(
            "book", "seller__shop"
        )
    )
    if not listings:
        return 0
    words_of = {listing.pk: text_words(f"{listing.book.title} {listing.book.authors}") for listing in listings}
    all_words = {word for words in words_of.values() for word in words}
    isbns = {listing.book.isbn13 for listing in listings if listing.book.isbn13}
    # Two index reads (ISBN, key word) rather than an OR that the planner may turn into a scan of the table.
    base = Want.objects.filter(paused=False).order_by()
    by_isbn: dict[str, list[Want]] = defaultdict(list)
    by_word: dict[str, list[Want]] = defaultdict(list)
    if isbns:
        for want in base.filter(isbn13__in=isbns):
            by_isbn[want.isbn13].append(want)
    if all_words:
        for want in base.filter(key_word__in=all_words):
            by_word[want.key_word].append(want)
    searches = list(SavedSearch.objects.filter(key_word__in=all_words, paused=False).order_by()) if all_words else []
    done_wants, done_searches = set(), set()
    if by_isbn or by_word or searches:
        for want_id, search_id, listing_id in Match.objects.filter(
            listing_id__in=[x.pk for x in listings]
        ).values_list("want_id", "saved_search_id", "listing_id"):
            if want_id:
                done_wants.add((want_id, listing_id))
            else:
                done_searches.add((search_id, listing_id))
    shipping: dict[int, ShippingPrices] = {}
    found: list[Match] = []
    for listing in listings:
        words = words_of[listing.pk]
        word_set = set(words)
        candidates = {want.pk: want for want in by_isbn.get(listing.book.isbn13 or "", ())}
        for word in words:
            candidates.update((want.pk, want) for want in by_word.get(word, ()))
        prices = shipping.get(listing.seller_id) or shipping.setdefault(listing.seller_id, ShippingPrices(listing))
        for want in candidates.values():
            if want.user_id == listing.seller_id or (want.pk, listing.pk) in done_wants:
                continue
            total = want_accepts(want, listing, word_set, prices)
            if total is not None:
                found.append(Match(user_id=want.user_id, listing=listing, want=want, price=total))
        for search in searches:
            if (
                search.key_word in word_set
                and search.user_id != listing.seller_id
                and (search.pk, listing.pk) not in done_searches
                and search_accepts(search, listing)
            ):
                found.append(Match(user_id=search.user_id, listing=listing, saved_search=search))
    if not found:
        return 0
    with transaction.atomic():
        # A listing offered twice quickly runs twice: the unique constraints keep one match per want.
        Match.objects.bulk_create(found, ignore_conflicts=True)
        forget_counts(match.user_id for match in found)
    return len(found)
