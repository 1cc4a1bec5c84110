"""Load a large synthetic catalog for benchmarks: sellers, books and active listings in bulk.

Rows are built from word lists with one seeded random generator (no per-row
Faker), written with bulk_create in batches, one transaction per batch, so
100,000 listings load in minutes. Every account gets the same password, hashed
once. Covers come from a small pool of thumbnails stored once through the
storage API and shared by name. Each run adds new rows: ISBNs, emails and shop
slugs continue after the ones an earlier run left.
"""

import itertools
import random
import time
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Shop, User
from catalog.book_stats import rebuild_book_stats
from catalog.management.seeding import DEMO_PASSWORD, analyze_catalog_tables, cover_photo, isbn13
from catalog.models import Book, Category, Listing, photo_upload_to

EMAIL_DOMAIN = "bulk.example.com"
# 979-8 is a real but sparsely used prefix; seed_demo uses 978-1, so the two never collide.
ISBN_PREFIX = "9798"
COVER_POOL = 40

# Word lists read best packed; the formatter would put one word per line.
# fmt: off
ADJECTIVES = [
    "Silent", "Hidden", "Last", "Broken", "Golden", "Forgotten", "Burning", "Distant", "Secret", "Winter", "Summer",
    "Crimson", "Quiet", "Lost", "Endless", "Bitter", "Northern", "Wild", "Iron", "Glass", "Paper", "Midnight",
    "Hollow", "Little", "Savage", "Gentle", "Invisible", "Restless", "Ancient", "Salt"
]
NOUNS = [
    "River", "Garden", "House", "Kingdom", "Letter", "Harbor", "Mountain", "Shadow", "Island", "Empire", "Orchard",
    "Lighthouse", "Library", "Bridge", "Storm", "Forest", "Desert", "Mirror", "Clock", "Map", "Voyage", "Daughter",
    "Stranger", "Witness", "Archive", "Frontier", "Signal", "Harvest", "Compass", "Crown"
]
PLACES = [
    "Bogotá", "Lisbon", "Kyoto", "Cairo", "Oaxaca", "Dublin", "Havana", "Prague", "Lagos", "Valparaíso", "Istanbul",
    "Montreal", "Tangier", "Sevilla", "Cartagena", "Vienna", "Nairobi", "Galway", "Trieste", "Medellín"
]
FIRST_NAMES = [
    "Ana", "Carlos", "Maria", "James", "Sofia", "Daniel", "Laura", "Miguel", "Emma", "Lucas", "Isabel", "Tomás",
    "Olivia", "Mateo", "Camila", "Peter", "Elena", "Juan", "Grace", "Hugo", "Lucía", "Samuel", "Clara", "Andrés",
    "Nora", "Diego", "Valentina", "Oscar", "Julia", "Rafael"
]
LAST_NAMES = [
    "García", "Smith", "Rodríguez", "Johnson", "Martínez", "Brown", "López", "Taylor", "Hernández", "Wilson",
    "González", "Moore", "Pérez", "Clark", "Sánchez", "Lewis", "Ramírez", "Walker", "Torres", "Hall", "Flores",
    "Young", "Rivera", "King", "Gómez", "Wright", "Díaz", "Scott", "Morales", "Green"
]
PUBLISHERS = [
    "Penguin", "Vintage", "HarperCollins", "Alfaguara", "Anagrama", "Planeta", "Random House", "Faber & Faber",
    "Seix Barral", "Scribner", "Gallimard", "Suhrkamp", "Bloomsbury", "Picador", "Tusquets", "Oxford University Press",
    "MIT Press", "Knopf", "Norton", "Siruela",
]
# fmt: on
OPENINGS = [
    "A sweeping story of {noun_l}s and {noun2_l}s set in {place}.",
    "In {place}, {a_adj_l} {noun_l} changes the life of everyone who finds it.",
    "The {adj_l} history of {place}, told through the people who built it.",
    "When the {noun_l} falls silent, two strangers in {place} must trust each other.",
    "An essential guide to the {noun_l} and the {adj_l} world around it.",
    "{first} {last} returns with {a_adj_l} tale of memory, loss and the {noun2_l}.",
]
MIDDLES = [
    "Written with warmth and wit, it moves between past and present.",
    "Praised by critics for its vivid characters and sharp dialogue.",
    "Includes maps, notes and a new introduction.",
    "A book about family, ambition and the price of keeping secrets.",
    "Each chapter follows a different voice, until the threads meet.",
    "Part adventure, part mystery, it rewards a second reading.",
]
ENDINGS = [
    "A modern classic.",
    "Winner of several literary prizes.",
    "Now a major television series.",
    "The first volume of a celebrated trilogy.",
    "A favourite of book clubs everywhere.",
    "",
]
LANGUAGE_WEIGHTS = {"en": 55, "es": 30, "fr": 5, "de": 4, "pt": 3, "it": 2, "other": 1}
BINDING_WEIGHTS = {"paperback": 60, "hardcover": 22, "mass_market": 14, "board": 2, "leather": 1, "spiral": 1}
CONDITION_WEIGHTS = {"as_new": 8, "fine": 14, "very_good": 32, "good": 28, "fair": 12, "poor": 6}
CONDITION_NOTES = [
    "",
    "Light shelf wear.",
    "Name on the flyleaf.",
    "Spine creased from reading.",
    "Some underlining in pencil.",
    "Corners bumped, pages clean.",
]


def _article(word: str, capital: bool = False) -> str:
    article = "an" if word[0].lower() in "aeiou" else "a"
    return f"{article.capitalize() if capital else article} {word}"


def _weighted(rng: random.Random, weights: dict[str, int]):
    """A picker of keys by weight; cumulative weights computed once, not per row."""
    population, cum_weights = list(weights), list(itertools.accumulate(weights.values()))
    return lambda: rng.choices(population, cum_weights=cum_weights)[0]


class Command(BaseCommand):
    help = "Bulk-load sellers, books and active listings for benchmarks (adds to what is there)."

    def add_arguments(self, parser):
        parser.add_argument("--listings", type=int, default=100_000, help="listings to create (default 100000)")
        parser.add_argument("--books", type=int, help="books to create (default listings/5)")
        parser.add_argument("--sellers", type=int, help="sellers with a shop to create (default listings/50)")
        parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT and transaction (default 5000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed, for reproducible data (default 1)")

    def handle(self, *args, listings, books, sellers, batch, seed, **options):
        books = books if books is not None else max(1, listings // 5)
        sellers = sellers if sellers is not None else max(1, listings // 50)
        if min(listings, books, sellers, batch) < 1:
            raise CommandError("--listings, --books, --sellers and --batch must be positive.")
        self.rng = random.Random(seed)  # reproducible fake data, not security  # nosec B311
        self.batch = batch
        self.verbose = options["verbosity"] > 0
        categories = list(Category.objects.values_list("pk", flat=True))
        if not categories:
            raise CommandError("No categories: run `manage.py migrate` first.")

        started = time.monotonic()
        covers = self.make_cover_pool()
        seller_ids = self.create_sellers(sellers)
        book_ids = self.create_books(books, categories)
        self.create_listings(listings, book_ids, seller_ids, covers)
        rebuild_book_stats()  # the books view reads each book's figures
        analyze_catalog_tables()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Created {sellers:,} sellers with shops, {books:,} books and {listings:,} active listings "
            f"in {elapsed:.1f} s (password for every seller: {DEMO_PASSWORD})."
        )

    # --- Progress ---------------------------------------------------------

    def progress(self, label: str, done: int, total: int, started: float) -> None:
        if not self.verbose:
            return
        rate = done / max(time.monotonic() - started, 1e-6)
        end = "\n" if done >= total else ""
        # style_func=str: progress is not an error, so no red on a terminal.
        self.stderr.write(f"\r  {label:<9} {done:>9,}/{total:,}  {rate:,.0f}/s", style_func=str, ending=end)
        self.stderr.flush()

    def batches(self, total: int):
        for start in range(0, total, self.batch):
            yield start, min(start + self.batch, total)

    # --- Covers -----------------------------------------------------------

    def make_cover_pool(self) -> list[str]:
        """Draw a few covers and store only their thumbnails; listings share them by name."""
        names = []
        started = time.monotonic()
        for i in range(COVER_POOL):
            title = f"The {self.rng.choice(ADJECTIVES)} {self.rng.choice(NOUNS)}"
            author = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            thumbnail = cover_photo(title, author, size=(360, 480)).thumbnail
            names.append(default_storage.save(photo_upload_to(None, thumbnail.name), thumbnail))
            self.progress("covers", i + 1, COVER_POOL, started)
        return names

    # --- Sellers ----------------------------------------------------------

    def create_sellers(self, count: int) -> list[int]:
        rng = self.rng
        first = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count()
        password = make_password(DEMO_PASSWORD)  # hashing is slow on purpose: do it once
        cities = [("Bogotá", "CO"), ("Medellín", "CO"), ("Cali", "CO"), ("Austin", "US"), ("Boston", "US")]
        # Only where a shop can open (accounts.models.SHOP_COUNTRIES): the carriers serve these countries.
        cities += [("Madrid", "ES"), ("Sevilla", "ES"), ("Mexico City", "MX"), ("Guadalajara", "MX"), ("Tampa", "US")]
        ids: list[int] = []
        started = time.monotonic()
        for start, end in self.batches(count):
            emails = [f"seller{first + n:07d}@{EMAIL_DOMAIN}" for n in range(start, end)]
            users = [
                User(
                    email=email,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    password=password,
                )
                for email in emails
            ]
            with transaction.atomic():
                User.objects.bulk_create(users)
                by_email = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
                shops = []
                for n, email in zip(range(start, end), emails, strict=True):
                    city, country = rng.choice(cities)
                    shops.append(
                        Shop(
                            owner_id=by_email[email],
                            name=f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} Books {first + n}",
                            slug=f"bulk-shop-{first + n}",
                            city=city,
                            country=country,
                        )
                    )
                Shop.objects.bulk_create(shops)
                # Confirmed addresses: signing in with the shared password must not wait for an email.
                EmailAddress.objects.bulk_create(
                    EmailAddress(user_id=pk, email=email, verified=True, primary=True)
                    for email, pk in by_email.items()
                )
            ids.extend(by_email[email] for email in emails)
            self.progress("sellers", end, count, started)
        return ids

    # --- Books ------------------------------------------------------------

    def next_isbn_serial(self) -> int:
        last = (
            Book.objects.filter(isbn13__startswith=ISBN_PREFIX).order_by("-isbn13").values_list("isbn13", flat=True)
        ).first()
        return int(last[len(ISBN_PREFIX) : 12]) + 1 if last else 0

    def make_title(self) -> str:
        rng = self.rng
        adj, noun, noun2, place = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS), rng.choice(PLACES)
        return rng.choice(
            [
                f"The {adj} {noun}",
                f"The {noun} of {place}",
                f"{noun} and {noun2}",
                f"{_article(noun, capital=True)} for the {adj} {noun2}",
                f"{rng.choice(FIRST_NAMES)}'s {noun}",
                f"The Last {noun} in {place}",
                f"{adj} {noun}s",
            ]
        )

    def make_authors(self) -> str:
        rng = self.rng
        count = rng.choices([1, 2, 3], [85, 12, 3])[0]
        return ", ".join(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(count))

    def make_description(self) -> str:
        rng = self.rng
        adjective = rng.choice(ADJECTIVES).lower()
        words = {
            "noun_l": rng.choice(NOUNS).lower(),
            "noun2_l": rng.choice(NOUNS).lower(),
            "adj_l": adjective,
            "a_adj_l": _article(adjective),
            "place": rng.choice(PLACES),
            "first": rng.choice(FIRST_NAMES),
            "last": rng.choice(LAST_NAMES),
        }
        return " ".join(
            part for part in (rng.choice(OPENINGS).format(**words), rng.choice(MIDDLES), rng.choice(ENDINGS)) if part
        )

    def create_books(self, count: int, categories: list[int]) -> list[int]:
        rng = self.rng
        language, binding = _weighted(rng, LANGUAGE_WEIGHTS), _weighted(rng, BINDING_WEIGHTS)
        first = self.next_isbn_serial()
        if first + count > 10**8:
            raise CommandError(f"The {ISBN_PREFIX} ISBN block is full; use a fresh database.")
        ids: list[int] = []
        started = time.monotonic()
        for start, end in self.batches(count):
            isbns = [isbn13(f"{ISBN_PREFIX}{first + n:08d}") for n in range(start, end)]
            rows = [
                Book(
                    isbn13=isbn,
                    title=self.make_title(),
                    authors=self.make_authors(),
                    publisher=rng.choice(PUBLISHERS),
                    year=rng.randint(1950, 2024),
                    language=language(),
                    binding=binding(),
                    category_id=rng.choice(categories),
                    description=self.make_description(),
                )
                for isbn in isbns
            ]
            with transaction.atomic():
                Book.objects.bulk_create(rows)
            ids.extend(Book.objects.filter(isbn13__in=isbns).values_list("pk", flat=True))
            self.progress("books", end, count, started)
        return ids

    # --- Listings ---------------------------------------------------------

    def create_listings(self, count: int, book_ids: list[int], seller_ids: list[int], covers: list[str]) -> None:
        rng = self.rng
        condition = _weighted(rng, CONDITION_WEIGHTS)
        now = timezone.now()
        two_years = 730 * 24 * 3600
        started = time.monotonic()
        for start, end in self.batches(count):
            rows = [
                Listing(
                    book_id=rng.choice(book_ids),
                    seller_id=rng.choice(seller_ids),
                    condition=condition(),
                    condition_notes=rng.choice(CONDITION_NOTES),
                    price=Decimal(rng.randint(150, 9000)) / 100,
                    quantity=rng.choices([1, 2, 3, 5, 10], [70, 14, 8, 5, 3])[0],
                    status=Listing.Status.ACTIVE,
                    cover=rng.choice(covers),
                    published_at=now - timedelta(seconds=rng.randint(0, two_years)),
                )
                for _ in range(start, end)
            ]
            with transaction.atomic():
                Listing.objects.bulk_create(rows)
            self.progress("listings", end, count, started)
