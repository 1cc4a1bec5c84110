"""Marking a shipment shipped with the carrier actually used and the tracking number it gave, checked per carrier;
the buyer sees it, and the carrier simulator carries such parcels like any other."""

import pytest
from django.urls import reverse

from conftest import ListingFactory
from orders.errors import ShipmentError
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.states import ShipmentStatus
from orders.tests.conftest import AddressFactory, card

pytestmark = pytest.mark.django_db


def detail_url(shipment) -> str:
    return reverse("shipping:sale_detail", args=[shipment.pk])


def ship_url(shipment) -> str:
    return reverse("shipping:mark_shipped", args=[shipment.pk])


@pytest.fixture
def alice_part(placed_order, alice):
    """Alice's paid part of charlie's order: Colombia to Colombia with Servientrega."""
    pay_order(placed_order, card(), "tracking-paid-key-0001")
    return placed_order.shipments.get(seller=alice)


@pytest.fixture
def us_part(bob, charlie, carriers):
    """Bob's paid parcel to a buyer in the United States: UPS Ground chosen, USPS Media Mail also serves."""
    listing = ListingFactory(seller=bob)
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, listing, 1)
    address = AddressFactory(user=charlie, country="US", city="Austin")
    order = place_order(charlie, cart, address, {bob.pk: carriers["UPSGND"].pk}, new_checkout_token())
    pay_order(order, card(), "tracking-paid-key-0002")
    return order.shipments.get()


@pytest.fixture
def abroad_part(alice, charlie, carriers):
    """Alice's paid parcel to the United States with FedEx (DHL serves the route too)."""
    listing = ListingFactory(seller=alice)
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, listing, 1)
    address = AddressFactory(user=charlie, country="US", city="Austin")
    order = place_order(charlie, cart, address, {alice.pk: carriers["FEDEX"].pk}, new_checkout_token())
    pay_order(order, card(), "tracking-paid-key-0003")
    return order.shipments.get()


@pytest.mark.parametrize(
    ("part", "code", "number", "valid"),
    [
        ("us_part", "USPSMM", "9400 1000 0000 0000 0000 00", True),  # 22 digits, spaced as printed
        ("us_part", "USPSMM", "94001000000000000000", True),  # 20
        ("us_part", "USPSMM", "9400100000000000000", False),  # 19
        ("us_part", "USPSMM", "9400100000000000000000A", False),
        ("us_part", "UPSGND", "1z999aa10123456784", True),  # lower case is read as upper case
        ("us_part", "UPSGND", "1Z999AA1012345678", False),  # 15 after 1Z
        ("us_part", "UPSGND", "2Z999AA10123456784", False),
        ("abroad_part", "DHL", "1234567890", True),
        ("abroad_part", "DHL", "123456789", False),
        ("abroad_part", "DHL", "12345678901", False),
        ("abroad_part", "FEDEX", "123456789012", True),
        ("abroad_part", "FEDEX", "123456789012345", True),
        ("abroad_part", "FEDEX", "1234567890123", False),
        ("abroad_part", "FEDEX", "1Z999AA10123456784", False),
    ],
)
def test_tracking_number_formats_per_carrier(request, client_for, carriers, part, code, number, valid):
    shipment = request.getfixturevalue(part)
    client = client_for(shipment.seller)
    response = client.post(ship_url(shipment), {"carrier": carriers[code].pk, "tracking_number": number})
    shipment.refresh_from_db()
    if valid:
        assert response.status_code == 302
        assert shipment.status == ShipmentStatus.SHIPPED and shipment.carrier.code == code
        assert shipment.tracking_number == number.replace(" ", "").upper()
    else:
        assert response.status_code == 400
        assert f"This is not a {carriers[code].name} tracking number" in response.content.decode()
        assert response.context["ship_form"].errors["tracking_number"]
        assert shipment.status == ShipmentStatus.READY_TO_SHIP and shipment.tracking_number is None


def test_the_carrier_choice_holds_only_carriers_serving_the_route(client_for, alice, alice_part, carriers):
    client = client_for(alice)
    form = client.get(detail_url(alice_part)).context["ship_form"]
    assert sorted(label for _pk, label in form.fields["carrier"].choices) == ["Envia", "Servientrega"]
    # An international carrier does not carry within Colombia: a form error, nothing shipped.
    response = client.post(ship_url(alice_part), {"carrier": carriers["DHL"].pk, "tracking_number": "1234567890"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = client.post(ship_url(alice_part), {"carrier": "nonsense"})
    assert response.status_code == 400
    alice_part.refresh_from_db()
    assert alice_part.status == ShipmentStatus.READY_TO_SHIP


def test_the_service_refuses_a_carrier_off_the_route(alice, alice_part, carriers):
    with pytest.raises(ShipmentError) as refused:
        mark_shipped(alice_part, alice, carrier=carriers["USPSMM"], tracking_number="94001000000000000000")
    assert refused.value.code == "carrier_not_serving"


def test_another_carrier_serving_the_route_replaces_the_buyers_choice(client_for, alice, alice_part, carriers):
    response = client_for(alice).post(ship_url(alice_part), {"carrier": carriers["ENVIA"].pk})
    assert response.status_code == 302
    alice_part.refresh_from_db()
    assert alice_part.carrier.code == "ENVIA" and alice_part.tracking_number.startswith("ENVIA")
    assert alice_part.shipping_cost == alice_part.order.shipments.get(pk=alice_part.pk).shipping_cost


def test_a_number_in_another_carriers_format_is_refused(client_for, abroad_part, us_part, carriers):
    mark_shipped(us_part, us_part.seller, carrier=carriers["UPSGND"], tracking_number="1Z999AA10123456784")
    response = client_for(abroad_part.seller).post(
        ship_url(abroad_part), {"carrier": carriers["FEDEX"].pk, "tracking_number": "1Z999AA10123456784"}
    )
    assert response.status_code == 400  # not FedEx's form
    with pytest.raises(ShipmentError) as refused:
        mark_shipped(abroad_part, abroad_part.seller, tracking_number="1Z999AA10123456784")
    assert refused.value.code == "bad_tracking_number"


def test_a_number_taken_by_another_parcel(alice, alice_part, abroad_part, carriers):
    Shipment.objects.filter(pk=abroad_part.pk).update(tracking_number="ABC1234567")
    with pytest.raises(ShipmentError) as refused:
        mark_shipped(alice_part, alice, tracking_number="abc-1234567")
    assert refused.value.code == "tracking_number_taken"


def test_the_buyer_sees_the_number_and_the_simulator_carries_the_parcel(
    client_for, charlie, abroad_part, carriers, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(abroad_part.seller).post(
            ship_url(abroad_part), {"carrier": carriers["DHL"].pk, "tracking_number": "1234567890"}
        )
    order_page = client_for(charlie).get(abroad_part.order.get_absolute_url()).content.decode()
    assert "1234567890" in order_page and "DHL Express" in order_page
    assert any("1234567890" in message.body for message in mailoutbox)
    for _ in range(3):
        advance_shipments(push_all=True)
    abroad_part.refresh_from_db()
    assert abroad_part.status == ShipmentStatus.DELIVERED and abroad_part.tracking_number == "1234567890"
    assert [e.code for e in abroad_part.events.order_by("happened_at", "pk")] == [
        "shipped",
        "at_international_hub",
        "out_for_delivery",
        "delivered",
    ]


def test_form_labels_in_spanish(client_for, alice, alice_part):
    html = client_for(alice).get(detail_url(alice_part), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Transportista utilizado" in html and "Imprimir el albarán" in html


def test_detail_budget_with_the_ship_form(client_for, alice, alice_part, django_assert_max_num_queries):
    client = client_for(alice)
    client.get(detail_url(alice_part))
    with django_assert_max_num_queries(9):
        assert client.get(detail_url(alice_part)).status_code == 200
