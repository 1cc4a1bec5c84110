"""The benchmark's data, sessions and EXPLAIN plans; used by bench/run.py after django.setup() with bench.settings.

Bulk data comes from `manage.py seed_bulk` (sellers under @bulk.example.com). On top of it each run adds a few
accounts of its own (@bench.example.com) and fresh listings for the buying scenarios, and retires the previous
run's, so runs do not depend on each other.
"""

from __future__ import annotations

import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Shop, User
from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.isbn import format_isbn
from catalog.management.seeding import analyze_catalog_tables
from catalog.models import Book, Category, Listing
from catalog.search import MARKER_PAGES, CatalogQuery, find_listings, ranked_ids_sql
from catalog.search.pages import rows_after
from orders.models import Address, CartLine, OrderLine

BULK_DOMAIN = "bulk.example.com"
BENCH_DOMAIN = "bench.example.com"
SELLERS = 4
FLOW_BUYERS = 8
RACE_BUYERS = 100
RACE_COPIES = 10
FLOW_LISTINGS = 1500
# One shop's inventory for the "inventory" scenario: kept from run to run, paused or drafts so the catalog's own
# scenarios never see it.
INVENTORY_LISTINGS = 20_000


def bulk_listing_count() -> int:
    return Listing.objects.filter(seller__email__endswith=f"@{BULK_DOMAIN}").count()


def load(listings: int) -> None:
    """Seed the bulk catalog (seed_bulk refreshes the optimizer's statistics of what it loaded)."""
    call_command("seed_bulk", listings=listings, verbosity=1)


def _account(email: str, password: str, first_name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first_name, "last_name": "Bench"})
    if created:
        user.password = password
        user.save(update_fields=["password"])
    # Checking out and selling need a confirmed address (accounts/verification.py).
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def prepare(rng: random.Random) -> dict:
    """Accounts, sessions and listings for this run; returns what the scenarios need (ids, cookies, paths)."""
    password = make_password(None)  # nobody signs in with a password: sessions are made below
    sellers = []
    for number in range(SELLERS):
        seller = _account(f"bench-seller-{number}@{BENCH_DOMAIN}", password, f"Seller{number}")
        Shop.objects.get_or_create(
            owner=seller,
            defaults={
                "name": f"Bench Books {number}",
                "slug": f"bench-books-{number}",
                "city": "Bogotá",
                "country": "CO",
            },
        )
        sellers.append(seller)
    buyers = [
        _account(f"bench-buyer-{number}@{BENCH_DOMAIN}", password, f"Buyer{number}")
        for number in range(FLOW_BUYERS + RACE_BUYERS)
    ]
    for buyer in buyers:
        if not Address.objects.filter(user=buyer).exists():
            Address.objects.create(
                user=buyer,
                full_name=f"{buyer.first_name} Bench",
                line1="Calle 1 # 2-3",
                city="Bogotá",
                country="CO",
                phone="+57 300 0000000",
            )
    reader = _account(f"bench-reader@{BENCH_DOMAIN}", password, "Reader")

    # The previous run's listings leave the catalog; carts start empty.
    retire([seller.pk for seller in sellers])
    CartLine.objects.filter(cart__user__in=[*buyers, reader]).delete()

    book_ids = list(Book.objects.filter(isbn13__startswith="9798").values_list("pk", flat=True)[:5000])
    now = timezone.now()
    fresh = [
        Listing(
            book_id=rng.choice(book_ids),
            seller=sellers[number % SELLERS],
            condition=Listing.Condition.GOOD,
            price=Decimal(rng.randint(500, 3000)) / 100,
            quantity=RACE_COPIES if number == 0 else 1,
            status=Listing.Status.ACTIVE,
            published_at=now,
        )
        for number in range(FLOW_LISTINGS + 1)
    ]
    created = Listing.objects.bulk_create(fresh)
    ids = [listing.pk for listing in created] if created[0].pk else _latest_ids(sellers, len(fresh))
    refresh_book_stats({listing.book_id for listing in fresh})
    inventory_seller = _inventory_shop(password, rng)
    catalog_changed()
    analyze_catalog_tables()  # the rows just added and archived, on a reused database too
    return {
        "reader_cookie": _session_cookie(reader),
        "inventory_cookie": _session_cookie(inventory_seller),
        "flow_cookies": [_session_cookie(buyer) for buyer in buyers[:FLOW_BUYERS]],
        "race_cookies": [_session_cookie(buyer) for buyer in buyers[FLOW_BUYERS:]],
        "race_listing": ids[0],
        "flow_listings": ids[1:],
        "seller_ids": [seller.pk for seller in sellers],
    }


def _inventory_shop(password: str, rng: random.Random) -> User:
    """A seller with INVENTORY_LISTINGS listings in one shop (created once, then reused), for /sell/."""
    seller = _account(f"bench-inventory@{BENCH_DOMAIN}", password, "Inventory")
    Shop.objects.get_or_create(
        owner=seller,
        defaults={"name": "Bench Inventory", "slug": "bench-inventory", "city": "Bogotá", "country": "CO"},
    )
    missing = INVENTORY_LISTINGS - Listing.objects.filter(seller=seller).count()
    if missing > 0:
        book_ids = list(Book.objects.filter(isbn13__startswith="9798").values_list("pk", flat=True)[:8000])
        conditions = Listing.Condition.values
        Listing.objects.bulk_create(
            [
                Listing(
                    book_id=rng.choice(book_ids),
                    seller=seller,
                    condition=rng.choice(conditions),
                    price=Decimal(rng.randint(100, 20000)) / 100,
                    quantity=rng.randint(0, 12),
                    status=Listing.Status.PAUSED if number % 5 else Listing.Status.DRAFT,
                )
                for number in range(missing)
            ],
            batch_size=2000,
        )
    return seller


def _latest_ids(sellers: list[User], count: int) -> list[int]:
    ids = Listing.objects.filter(seller__in=sellers, status=Listing.Status.ACTIVE).order_by("-pk")[:count]
    return sorted(ids.values_list("pk", flat=True))


def _session_cookie(user: User) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


def race_outcome(listing_id: int) -> dict:
    """What the race did to its listing, from the database: copies sold in orders, and the stock left."""
    listing = Listing.objects.get(pk=listing_id)
    sold = sum(OrderLine.objects.filter(listing_id=listing_id).values_list("quantity", flat=True))
    return {
        "copies": RACE_COPIES,
        "sold": sold,
        "oversold": max(0, sold - RACE_COPIES),
        "stock_left": listing.quantity,
        "stock_consistent": listing.quantity == RACE_COPIES - sold and listing.quantity >= 0,
    }


def retire(seller_ids: list[int]) -> None:
    """Take this run's listings off the catalog again."""
    with transaction.atomic():
        retired = Listing.objects.filter(seller_id__in=seller_ids, status=Listing.Status.ACTIVE)
        books = set(retired.values_list("book_id", flat=True))
        retired.update(status=Listing.Status.ARCHIVED)
        refresh_book_stats(books)
    catalog_changed()


# --- Scenario paths -------------------------------------------------------------------------------

COMMON_WORDS = ["river", "garden", "house", "secret", "winter", "kingdom", "letter", "island"]
AUTHORS = ["garcia", "sofia martinez", "lucas smith", "torres", "elena rivera"]
TWO_WORDS = ["lost river", "winter garden"]
NO_HITS = ["zyxwvut", "quarkonium"]


def paths(rng: random.Random, listings: int) -> dict[str, list[str]]:
    isbns = list(Book.objects.filter(isbn13__startswith="9798").order_by("?").values_list("isbn13", flat=True)[:3])
    searches = [*COMMON_WORDS, *AUTHORS, *TWO_WORDS, *NO_HITS]
    queries = [f"/books/?q={word.replace(' ', '+')}" for word in searches]
    queries += [f"/books/?q={format_isbn(isbn)}" for isbn in isbns]
    slugs = list(Category.objects.values_list("slug", flat=True))
    filters = [
        f"/books/?category={slugs[0]}",
        f"/books/?category={slugs[len(slugs) // 2]}&condition=good&sort=price_asc",
        "/books/?condition=very_good",
        "/books/?language=es",
        "/books/?binding=hardcover",
        "/books/?price_min=10&price_max=20",
        "/books/?sort=price_asc",
        "/books/?sort=price_desc",
        "/books/?language=fr&binding=paperback",
        "/books/?price_max=5&sort=price_desc",
    ]
    bulk = Listing.objects.filter(seller__email__endswith=f"@{BULK_DOMAIN}").values_list("pk", flat=True)
    top = bulk.order_by("-pk")[0]
    detail_ids = list(bulk.filter(pk__in=[rng.randint(1, top) for _ in range(400)])[:200])
    return {
        "bare": ["/bench/bare"],
        "raw_page": ["/bench/raw-page"],
        "catalog": ["/books/"],
        "home": ["/"],
        "deep_page": [f"/books/?page={min(4000, listings // 25)}"],
        "filtered_page1": ["/books/?language=es"],
        "deep_filtered": [f"/books/?language=es&page={min(1000, listings // 100)}"],
        "search": queries,
        "filters": filters,
        "detail": [f"/books/{pk}/" for pk in detail_ids],
        "inventory": inventory_paths(isbns),
        # The catalog shows books by default; the copy view beside it, and the book pages.
        "catalog_copies": ["/books/?view=copies"],
        "search_copies": [f"{path}&view=copies" for path in queries],
        "filters_copies": [f"{path}&view=copies" for path in filters],
        "book_page": [
            f"/books/work/{pk}/" for pk in Listing.objects.filter(pk__in=detail_ids).values_list("book_id", flat=True)
        ],
    }


def inventory_paths(isbns: list[str]) -> list[str]:
    """The seller's inventory of INVENTORY_LISTINGS: every sort, searches, filters and a deep page."""
    return [
        "/sell/",
        "/sell/?sort=price",
        "/sell/?sort=-price",
        "/sell/?sort=-quantity",
        "/sell/?sort=title",
        "/sell/?sort=condition",
        "/sell/?sort=status",
        "/sell/?q=river",
        "/sell/?q=garcia",
        "/sell/?q=lost+river",
        *[f"/sell/?q={format_isbn(isbn)}" for isbn in isbns[:2]],
        "/sell/?status=draft&sort=price",
        "/sell/?condition=good&sort=-price",
        "/sell/?status=paused&condition=fine",
        "/sell/?page=400",
        "/sell/?q=garden&page=3",
    ]


# --- EXPLAIN --------------------------------------------------------------------------------------


def _explain(queryset) -> list[dict]:
    return _explain_sql(*queryset.query.sql_with_params())


def _explain_sql(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def explain_plans(listings: int) -> dict:
    """EXPLAIN of the id queries behind the main scenarios, as fetch_page runs them."""
    plans = {}
    for name, query in {
        "search 'river'": CatalogQuery(q="river"),
        "search 'elena rivera'": CatalogQuery(q="elena rivera"),
        "catalog page 1": CatalogQuery(),
        "filter language=es": CatalogQuery(language="es"),
    }.items():
        result = find_listings(query)
        if result.best_books is not None:  # a search: books ranked on the full-text index, then their listings
            plans[name] = _explain_sql(*ranked_ids_sql(result.queryset, result.ordering, result.best_books, 0, 25))
        else:
            plans[name] = _explain(result.queryset.order_by(*result.ordering).values_list("id", flat=True)[:25])
    # A deep page seeks from its marker: the sort key that ends the page before it, then skips the rest.
    result = find_listings(CatalogQuery())
    page = min(4000, listings // 25)
    segment = (page - 1) // MARKER_PAGES
    fields = [field.lstrip("-") for field in result.ordering]
    marker_row = segment * MARKER_PAGES * 24 - 1
    marker = result.queryset.order_by(*result.ordering).values_list(*fields)[marker_row]
    offset = (page - 1 - segment * MARKER_PAGES) * 24
    seek = result.queryset.filter(rows_after(result.ordering, marker)).order_by(*result.ordering)
    plans[f"catalog page {page} (seek from its marker)"] = _explain(
        seek.values_list("id", flat=True)[offset : offset + 25]
    )
    return plans
