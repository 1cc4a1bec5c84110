"""Measure matching at scale: seed N wants (default 100,000) and time matching M new listings (default 1,000).

    manage.py bench_wants [--wants 100000] [--listings 1000] [--seed 1]

It writes test rows (users bench-want-*@example.invalid, a shop, books with ISBNs 979-…) to the configured
database and deletes them at the end (--keep leaves them). About half the listings are books some wants look
for (their words or their ISBN), half are not. Prints the seeding time, the matching time per listing (mean,
95th percentile, worst), the queries per listing and the matches found.
"""

from __future__ import annotations

import random
import statistics
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from stdnum import ean

from accounts.models import Shop, User
from catalog.models import Book, Category, Listing
from wants.models import Match, Want
from wants.services.words import key_word, text_words

PREFIX = "bench-want-"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 10))))
    return sorted(words)


def _isbn(n: int) -> str:
    body = f"979{n:09d}"
    return body + ean.calc_check_digit(body)


class Command(BaseCommand):
    help = "Seed many wants and time matching new listings against them (the want lists' bench)."

    def add_arguments(self, parser):
        parser.add_argument("--wants", type=int, default=100_000)
        parser.add_argument("--listings", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep", action="store_true", help="Leave the seeded rows in the database.")

    def handle(self, *args, wants: int, listings: int, seed: int, keep: bool, **options):
        if not (1 <= wants <= 1_000_000 and 1 <= listings <= 100_000):
            raise CommandError("--wants must be 1 to 1,000,000 and --listings 1 to 100,000.")
        if User.objects.filter(email__startswith=PREFIX).exists():
            raise CommandError("Rows of an earlier run are still there: delete users bench-want-* first.")
        from wants.services.matching import match_listing

        rng = random.Random(seed)  # noqa: S311  # nosec B311 - reproducible fake data for the bench, not security
        vocabulary = _vocabulary(rng, 20_000)
        started = time.perf_counter()
        users, _rows, targets = self._seed_wants(rng, vocabulary, wants)
        seller, category = self._seller()
        seeded = time.perf_counter() - started
        self.stdout.write(f"Seeded {wants:,} wants for {len(users):,} buyers in {seeded:.1f} s")

        listing_ids = self._listings(rng, vocabulary, targets, seller, category, listings)
        timings, queries = [], []
        for listing_id in listing_ids:
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                match_listing(listing_id)
                timings.append(time.perf_counter() - begin)
            queries.append(len(captured))
        found = Match.objects.filter(listing_id__in=listing_ids).count()
        timings.sort()
        total = sum(timings)
        self.stdout.write(
            f"Matched {len(listing_ids):,} listings in {total:.2f} s: mean {statistics.mean(timings) * 1000:.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1] * 1000:.1f} ms, worst {timings[-1] * 1000:.1f} ms, "
            f"queries per listing mean {statistics.mean(queries):.1f} max {max(queries)}; {found:,} matches"
        )
        self.stdout.write(f"1,000 listings an hour need {total / len(listing_ids) * 1000:.1f} s of a worker per hour")
        if not keep:
            self._clean(seller, listing_ids)
        return None

    def _seed_wants(self, rng, vocabulary, count):
        password = make_password(None)
        buyers = max(1, count // 10)
        users = User.objects.bulk_create(
            [User(email=f"{PREFIX}{n}@example.invalid", password=password) for n in range(buyers)], batch_size=2000
        )
        if users[0].pk is None:  # MySQL does not return ids from bulk_create
            users = list(User.objects.filter(email__startswith=PREFIX).order_by("pk"))
        rows, targets = [], []
        for n in range(count):
            user = users[n % len(users)]
            if n % 3 == 0:
                isbn = _isbn(n)
                rows.append(Want(user=user, isbn13=isbn, country="CO", max_price=Decimal("40.00")))
                targets.append(("isbn", isbn))
            else:
                words = rng.sample(vocabulary, rng.randint(2, 4))
                folded = text_words(" ".join(words))
                rows.append(
                    Want(
                        user=user,
                        title=" ".join(words),
                        words=" ".join(folded),
                        key_word=key_word(folded),
                        country="CO",
                        min_condition=rng.choice(["good", "very_good", "fair"]),
                    )
                )
                targets.append(("words", " ".join(words)))
        with transaction.atomic():
            Want.objects.bulk_create(rows, batch_size=5000)
        return users, rows, targets

    def _seller(self):
        seller = User.objects.create(email=f"{PREFIX}seller@example.invalid", password=make_password(None))
        Shop.objects.create(owner=seller, name="Bench wants", slug=f"{PREFIX}shop", city="Bogotá", country="CO")
        category = Category.objects.order_by("pk").first() or Category.objects.create(name="Bench", slug="bench")
        return seller, category

    def _listings(self, rng, vocabulary, targets, seller, category, count):
        ids = []
        now = timezone.now()
        for n in range(count):
            isbn, title = None, " ".join(rng.sample(vocabulary, 4))
            if n % 2 == 0:
                kind, value = rng.choice(targets)
                if kind == "isbn":
                    isbn = value
                else:
                    title = f"{value} {rng.choice(vocabulary)}"
            book = Book.objects.filter(isbn13=isbn).first() if isbn else None
            if book is None:
                book = Book.objects.create(isbn13=isbn, title=title, authors="Bench Author", category=category)
            listing = Listing.objects.create(
                book=book,
                seller=seller,
                condition=rng.choice(["as_new", "very_good", "good", "poor"]),
                price=Decimal(rng.randint(3, 40)),
                quantity=1,
                status=Listing.Status.ACTIVE,
                published_at=now,
            )
            ids.append(listing.pk)
        return ids

    def _clean(self, seller, listing_ids):
        with transaction.atomic():
            Match.objects.filter(listing_id__in=listing_ids).delete()
            book_ids = list(Listing.objects.filter(pk__in=listing_ids).values_list("book_id", flat=True))
            Listing.objects.filter(pk__in=listing_ids).delete()
            Book.objects.filter(pk__in=book_ids, listings__isnull=True).delete()
            Want.objects.filter(user__email__startswith=PREFIX).delete()
            Shop.objects.filter(owner=seller).delete()
            User.objects.filter(email__startswith=PREFIX).delete()
