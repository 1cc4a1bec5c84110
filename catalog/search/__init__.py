"""The read side of the public catalog: text search, filters, sort orders and cheap pages.

Everything here starts from ``visible_listings()`` (the rule of ``Listing.objects.visible()``),
so a buyer never sees a draft, paused, hidden or archived listing, nor one of a deactivated seller.

Search uses the FULLTEXT index ``catalog_book_fulltext`` on MySQL/MariaDB (migration
0002) and a LIKE fallback elsewhere; both ignore case and accents ("marquez" finds
"García Márquez": MariaDB by its collation, SQLite through catalog.folding). Pages are
fetched in two queries: the ids of one page (ordered with a unique tie-breaker, one row
more than a page to know whether a next page exists), then those listings with their
book, category, seller and shop. No query counts the whole result: the count shown
("1-24 of 3,412") stops at COUNT_LIMIT results, and on MariaDB at COUNT_ROWS rows read ("more than 310");
a ranked search counts its rows in its own id query.

Filters never join the books: each listing carries copies of its book's language, binding, shelf and title
(Listing.book_language ..., kept in step by the models' save and bulk methods), and every sort order has an index
of its own and one per equality filter (language, binding, shelf, a single condition), each holding every filtered
column (catalog.models._catalog_index). ``filter_indexes`` names the ones a page and its count should read, and on
MariaDB the id query is restricted to them (USE INDEX): its estimates for ORDER BY ... LIMIT ignore OFFSET, so a deep
page would otherwise walk the general order. A page therefore reads at most its offset and a page of entries of one
index, divided by how selective the filters its index does not start with are; a narrow combination of book
filters is read from its books instead (``shelves``), which bounds it by the copies the combination holds.

The modules, one job each: ``words`` (the query's words and what the index holds), ``queries`` (filters, text
search, visibility and sort orders: find_listings), ``ranked`` (a search's best books), ``pages`` (fetch_page,
deep-page markers, the home page's and a listing's lists), ``counts`` (count_results), ``shelves`` (the plan of a
narrow combination of book filters) and ``categories`` (the cached category list). Import from ``catalog.search``;
a test that changes a tunable (SEARCH_BOOKS, MARKER_PAGES, COUNT_LIMIT, COUNT_ROWS, SHELF_COPIES) patches the
module that defines it.
"""

from catalog.search.categories import (
    CATEGORY_CACHE_KEY,
    CATEGORY_CACHE_SECONDS,
    CategoryEntry,
    cached_categories,
    categories_cache_key,
    forget_cached_categories,
)
from catalog.search.counts import COUNT_LIMIT, ResultCount, count_results
from catalog.search.pages import (
    CARD_RELATIONS,
    KEYSET_ORDERINGS,
    MARKER_PAGES,
    ListingPage,
    OtherCopy,
    fetch_page,
    newest_listings,
    other_copies,
    ranked_ids_sql,
)
from catalog.search.queries import (
    ORDERINGS,
    SORT_NEWEST,
    SORT_PRICE_ASC,
    SORT_PRICE_DESC,
    SORT_RELEVANCE,
    CatalogQuery,
    CatalogResult,
    FullTextMatch,
    TextSearch,
    apply_text_search,
    find_listings,
    visible_listings,
)
from catalog.search.ranked import SEARCH_BOOKS
from catalog.search.words import MAX_WORDS, boolean_mode_query, is_indexable, search_words

__all__ = [
    "CARD_RELATIONS",
    "CATEGORY_CACHE_KEY",
    "CATEGORY_CACHE_SECONDS",
    "COUNT_LIMIT",
    "KEYSET_ORDERINGS",
    "MARKER_PAGES",
    "MAX_WORDS",
    "ORDERINGS",
    "SEARCH_BOOKS",
    "SORT_NEWEST",
    "SORT_PRICE_ASC",
    "SORT_PRICE_DESC",
    "SORT_RELEVANCE",
    "CatalogQuery",
    "CatalogResult",
    "CategoryEntry",
    "FullTextMatch",
    "ListingPage",
    "OtherCopy",
    "ResultCount",
    "TextSearch",
    "apply_text_search",
    "boolean_mode_query",
    "cached_categories",
    "categories_cache_key",
    "count_results",
    "fetch_page",
    "find_listings",
    "forget_cached_categories",
    "is_indexable",
    "newest_listings",
    "other_copies",
    "ranked_ids_sql",
    "search_words",
    "visible_listings",
]
