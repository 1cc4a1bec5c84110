"""Fixtures for buying tests: addresses, carriers, a ready cart, card data, and an order placer."""

import importlib
from decimal import Decimal

import factory
import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from conftest import ListingFactory, ShopFactory, UserFactory
from orders.models import Address
from orders.services import (
    CardDetails,
    add_to_cart,
    get_or_create_cart,
    new_checkout_token,
    pay_order,
    place_order,
)
from orders.services.shipments import advance_shipments, mark_shipped
from shipping.models import Carrier, Rate

APPROVE = "4242 4242 4242 4242"
DECLINE = "4000 0000 0000 0002"
NO_FUNDS = "4000 0000 0000 9995"


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    full_name = "Charlie Buyer"
    line1 = "Calle 10 # 5-23"
    city = "Medellín"
    region = "Antioquia"
    postal_code = "050001"
    country = "CO"
    phone = "+57 300 000 0000"


def card(number: str = APPROVE, exp_month: int = 12, exp_year: int = 2099, cvc: str = "123") -> CardDetails:
    return CardDetails(number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc)


@pytest.fixture
def carriers(db):
    """The carriers of the data migrations (recreated if a transactional test flushed them), by code."""
    # 0002 wrote delivery times as text, a column that no longer exists: its rows are rebuilt here as 0004 left them.
    first = importlib.import_module("shipping.migrations.0002_default_carriers")
    for code, name, scope, transit_days in first.CARRIERS:
        low, high = (int(days) for days in transit_days.split()[0].split("-"))
        Carrier.objects.get_or_create(
            code=code, defaults={"name": name, "scope": scope, "min_days": low, "max_days": high}
        )
    for code, origin, destination, base, per_extra_item in first.RATES:
        Rate.objects.get_or_create(
            carrier=Carrier.objects.get(code=code),
            origin_country=origin,
            destination_country=destination,
            defaults={"base": Decimal(base), "per_extra_item": Decimal(per_extra_item)},
        )
    importlib.import_module("shipping.migrations.0005_national_carriers").add_carriers(django_apps, None)
    importlib.import_module("shipping.migrations.0008_carrier_tracking_patterns").set_patterns(django_apps, None)
    return {carrier.code: carrier for carrier in Carrier.objects.all()}


@pytest.fixture
def charlie_address(charlie):
    return AddressFactory(user=charlie)


@pytest.fixture
def charlie_cart(charlie, alice_listing, bob_listing):
    """Charlie's cart: 2 copies from alice (Colombia) and 1 from bob (United States)."""
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, alice_listing, 2)
    add_to_cart(cart, bob_listing, 1)
    return cart


@pytest.fixture
def choice(alice, bob, carriers):
    """Servientrega for alice's national parcel, FedEx for bob's US -> CO parcel."""
    return {alice.pk: carriers["SERVI"].pk, bob.pk: carriers["FEDEX"].pk}


@pytest.fixture
def placed_order(charlie, charlie_cart, charlie_address, choice):
    return place_order(charlie, charlie_cart, charlie_address, choice, new_checkout_token())


@pytest.fixture
def make_order(carriers):
    """make_order(buyer=None, quantity=1, price=...) -> an order for one listing of a new Colombian seller."""

    def make(buyer=None, quantity: int = 1, stock: int = 5, price: Decimal = Decimal("20.00")):
        buyer = buyer or UserFactory()
        seller = ShopFactory().owner
        listing = ListingFactory(seller=seller, quantity=stock, price=price)
        cart = get_or_create_cart(user=buyer)
        add_to_cart(cart, listing, quantity)
        address = AddressFactory(user=buyer)
        return place_order(buyer, cart, address, {seller.pk: carriers["ENVIA"].pk}, new_checkout_token())

    return make


@pytest.fixture(name="buy")
def buy_fixture(charlie, alice, carriers):
    """buy(listing, quantity) places charlie's order of one of alice's listings (Servientrega from Colombia to
    Medellín); it awaits payment."""
    address = Address.objects.create(
        user=charlie, full_name="Charlie", line1="Calle 10", city="Medellín", country="CO", phone="+57 300 000 0000"
    )

    def place(listing, quantity):
        cart = get_or_create_cart(user=charlie)
        add_to_cart(cart, listing, quantity)
        return place_order(charlie, cart, address, {alice.pk: carriers["SERVI"].pk}, new_checkout_token())

    return place


@pytest.fixture
def shipped_order(placed_order, alice, make_order):
    """The placed order paid, alice's part shipped and carried on one step, and three more orders beside it."""
    pay_order(placed_order, card(), "ship-admin-key-0001")
    mark_shipped(placed_order.shipments.get(seller=alice), alice)
    advance_shipments(push_all=True)
    for _ in range(3):
        make_order()
    return placed_order


def assert_admin_pages_render(client, model, list_budget: int, change_budget: int, assert_max_num_queries) -> None:
    """The admin list and the first row's change page answer 200 for ``client``, each within its query budget."""
    opts = model._meta
    with assert_max_num_queries(list_budget):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200 and response.context["cl"].result_count > 0
    obj = model.objects.order_by("pk").first()
    with assert_max_num_queries(change_budget):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200
