"""Write every book's figures (catalog.models.BookStats) again from the listings.

The services keep the figures in step as listings change; this is for a database loaded without them (a bulk load,
a restore) or to check them: safe to run while the site runs, a batch of books per transaction.

    python manage.py rebuild_book_stats [--batch 1000]
"""

import time

from django.core.management.base import BaseCommand

from catalog.book_stats import BATCH_BOOKS, rebuild_book_stats
from catalog.cache import catalog_changed


class Command(BaseCommand):
    help = "Write every book's figures for the catalog's books view again from its listings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=BATCH_BOOKS, help=f"books per transaction (default {BATCH_BOOKS})"
        )

    def handle(self, *args, batch, **options):
        started = time.monotonic()
        written = rebuild_book_stats(batch=max(batch, 1))
        catalog_changed()
        self.stdout.write(f"{written:,} books have copies for sale ({time.monotonic() - started:.1f} s).")
