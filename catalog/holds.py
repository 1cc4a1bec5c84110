"""Copies of a seller's listings held by orders that await payment.

Checkout takes the copies out of ``Listing.quantity`` when the order is placed (the buyer then has
``PAYMENT_EXPIRY_MINUTES`` to pay) and gives them back if the order expires or is cancelled
(orders.services.stock). So ``quantity`` is what is still for sale, and the copies an unpaid order holds are
not in it: setting the quantity never touches them, and they come back on top of it if the buyer does not pay.

Retiring such a listing would send those copies back to a listing that can never be sold again, so the
inventory's bulk delete pauses it instead. The catalog sits below orders and may not read its tables, so
orders tells it how to count the held copies: ``OrdersConfig.ready()`` calls :func:`set_held_copies_counter`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

HeldCopiesCounter = Callable[[Collection[int]], dict[int, int]]

_counter: HeldCopiesCounter | None = None


def set_held_copies_counter(counter: HeldCopiesCounter) -> None:
    """Install the function that maps listing ids to the copies unpaid orders hold (one query, ids without any
    held copies left out)."""
    global _counter
    _counter = counter


def held_copies(listing_ids: Collection[int]) -> dict[int, int]:
    """Copies held by unpaid orders, per listing id (listings with none are left out). One query at most.

    Raises RuntimeError when no counter is installed (the orders app is always installed with the catalog).
    """
    if not listing_ids:
        return {}
    if _counter is None:
        raise RuntimeError("No counter of held copies: the orders app installs one when it is ready.")
    return _counter(listing_ids)
