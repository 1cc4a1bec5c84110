"""Phase "seller volume": how long a seller waits for the bulk tools at their limits, on the bench's catalog.

- The API's bulk upsert: 1,000 listings created in one call, then the same 1,000 with a new price each, over HTTP
  to the bench's gunicorn with a token of the seller's (as a seller's own software calls it).
- The file import: 20,000 rows checked (the dry run) and applied, then the same file again (every row unchanged).
  Run in this process through catalog.services.imports, as the upload view and the job worker run it; with no
  broker configured the apply job runs as soon as it is queued.

Every listing and book the phase makes is removed afterwards, so the catalog the other phases measure is unchanged.
"""

from __future__ import annotations

import csv
import io
import time

import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from bench.common import log

API_ITEMS = 1_000
IMPORT_ROWS = 20_000
# ISBNs of the phase's own books: a prefix no seeded book uses (seed_bulk numbers its books under 9798).
ISBN_PREFIX = "97910"
VOLUME_EMAIL = "bench-volume@bench.example.com"
API_BULK = "/api/v1/sell/listings/bulk"


def _isbn(n: int) -> str:
    from catalog.management.seeding import isbn13

    return isbn13(f"{ISBN_PREFIX}{n:07d}")


def _api_items(price_of) -> list[dict]:
    return [
        {
            "sku": f"VOL-API-{n:05d}",
            "isbn": _isbn(n),
            "title": f"Volumen prueba {n}",
            "author": "Bench Volume",
            "category": "fiction",
            "condition": "good",
            "price": price_of(n),
            "quantity": 1 + n % 3,
        }
        for n in range(API_ITEMS)
    ]


def _import_file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "isbn", "title", "author", "condition", "price", "quantity", "language", "category"])
    for n in range(IMPORT_ROWS):
        writer.writerow(
            [
                f"VOL-CSV-{n:05d}",
                _isbn(API_ITEMS + n),
                f"Volumen archivo {n}",
                f"Bench Author {n % 50}",
                ["Very Good", "good", "As New", "fair"][n % 4],
                f"{5 + n % 40}.{n % 100:02d}",
                1 + n % 3,
                ["en", "es"][n % 2],
                ["Fiction", "History"][n % 2],
            ]
        )
    return out.getvalue().encode()


def _seller():
    from django.contrib.auth.hashers import make_password

    from accounts.models import Shop
    from bench.fixtures import _account

    seller = _account(VOLUME_EMAIL, make_password(None), "Volume")
    Shop.objects.get_or_create(
        owner=seller,
        defaults={"name": "Bench Volume Books", "slug": "bench-volume-books", "city": "Bogotá", "country": "CO"},
    )
    return seller


def clear(seller) -> None:
    """Remove the phase's listings, import runs, books and API tokens (left by this run or by one that was
    stopped)."""
    from catalog.book_stats import refresh_book_stats
    from catalog.cache import catalog_changed
    from catalog.models import Book, ImportRun, Listing

    with transaction.atomic():
        listings = Listing.objects.filter(seller=seller)
        books = set(listings.values_list("book_id", flat=True))
        listings.delete()
        ImportRun.objects.filter(seller=seller).delete()
        seller.api_tokens.all().delete()
        Book.objects.filter(isbn13__startswith=ISBN_PREFIX, listings__isnull=True).delete()
        refresh_book_stats(books)
    catalog_changed()


def _timed_post(session: requests.Session, url: str, body: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    response = session.post(url, json=body, timeout=120)
    seconds = time.perf_counter() - started
    response.raise_for_status()
    return seconds, response.json()


def _api_bulk(base: str, seller) -> dict:
    from api.services import create_token

    _token, secret = create_token(seller, "bench volume", ("sell",))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {secret}"
    session.get(f"{base}/api/v1/sell/listings", timeout=30).raise_for_status()  # records the token's first use
    created_in, created = _timed_post(session, base + API_BULK, {"items": _api_items(lambda n: "12.50")})
    updated_in, updated = _timed_post(session, base + API_BULK, {"items": _api_items(lambda n: f"{13 + n / 100:.2f}")})
    return {
        "items": API_ITEMS,
        "create_seconds": round(created_in, 2),
        "created": created["created"],
        "update_seconds": round(updated_in, 2),
        "updated": updated["updated"],
        "refused": created["refused"] + updated["refused"],
    }


def _import(seller) -> dict:
    from catalog.models import ImportRun
    from catalog.services.imports import check_upload, start_import

    data = _import_file()
    timings = {}
    for attempt in ("first", "again"):
        started = time.perf_counter()
        run = check_upload(seller, SimpleUploadedFile("volume.csv", data, content_type="text/csv"))
        checked = time.perf_counter()
        start_import(run)  # no broker: the job runs when its transaction commits, here
        finished = time.perf_counter()
        run.refresh_from_db()
        timings[attempt] = {
            "dry_run_seconds": round(checked - started, 1),
            "apply_seconds": round(finished - checked, 1),
            "status": run.status,
            "created": run.created_count,
            "updated": run.updated_count,
            "unchanged": run.unchanged_count,
            "refused": run.refused_count,
        }
        if run.status != ImportRun.Status.DONE:
            break
    return {"rows": IMPORT_ROWS, **timings}


def run_volume(base: str) -> dict:
    """The phase's measurements (see the module's docstring)."""
    seller = _seller()
    clear(seller)
    try:
        log(f"seller volume: API bulk of {API_ITEMS:,} listings, created then repriced")
        api = _api_bulk(base, seller)
        log(f"seller volume: created in {api['create_seconds']} s, updated in {api['update_seconds']} s")
        log(f"seller volume: importing {IMPORT_ROWS:,} rows, then the same file again")
        imported = _import(seller)
        log(f"seller volume: import {imported['first']}")
    finally:
        clear(seller)
    return {"api": api, "import": imported}
