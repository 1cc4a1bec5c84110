"""Fill the database with a small, realistic shop to click through.

Creates three buyers with a saved shipping address each (in the United States,
Colombia and Mexico, so that every way a parcel can go is there to try: within a
country and across a border), two sellers with shops in Colombia and the United
States, a staff superuser, about 120 books and 200 listings, each listing with a
drawn cover photo added through the same service as a seller's upload, and shipping
settings of its own for the Colombian shop (the American one ships at the carriers' rates). Running it
again creates nothing new: accounts are found by email, addresses by their
content, books by ISBN, listings by (seller, book), and only listings without a
photo get one.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Shop, User
from catalog.book_stats import refresh_book_stats
from catalog.management.demo_books import BOOKS
from catalog.management.seeding import DEMO_PASSWORD, cover_upload, isbn13, stable_index
from catalog.models import Book, Category, Listing
from catalog.services.photos import add_photos
from orders.models import Address
from shipping.models import ShopShipping
from shipping.quotes import carriers_from, zones_for
from shipping.shop_settings import save_shop_shipping
from shipping.zones import Zone


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    first_name: str
    last_name: str
    staff: bool = False
    shop: dict = field(default_factory=dict)
    # A saved shipping address (the buyer's default at checkout and on listing pages).
    address: dict = field(default_factory=dict)


BUYER = DemoAccount(
    "buyer",
    "buyer@example.com",
    "Beatriz",
    "Reader",
    address={
        "full_name": "Beatriz Reader",
        "line1": "1420 SE Belmont St",
        "city": "Portland",
        "region": "OR",
        "postal_code": "97214",
        "country": "US",
        "phone": "+1 503 555 0142",
    },
)
BUYER_CO = DemoAccount(
    "buyer",
    "lectora@example.com",
    "Valentina",
    "Ospina",
    address={
        "full_name": "Valentina Ospina",
        "line1": "Carrera 43A # 7-50, apto 802",
        "city": "Medellín",
        "region": "Antioquia",
        "postal_code": "050021",
        "country": "CO",
        "phone": "+57 300 555 0188",
    },
)
BUYER_MX = DemoAccount(
    "buyer",
    "lector@example.com",
    "Diego",
    "Hernández",
    address={
        "full_name": "Diego Hernández",
        "line1": "Calle Durango 214, Roma Norte",
        "city": "Ciudad de México",
        "region": "CDMX",
        "postal_code": "06700",
        "country": "MX",
        "phone": "+52 55 5555 0123",
    },
)
SELLER_CO = DemoAccount(
    "seller",
    "libreria@example.com",
    "Camilo",
    "Restrepo",
    shop={
        "name": "Librería La Candelaria",
        "slug": "libreria-la-candelaria",
        "city": "Bogotá",
        "region": "Cundinamarca",
        "country": "CO",
        "about": "Second-hand books in Spanish and English, from the old town of Bogotá.",
    },
)
SELLER_US = DemoAccount(
    "seller",
    "bookshop@example.com",
    "Grace",
    "Miller",
    shop={
        "name": "Brazos Street Books",
        "slug": "brazos-street-books",
        "city": "Austin",
        "region": "TX",
        "country": "US",
        "about": "Used and rare books, carefully graded, shipped from Texas.",
    },
)
STAFF = DemoAccount("staff", "admin@example.com", "Sam", "Admin", staff=True)
DEMO_ACCOUNTS = [BUYER, BUYER_CO, BUYER_MX, SELLER_CO, SELLER_US, STAFF]

# The Colombian shop ships its own way (every carrier that takes parcels from Colombia, its own price at home,
# one business day of handling); the American shop has no settings, so the carriers' rates and the default
# handling time apply: both ways a seller ships are there to try. (handling days, {zone: (first, each extra)})
DEMO_SHIPPING = {
    SELLER_CO.email: (1, {Zone.DOMESTIC.value: (Decimal("2.50"), Decimal("1.00"))}),
}

CONDITION_WEIGHTS = {
    Listing.Condition.AS_NEW: 10,
    Listing.Condition.FINE: 15,
    Listing.Condition.VERY_GOOD: 30,
    Listing.Condition.GOOD: 25,
    Listing.Condition.FAIR: 12,
    Listing.Condition.POOR: 8,
}
CONDITION_PRICE_FACTOR = {
    Listing.Condition.AS_NEW: 1.6,
    Listing.Condition.FINE: 1.35,
    Listing.Condition.VERY_GOOD: 1.1,
    Listing.Condition.GOOD: 0.9,
    Listing.Condition.FAIR: 0.7,
    Listing.Condition.POOR: 0.45,
}
CONDITION_NOTES = {
    Listing.Condition.AS_NEW: ["Unread copy, no marks.", "Read once; spine uncreased."],
    Listing.Condition.FINE: ["Clean pages, tight binding.", "Faint shelf wear on the corners."],
    Listing.Condition.VERY_GOOD: ["Light wear to the cover; pages clean.", "Previous owner's name on the flyleaf."],
    Listing.Condition.GOOD: ["Spine creased from reading; no missing pages.", "Some pencil notes in the margins."],
    Listing.Condition.FAIR: ["Cover scuffed and corners bumped.", "Yellowed pages, some underlining in pen."],
    Listing.Condition.POOR: ["Loose binding and water stain on the back cover.", "Reading copy only: heavy wear."],
}
BINDING_BASE_PRICE = {
    Book.Binding.HARDCOVER: 18.0,
    Book.Binding.PAPERBACK: 9.0,
    Book.Binding.MASS_MARKET: 6.0,
    Book.Binding.BOARD: 7.0,
}


@dataclass(frozen=True)
class PlannedListing:
    seller: DemoAccount
    isbn13: str
    condition: str
    condition_notes: str
    price: Decimal
    quantity: int
    status: str
    age: timedelta


def book_isbn(title: str) -> str:
    """A valid ISBN-13 that depends only on the title, so reruns find the same book."""
    return isbn13(f"9781{stable_index(title, 10**8):08d}")


def plan_listings() -> list[PlannedListing]:
    """The same ~200 listings on every run: a fixed seed, and nothing read from the database."""
    rng = random.Random(20_240_601)  # reproducible demo data, not security  # nosec B311
    conditions, weights = list(CONDITION_WEIGHTS), list(CONDITION_WEIGHTS.values())
    plan = []
    for title, _authors, _publisher, _year, language, binding, _category, _description in BOOKS:
        if rng.random() < 0.62:
            sellers = [SELLER_CO, SELLER_US]
        elif language == "es" or rng.random() < 0.35:
            sellers = [SELLER_CO]
        else:
            sellers = [SELLER_US]
        for seller in sellers:
            condition = rng.choices(conditions, weights)[0]
            price = BINDING_BASE_PRICE.get(binding, 9.0) * CONDITION_PRICE_FACTOR[condition] * rng.uniform(0.8, 1.7)
            cents = rng.choice([".99", ".50", ".00"])
            plan.append(
                PlannedListing(
                    seller=seller,
                    isbn13=book_isbn(title),
                    condition=condition,
                    condition_notes=rng.choice(CONDITION_NOTES[condition]),
                    price=Decimal(f"{max(1, int(price))}{cents}"),
                    quantity=rng.choices([1, 2, 3, 5], [70, 15, 10, 5])[0],
                    status=Listing.Status.PAUSED if rng.random() < 0.04 else Listing.Status.ACTIVE,
                    age=timedelta(days=rng.uniform(0, 120)),
                )
            )
    return plan


class Command(BaseCommand):
    help = "Create demo accounts, shops, books and listings with cover photos. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="apply migrations first, in the same process (what ./script/run does: one start-up, not two)",
        )

    def handle(self, *args, **options):
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        plan = plan_listings()
        with transaction.atomic():
            users, new_users, new_shops = self.ensure_accounts()
            books, new_books = self.ensure_books()
            new_listings = self.ensure_listings(plan, users, books)
            new_settings = self.ensure_shipping_settings(users)
        new_photos = self.ensure_photos(plan, users)
        refresh_book_stats(book.pk for book in books.values())  # the books view reads each book's figures

        self.stdout.write(
            f"Demo data: created {new_users} users, {new_shops} shops, {new_books} books, "
            f"{new_listings} listings, {new_settings} shop shipping settings and {new_photos} photos "
            f"({len(DEMO_ACCOUNTS)} accounts, {len(BOOKS)} books and {len(plan)} listings in the demo)."
        )
        self.print_logins(users)

    def ensure_accounts(self) -> tuple[dict[str, User], int, int]:
        users, new_users, new_shops = {}, 0, 0
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(email=account.email).first()
            if user is None:
                create = User.objects.create_superuser if account.staff else User.objects.create_user
                user = create(account.email, DEMO_PASSWORD, first_name=account.first_name, last_name=account.last_name)
                new_users += 1
            # Confirmed up front, as signing in, buying and selling need, since nobody reads these mailboxes;
            # a database seeded before that rule gets its demo addresses confirmed on the next run.
            EmailAddress.objects.update_or_create(
                user=user, email=account.email, defaults={"verified": True, "primary": True}
            )
            if account.shop:
                _shop, created = Shop.objects.get_or_create(owner=user, defaults=account.shop)
                new_shops += created
            if account.address:
                Address.objects.get_or_create(user=user, **account.address)
            users[account.email] = user
        return users, new_users, new_shops

    def ensure_shipping_settings(self, users: dict[str, User]) -> int:
        """Shipping settings of the shops in DEMO_SHIPPING that have none yet (a seller's own are never replaced)."""
        made = 0
        for email, (handling_days, prices) in DEMO_SHIPPING.items():
            shop = Shop.objects.get(owner=users[email])
            if ShopShipping.objects.filter(shop=shop).exists():
                continue
            carriers = {
                carrier: {zone: price for zone, price in prices.items() if zone in zones_for(carrier)}
                for carrier in carriers_from(shop.country)
            }
            save_shop_shipping(shop, handling_days, carriers)
            made += 1
        return made

    def ensure_books(self) -> tuple[dict[str, Book], int]:
        categories = {category.slug: category for category in Category.objects.all()}
        if not categories:
            raise CommandError("No categories: run `manage.py migrate` first.")
        fallback = categories.get("other") or next(iter(categories.values()))
        books, created_count = {}, 0
        for title, authors, publisher, year, language, binding, category, description in BOOKS:
            book, created = Book.objects.get_or_create(
                isbn13=book_isbn(title),
                defaults={
                    "title": title,
                    "authors": authors,
                    "publisher": publisher,
                    "year": year,
                    "language": language,
                    "binding": binding,
                    "category": categories.get(category, fallback),
                    "description": description,
                },
            )
            books[book.isbn13] = book
            created_count += created
        return books, created_count

    def ensure_listings(self, plan: list[PlannedListing], users: dict[str, User], books: dict[str, Book]) -> int:
        sellers = [users[SELLER_CO.email], users[SELLER_US.email]]
        existing = set(Listing.objects.filter(seller__in=sellers).values_list("seller_id", "book_id"))
        now = timezone.now()
        new = []
        for item in plan:
            seller, book = users[item.seller.email], books[item.isbn13]
            if (seller.pk, book.pk) in existing:
                continue
            new.append(
                Listing(
                    book=book,
                    seller=seller,
                    condition=item.condition,
                    condition_notes=item.condition_notes,
                    price=item.price,
                    quantity=item.quantity,
                    status=item.status,
                    published_at=now - item.age,
                )
            )
        Listing.objects.bulk_create(new)
        return len(new)

    def ensure_photos(self, plan: list[PlannedListing], users: dict[str, User]) -> int:
        """Give every demo listing without a photo a drawn cover, through the sellers' own upload path."""
        listings = (
            Listing.objects.filter(
                seller__in=[users[SELLER_CO.email], users[SELLER_US.email]],
                book__isbn13__in={item.isbn13 for item in plan},
                photos__isnull=True,
            )
            .select_related("book")
            .order_by("pk")
        )
        created = 0
        for listing in listings:
            created += len(add_photos(listing, [cover_upload(listing.book.title, listing.book.authors)]))
        return created

    def print_logins(self, users: dict[str, User]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Password for every demo account: {DEMO_PASSWORD}"))
        for account in DEMO_ACCOUNTS:
            user = users[account.email]
            if account.staff:
                note = "superuser: also signs in to /admin/"
            elif account.shop:
                shop = user.shop
                note = f"{shop.name} ({shop.city}, {shop.country.name}): /sell/"
            elif account.address:
                address = account.address
                note = f"buyer, ships to {address['city']}, {address['country']}"
            else:
                note = "buyer without a shop"
            self.stdout.write(f"  {account.role:<7} {account.email:<24} {note}")
