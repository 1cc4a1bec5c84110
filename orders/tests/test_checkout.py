"""Placing an order: all or nothing, prices from the database, one shipment per seller, idempotent."""

from decimal import Decimal

import pytest

from catalog.models import Listing
from conftest import ListingFactory
from orders.errors import CarrierChoiceError, CheckoutError
from orders.models import CartLine, Order, OrderLine, Shipment
from orders.services import (
    add_to_cart,
    checkout_preview,
    get_or_create_cart,
    new_checkout_token,
    place_order,
)
from orders.tests.conftest import AddressFactory
from shipping.models import Carrier

pytestmark = pytest.mark.django_db


def test_order_from_two_sellers(
    charlie,
    charlie_cart,
    charlie_address,
    choice,
    alice,
    bob,
    alice_listing,
    bob_listing,
    carriers,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())

    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.number.startswith("BS-") and len(order.number) == 11
    # Stock taken, sales counted.
    alice_listing.refresh_from_db()
    bob_listing.refresh_from_db()
    assert (alice_listing.quantity, alice_listing.units_sold) == (1, 2)
    assert (bob_listing.quantity, bob_listing.units_sold) == (2, 1)
    # Snapshots of what was sold.
    lines = {line.listing_id: line for line in order.lines.all()}
    rose = lines[alice_listing.pk]
    assert (rose.title, rose.authors, rose.condition) == ("The Name of the Rose", "Umberto Eco", "very_good")
    assert (rose.seller, rose.seller_name, rose.unit_price, rose.quantity) == (
        alice,
        "Alice's Attic",
        Decimal("12.50"),
        2,
    )
    assert rose.line_total == Decimal("25.00")
    assert lines[bob_listing.pk].seller_name == "Bob's Books"
    # One shipment per seller, priced by the chosen carrier for the route and the number of copies.
    shipments = {s.seller_id: s for s in order.shipments.all()}
    assert shipments[alice.pk].carrier == carriers["SERVI"]
    assert shipments[alice.pk].shipping_cost == Decimal("4.60")  # 3.50 + 1 extra copy x 1.10
    assert shipments[alice.pk].item_count == 2
    assert (shipments[alice.pk].origin_city, shipments[alice.pk].origin_country.code) == ("Bogotá", "CO")
    assert shipments[bob.pk].carrier == carriers["FEDEX"]
    assert shipments[bob.pk].shipping_cost == Decimal("31.00")  # FedEx's US -> CO rate
    assert all(s.status == Shipment.Status.AWAITING_PAYMENT for s in shipments.values())
    assert rose.shipment == shipments[alice.pk]
    # Totals.
    assert order.items_total == Decimal("34.99")
    assert order.shipping_total == Decimal("35.60")
    assert order.total == Decimal("70.59")
    # Address snapshot; the cart is empty; the buyer got a confirmation.
    assert (order.ship_full_name, order.ship_city, order.ship_country.code) == ("Charlie Buyer", "Medellín", "CO")
    assert not CartLine.objects.filter(cart=charlie_cart).exists()
    assert [m.to for m in mailoutbox] == [["charlie@example.com"]]
    assert order.number in mailoutbox[0].subject
    assert "The Name of the Rose" in mailoutbox[0].body and "$70.59" in mailoutbox[0].body
    assert mailoutbox[0].alternatives[0][1] == "text/html"


def test_prices_come_from_the_database(charlie, charlie_cart, charlie_address, choice, alice_listing):
    # The buyer accepted a price that the seller then lowered: the database price is charged, not the cart's.
    CartLine.objects.filter(listing=alice_listing).update(price_seen=Decimal("11.00"))
    Listing.objects.filter(pk=alice_listing.pk).update(price=Decimal("11.00"))
    order = place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    assert order.lines.get(listing=alice_listing).unit_price == Decimal("11.00")


def test_a_failing_line_takes_nothing_and_is_named(
    charlie, charlie_cart, charlie_address, choice, alice, alice_listing, bob_listing
):
    paused = ListingFactory(seller=alice, book__title="Paused meanwhile")
    add_to_cart(charlie_cart, paused, 1)
    Listing.objects.filter(pk=paused.pk).update(status=Listing.Status.PAUSED)
    Listing.objects.filter(pk=bob_listing.pk).update(quantity=0)

    with pytest.raises(CheckoutError) as info:
        place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())

    assert info.value.code == "lines_unavailable"
    assert {(p.title, p.code) for p in info.value.problems} == {
        ("Paused meanwhile", "not_available"),
        ("Dune", "sold_out"),
    }
    assert {p.line_id for p in info.value.problems} == set(
        charlie_cart.lines.filter(listing__in=[paused, bob_listing]).values_list("pk", flat=True)
    )
    assert not Order.objects.exists() and not OrderLine.objects.exists() and not Shipment.objects.exists()
    alice_listing.refresh_from_db()
    assert (alice_listing.quantity, alice_listing.units_sold) == (3, 0)
    assert charlie_cart.lines.count() == 3


def test_stock_that_dropped_below_the_line_is_refused(charlie, charlie_cart, charlie_address, choice, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(quantity=1)
    with pytest.raises(CheckoutError) as info:
        place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    [problem] = info.value.problems
    assert (problem.code, problem.requested, problem.available) == ("over_stock", 2, 1)
    assert Listing.objects.get(pk=alice_listing.pk).quantity == 1


def test_a_repriced_line_must_be_accepted_first(charlie, charlie_cart, charlie_address, choice, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(price=Decimal("99.00"))
    with pytest.raises(CheckoutError) as info:
        place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())
    assert [p.code for p in info.value.problems] == ["repriced"]
    assert not Order.objects.exists()


def test_own_listing_in_cart_is_refused(alice, alice_listing, bob_listing, carriers, bob):
    # alice's cart got her own listing before she opened her shop? The rule holds at checkout too.
    cart = get_or_create_cart(user=alice)
    CartLine.objects.create(cart=cart, listing=alice_listing, quantity=1, price_seen=alice_listing.price)
    address = AddressFactory(user=alice)
    with pytest.raises(CheckoutError) as info:
        place_order(alice, cart, address, {alice.pk: carriers["ENVIA"].pk}, new_checkout_token())
    assert [p.code for p in info.value.problems] == ["own_listing"]


def test_carrier_that_does_not_cover_the_route_is_refused(
    charlie, charlie_cart, charlie_address, alice, bob, carriers, alice_listing
):
    # Envia is national (Colombia only): it cannot carry bob's parcel from the United States.
    bad = {alice.pk: carriers["ENVIA"].pk, bob.pk: carriers["ENVIA"].pk}
    with pytest.raises(CarrierChoiceError) as info:
        place_order(charlie, charlie_cart, charlie_address, bad, new_checkout_token())
    assert info.value.seller_ids == [bob.pk]
    # DHL is international: it cannot carry alice's parcel within Colombia.
    with pytest.raises(CarrierChoiceError):
        place_order(
            charlie,
            charlie_cart,
            charlie_address,
            {alice.pk: carriers["DHL"].pk, bob.pk: carriers["DHL"].pk},
            new_checkout_token(),
        )
    # Missing, inactive and tampered choices.
    for tampered in ({alice.pk: carriers["ENVIA"].pk}, {alice.pk: "x", bob.pk: None}, {}):
        with pytest.raises(CarrierChoiceError):
            place_order(charlie, charlie_cart, charlie_address, tampered, new_checkout_token())
    carriers["FEDEX"].active = False
    carriers["FEDEX"].save()
    with pytest.raises(CarrierChoiceError):
        place_order(
            charlie,
            charlie_cart,
            charlie_address,
            {alice.pk: carriers["ENVIA"].pk, bob.pk: carriers["FEDEX"].pk},
            new_checkout_token(),
        )
    assert not Order.objects.exists()
    assert Listing.objects.get(pk=alice_listing.pk).quantity == 3


def test_same_token_returns_the_same_order(charlie, charlie_cart, charlie_address, choice, alice_listing):
    token = new_checkout_token()
    first = place_order(charlie, charlie_cart, charlie_address, choice, token)
    again = place_order(charlie, charlie_cart, charlie_address, choice, token)
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert Listing.objects.get(pk=alice_listing.pk).quantity == 1


def test_tokens_are_checked(charlie, charlie_cart, charlie_address, choice, bob_listing, carriers, alice):
    token = new_checkout_token()
    place_order(charlie, charlie_cart, charlie_address, choice, token)
    # Another buyer replaying charlie's token gets nothing of charlie's.
    other = AddressFactory(full_name="Someone Else")
    other_cart = get_or_create_cart(user=other.user)
    with pytest.raises(CheckoutError) as info:
        place_order(other.user, other_cart, other, {}, token)
    assert info.value.code == "invalid_token"
    for bad in ("", "short", "x" * 65, None, "bad token with spaces!"):
        with pytest.raises(CheckoutError) as info:
            place_order(charlie, charlie_cart, charlie_address, choice, bad)
        assert info.value.code == "invalid_token"


def test_empty_cart_and_foreign_address_are_refused(charlie, charlie_address, bob, choice):
    cart = get_or_create_cart(user=charlie)
    with pytest.raises(CheckoutError) as info:
        place_order(charlie, cart, charlie_address, choice, new_checkout_token())
    assert info.value.code == "cart_empty"
    bobs_address = AddressFactory(user=bob)
    with pytest.raises(CheckoutError) as info:
        place_order(charlie, cart, bobs_address, choice, new_checkout_token())
    assert info.value.code == "invalid_address"


def test_preview_lists_carriers_per_seller_with_prices(
    charlie_cart, alice, bob, carriers, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        preview = checkout_preview(charlie_cart, "CO", {alice.pk: carriers["ENVIA"].pk, bob.pk: "tampered"})
        alice_choice, bob_choice = preview.shipping
        assert [(q.carrier.code, q.price) for q in alice_choice.options] == [
            ("SERVI", Decimal("4.60")),
            ("ENVIA", Decimal("4.80")),
        ]
        assert [(q.carrier.code, q.price) for q in bob_choice.options] == [
            ("FEDEX", Decimal("31.00")),
            ("DHL", Decimal("42.00")),
        ]
        assert alice_choice.chosen.carrier.code == "ENVIA" and bob_choice.chosen is None
        assert not preview.ready
        assert preview.items_total == Decimal("34.99")
        assert preview.shipping_total == Decimal("4.80")
        assert preview.total == Decimal("39.79")


def test_preview_says_when_no_carrier_covers_a_route(charlie_cart, carriers):
    # Bob's national carriers stopped working: nobody carries parcels within the United States.
    Carrier.objects.filter(code__in=["USPSMM", "UPSGND"]).update(active=False)
    preview = checkout_preview(charlie_cart, "US")
    alice_choice, bob_choice = preview.shipping
    assert alice_choice.covered and not bob_choice.covered  # CO -> US: DHL, FedEx; nobody US -> US
    assert [c.group.seller_name for c in preview.uncovered] == ["Bob's Books"]


def test_preview_offers_national_carriers_within_the_united_states(charlie_cart, carriers):
    preview = checkout_preview(charlie_cart, "US")
    alice_choice, bob_choice = preview.shipping
    assert [(q.carrier.code, q.price) for q in bob_choice.options] == [
        ("USPSMM", Decimal("4.63")),
        ("UPSGND", Decimal("11.00")),
    ]
    assert [q.carrier.code for q in alice_choice.options] == ["DHL", "FEDEX"]
    assert not preview.uncovered
