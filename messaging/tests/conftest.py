"""Messaging tests reuse the buying fixtures (addresses, carriers, placed orders)."""

import pytest

from messaging.services import ask_about_listing
from orders.tests.conftest import (  # noqa: F401 - fixtures
    carriers,
    charlie_address,
    charlie_cart,
    choice,
    placed_order,
)


@pytest.fixture
def question(charlie, alice_listing):
    """Charlie (a buyer) asked alice about her listing."""
    return ask_about_listing(alice_listing, charlie, "Is the spine cracked?")
