"""Copies of a seller's listings held by orders that await payment.

Checkout takes the copies out of ``Listing.quantity`` when the order is placed (the buyer then has
``PAYMENT_EXPIRY_MINUTES`` to pay) and gives them back if the order expires or is cancelled
(orders.services.stock). So ``quantity`` is what is still for sale, and the copies an unpaid order holds are
not in it: setting the quantity never touches them, and they come back on top of it if the buyer does not pay.

Retiring such a listing would send those copies back to a listing that can never be sold again, so the
inventory's bulk delete pauses it instead. The catalog sits below orders and may not read its tables, so
orders tells it how to count the held copies, and whether a seller has any: ``OrdersConfig.ready()`` calls
:func:`set_held_copies_counter`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

HeldCopiesCounter = Callable[[Collection[int]], dict[int, int]]
SellerHoldsCheck = Callable[[int], bool]

_counter: HeldCopiesCounter | None = None
_seller_check: SellerHoldsCheck | None = None


def set_held_copies_counter(counter: HeldCopiesCounter, seller_check: SellerHoldsCheck) -> None:
    """Install the function that maps listing ids to the copies unpaid orders hold (one query, ids without any
    held copies left out), and the one that says whether any unpaid order holds copies of a seller's (one query)."""
    global _counter, _seller_check
    _counter, _seller_check = counter, seller_check


def held_copies(listing_ids: Collection[int]) -> dict[int, int]:
    """Copies held by unpaid orders, per listing id (listings with none are left out). One query at most.

    Raises RuntimeError when no counter is installed (the orders app is always installed with the catalog).
    """
    if not listing_ids:
        return {}
    if _counter is None:
        raise RuntimeError("No counter of held copies: the orders app installs one when it is ready.")
    return _counter(listing_ids)


def seller_has_held_copies(seller_id: int) -> bool:
    """Whether any order awaiting payment holds copies of this seller's listings. One query.

    Raises RuntimeError when no check is installed (the orders app is always installed with the catalog).
    """
    if _seller_check is None:
        raise RuntimeError("No check of held copies: the orders app installs one when it is ready.")
    return _seller_check(seller_id)
