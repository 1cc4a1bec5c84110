"""Creating or updating a seller's listings by SKU from rows given one by one (the JSON API's bulk upsert).

The rules of a listings file (catalog.services.imports), row for row: the cells are read by the same parser,
each batch of SELLER_IMPORT_BATCH_SIZE rows is planned and written by catalog.services.batches.write_batch
(constant queries per batch), and a refused row leaves the others alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.imports.columns import COLUMNS, ParsedRow, RowError, cell_text
from catalog.imports.planning import parse_rows
from catalog.models import Listing
from catalog.services.batches import write_batch
from catalog.signals import listings_offered

UPSERT_MAX_ROWS = 1000


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class RowResult:
    """What an upsert did with one row: its outcome, the listing's id (none when refused) and the row's errors."""

    line: int
    sku: str
    outcome: str
    listing_id: int | None = None
    errors: list[RowError] = field(default_factory=list)


def _batches(rows: list) -> Iterable[list]:
    size = settings.SELLER_IMPORT_BATCH_SIZE
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert_listings(seller: User, rows: Sequence[Mapping[str, Any]]) -> list[RowResult]:
    """Create or update ``seller``'s listings by SKU from rows keyed by the file's columns (``COLUMNS``).

    Row ``n`` of ``rows`` is line ``n + 1`` in the messages. Everything is one transaction: an unexpected failure
    writes nothing. Returns one RowResult per row, in order.

    Raises PermissionDenied when the seller has no shop, ValueError for more than UPSERT_MAX_ROWS rows.
    """
    if not hasattr(seller, "shop"):
        raise PermissionDenied(_("Open a shop before listing books."))
    if len(rows) > UPSERT_MAX_ROWS:
        raise ValueError(f"at most {UPSERT_MAX_ROWS} rows in one upsert")
    parsed = parse_rows(
        (index + 1, {name: cell_text(row.get(name)) for name in COLUMNS}) for index, row in enumerate(rows)
    )
    started = timezone.now()
    results: list[RowResult] = []
    with transaction.atomic():
        for batch in _batches(parsed):
            plan = write_batch(seller, batch)
            outcomes = {row.line: Outcome.CREATED for row in plan.creates}
            outcomes.update((update.row.line, Outcome.UPDATED) for update in plan.updates)
            errors: dict[int, list[RowError]] = {}
            for error in plan.errors:
                errors.setdefault(error.line, []).append(error)
            skus = [row.sku for row in batch if isinstance(row, ParsedRow)]
            ids = dict(Listing.objects.filter(seller=seller, sku__in=skus).values_list("sku", "pk")) if skus else {}
            for row in batch:
                line = row.line if isinstance(row, ParsedRow) else row[0].line
                sku = row.sku if isinstance(row, ParsedRow) else cell_text(rows[line - 1].get("sku"))
                if line in errors:
                    results.append(RowResult(line, sku, Outcome.REFUSED, errors=errors[line]))
                else:
                    results.append(RowResult(line, sku, outcomes.get(line, Outcome.UNCHANGED), ids.get(sku)))
        if any(result.outcome in (Outcome.CREATED, Outcome.UPDATED) for result in results):
            listings_offered.send(sender=Listing, seller_id=seller.pk, since=started)
    return results
