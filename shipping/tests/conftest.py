"""Shipping tests reuse the buying fixtures (addresses, carriers, placed orders)."""

from orders.tests.conftest import (  # noqa: F401 - fixtures
    carriers,
    charlie_address,
    charlie_cart,
    choice,
    make_order,
    placed_order,
    shipped_order,
)
