"""Writing one planned batch of a seller's listing rows (catalog.imports.planning): the file import and the API's
upsert share it, so both follow the same rules and take the same constant number of queries per batch.

The caller holds the transaction: the seller's listings with the batch's SKUs are locked (in primary-key order,
as every listing write locks them) until it ends. Books are found or created by catalog.services.books, as the
listing form does; the books' figures (catalog.book_stats) and the page cache follow when buyers could see a
change.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from accounts.models import User
from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.imports.columns import ParsedRow, RowError
from catalog.imports.planning import BatchPlan, batch_lookups, plan_batch
from catalog.models import BOOK_COPIED_FIELDS, Listing, copy_book_columns
from catalog.services.books import find_or_create_books

Status = Listing.Status


def write_batch(seller: User, batch: Sequence[ParsedRow | list[RowError]]) -> BatchPlan:
    """Plan one batch against the seller's listings (locked) and the catalog's books, write it, return the plan."""
    existing, known = batch_lookups(seller, batch, lock=True)
    plan = plan_batch(batch, existing, known)
    now = timezone.now()
    book_rows = [row.book_data() for row in plan.creates]
    book_rows += [update.row.book_data() for update in plan.updates if "book" in update.fields]
    books = iter(find_or_create_books(book_rows)) if book_rows else iter(())
    new_listings = [
        Listing(
            seller=seller,
            book=next(books),
            sku=row.sku,
            condition=row.condition,
            condition_notes=row.notes,
            price=row.price,
            quantity=row.quantity,
            status=row.status,
            published_at=now if row.status == Status.ACTIVE else None,
        )
        for row in plan.creates
    ]
    if new_listings:
        Listing.objects.bulk_create(new_listings)
    changed_fields: set[str] = set()
    visible_change = any(row.status == Status.ACTIVE for row in plan.creates)
    books_changed = {listing.book_id for listing in new_listings if listing.status == Status.ACTIVE}
    for update in plan.updates:
        listing, row = update.listing, update.row
        was_active = listing.status == Status.ACTIVE
        books_changed.add(listing.book_id)  # its book before a change of book
        for name in update.fields:
            if name == "book":
                listing.book = next(books)
                copy_book_columns(listing)
            elif name == "status":
                listing.status = row.status
                if row.status == Status.ACTIVE and listing.published_at is None:
                    listing.published_at = now
                    changed_fields.add("published_at")
            else:
                setattr(listing, name, getattr(row, "notes" if name == "condition_notes" else name))
            changed_fields.add(name)
        listing.updated_at = now
        visible_change = visible_change or was_active or listing.status == Status.ACTIVE
        books_changed.add(listing.book_id)
    if "book" in changed_fields:
        # The listing's copies of its book's columns (Listing.book_language ...) move with the book.
        changed_fields.update(column.removesuffix("_id") for column in BOOK_COPIED_FIELDS.values())
    if plan.updates:
        _save_updates([u.listing for u in plan.updates], sorted(changed_fields), now)
    if visible_change:
        refresh_book_stats(books_changed)
        catalog_changed()
    return plan


def _save_updates(listings: list[Listing], fields: list[str], now) -> None:
    """Write ``fields`` of ``listings`` (rows that exist, locked by the caller) and stamp them updated ``now``.

    A field with one value over all of them (a status, a stamp) is a plain UPDATE. The others are written by an
    upsert of the rows as they are in memory (INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE of those fields
    only): every row conflicts on its primary key, so nothing is inserted, and the ORM builds it several times
    faster than bulk_update's CASE per row and field. Two queries per batch of the database's size.
    """
    uniform: dict[str, object] = {"updated_at": now}
    varying = []
    for name in fields:
        attname = Listing._meta.get_field(name).attname
        values = {getattr(listing, attname) for listing in listings}
        if len(values) == 1:
            uniform[attname] = values.pop()
        else:
            varying.append(name)
    if varying:
        target = ["pk"] if connection.features.supports_update_conflicts_with_target else None
        Listing.objects.bulk_create(listings, update_conflicts=True, update_fields=varying, unique_fields=target)
    Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(**uniform)
