"""What a buyer may reach: their own orders and addresses; anyone else's answers 404."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from orders.services import buyer_orders, get_address_for_user, get_order_for_buyer, user_addresses
from orders.tests.conftest import AddressFactory

pytestmark = pytest.mark.django_db


def test_buyer_reaches_own_order_by_pk_or_number(placed_order, charlie, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        order = get_order_for_buyer(charlie, placed_order.number)
        assert len(order.lines.all()) == 2
        for shipment in order.shipments.all():
            assert shipment.carrier.name
            list(shipment.events.all())
            list(shipment.lines.all())
        list(order.payments.all())
    assert get_order_for_buyer(charlie, placed_order.pk) == placed_order
    assert get_order_for_buyer(charlie, placed_order.number.lower()) == placed_order


@pytest.mark.parametrize("who", ["alice", "bob", "staff", "anonymous"])
def test_anyone_else_gets_404(placed_order, request, who):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(Http404):
        get_order_for_buyer(user, placed_order.number)
    with pytest.raises(Http404):
        get_order_for_buyer(user, placed_order.pk)


def test_malformed_references_get_404(charlie):
    for bad in ("", "nope", "BS-XXXXXXXX", "-1", "12abc"):
        with pytest.raises(Http404):
            get_order_for_buyer(charlie, bad)


def test_order_list_is_the_buyers_own(placed_order, make_order, charlie, bob):
    make_order(buyer=bob)
    orders = list(buyer_orders(charlie))
    assert orders == [placed_order]
    assert orders[0].copies == 3
    assert list(buyer_orders(AnonymousUser())) == []


def test_addresses_are_private(charlie, bob):
    mine = AddressFactory(user=charlie)
    theirs = AddressFactory(user=bob)
    assert list(user_addresses(charlie)) == [mine]
    assert get_address_for_user(charlie, mine.pk) == mine
    for user, pk in ((charlie, theirs.pk), (charlie, "x"), (AnonymousUser(), mine.pk)):
        with pytest.raises(Http404):
            get_address_for_user(user, pk)
    assert mine.snapshot()["ship_country"] == "CO"


def test_save_address_reuses_an_identical_address_and_ignores_foreign_keys(charlie, bob):
    from orders.services import save_address

    data = {
        "full_name": "Charlie Buyer",
        "line1": "Calle 1 # 2-3",
        "city": "Medellín",
        "country": "CO",
        "phone": "+57 300 000 0000",
        "user": bob.pk,
    }
    first = save_address(charlie, data)
    again = save_address(charlie, dict(data))
    assert first.pk == again.pk
    assert first.user == charlie
    assert charlie.addresses.count() == 1


def test_order_for_checkout_token_only_finds_the_buyers_own_order(placed_order, charlie, bob):
    from orders.services import order_for_checkout_token

    assert order_for_checkout_token(charlie, placed_order.checkout_token) == placed_order
    assert order_for_checkout_token(bob, placed_order.checkout_token) is None
    assert order_for_checkout_token(charlie, "not a token!") is None
    assert order_for_checkout_token(charlie, "a" * 20) is None
